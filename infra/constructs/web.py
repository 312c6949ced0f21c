"""WebConstruct: the portal and the console (build/web) on CloudFront, with the REST API under `/v1/*`.

Pages and API share one origin, as `tugi dev` serves them: the pages call the API same-origin (the CSP's
`connect-src 'self'`), and the links in customer emails (`portal_url` + `/v1/answers/...`) reach the API.
How a path maps to an object, the headers and the cache-control per kind come from `infra/web_hosting.py`.

A missing page: CloudFront's custom error responses are distribution-wide (keyed on the status alone), so
mapping 403/404 to `/404.html` would also replace the API's own JSON 403s and 404s. They are not mapped.
Instead the origin access control may list the bucket, so S3 answers a missing object with 404 (without
`s3:ListBucket` it answers 403, which tells a browser and a crawler the wrong thing), with S3's short XML
body and the site's headers. The branded `404.html` would need a Lambda@Edge origin-response function on
the default behaviour (in us-east-1, a second stack and bootstrap); a CloudFront Function cannot see the
origin's answer in viewer-request and cannot set a body in viewer-response. Listing is never reachable
from outside: the index function rewrites `/` to `/index.html` and the cache policy forwards no query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Annotations, CfnOutput, Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra import web_hosting
from infra.constructs.tugi_bucket import TugiBucket
from infra.nag import acknowledge, flatten_cfn_reference

ACCESS_LOGS_PREFIX = "web/"
# The Makefile's stamp of a finished build: not part of the site.
BUILD_STAMP = ".built"
CONSOLE_PATH = "/console/"
# The singleton Lambda every BucketDeployment shares, a child of the stack named by CDK.
DEPLOYMENT_HANDLER_PREFIX = "Custom::CDKBucketDeployment"
AWS_CLI_LAYER_ID = "AwsCliLayer"
LIST_BUCKET_WARNING = "@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk"
BASIC_EXECUTION_POLICY = "arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


@dataclass(frozen=True)
class UploadGroup:
    """Objects uploaded with the same Content-Type and Cache-Control (one BucketDeployment each)."""

    content_type: str
    cache_control: str
    patterns: tuple[str, ...]


class WebConstruct(Construct):
    """Private site bucket, its deployment from build/web, and the distribution in front of it and the API."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        asset_dir: Path,
        access_logs_bucket: s3.IBucket,
        rest_api: apigw.RestApiBase,
    ) -> None:
        super().__init__(scope, construct_id)
        groups = upload_groups(checked_web_dir(asset_dir))
        self.bucket = TugiBucket(
            self, "SiteBucket", access_logs_bucket=access_logs_bucket, access_logs_prefix=ACCESS_LOGS_PREFIX
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Tugi portal: infra/web_hosting.py SECURITY_HEADERS",
            security_headers_behavior=security_headers_behavior(web_hosting.SECURITY_HEADERS),
        )
        index = cloudfront.Function(
            self,
            "IndexFunction",
            comment="/x/ is /x/index.html (infra/web_hosting.py)",
            code=cloudfront.FunctionCode.from_inline(web_hosting.INDEX_FUNCTION_CODE),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Tugi portal and console, REST API under /v1/*",
            default_root_object="index.html",
            # Europe and North America: where Tugi's customers are, at the lowest price class.
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(
                    self.bucket, origin_access_levels=[cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST]
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=index, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors={
                f"{web_hosting.API_PREFIX}*": cloudfront.BehaviorOptions(
                    origin=origins.RestApiOrigin(rest_api),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    # Query, cookies and every header but Host (API Gateway routes by its own host name):
                    # authorization, accept (HTML or JSON answers), x-tugi-visitor.
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy=headers,
                )
            },
        )
        # CDK warns on any listable default origin; listing is unreachable here (see the module docstring).
        Annotations.of(self.distribution).acknowledge_warning(
            LIST_BUCKET_WARNING, "default_root_object is set and the index function rewrites every folder path"
        )
        self._deploy(asset_dir, groups)
        self._acknowledge_distribution_findings()
        self.url = f"https://{self.distribution.distribution_domain_name}/"
        CfnOutput(self, "PortalUrl", value=self.url, description="The customer portal; set portal_url to it")
        CfnOutput(self, "ConsoleUrl", value=self.url.rstrip("/") + CONSOLE_PATH, description="The agent console")

    def _deploy(self, asset_dir: Path, groups: list[UploadGroup]) -> None:
        """One deployment per kind of object, pages last, which then invalidates every path.

        Each deployment syncs (and prunes) only its own patterns, so they never delete each other's
        objects; assets are in place before a page that links them, and before the invalidation.
        """
        source = s3deploy.Source.asset(str(asset_dir), exclude=[BUILD_STAMP])
        earlier: list[s3deploy.BucketDeployment] = []
        for number, group in enumerate(groups, start=1):
            last = number == len(groups)
            deployment = s3deploy.BucketDeployment(
                self,
                f"Deploy{number}",
                destination_bucket=self.bucket,
                sources=[source],
                exclude=["*"],
                include=list(group.patterns),
                content_type=group.content_type,
                cache_control=[s3deploy.CacheControl.from_string(group.cache_control)],
                distribution=self.distribution if last else None,
                distribution_paths=["/*"] if last else None,
            )
            for dependency in earlier:
                deployment.node.add_dependency(dependency)
            if earlier:
                # Every deployment makes an AWS CLI layer, but CDK's one handler uses the first one's.
                deployment.node.try_remove_child(AWS_CLI_LAYER_ID)
            earlier.append(deployment)
        self._acknowledge_deployment_handler()

    def _acknowledge_distribution_findings(self) -> None:
        acknowledge(
            self.distribution,
            "CFR1",
            "A help centre is for every customer wherever they travel; no country is refused.",
        )
        acknowledge(
            self.distribution,
            "CFR2",
            "No WAF yet, as on the REST API (APIG3): a web ACL is a monthly cost to add when abuse shows up.",
        )
        acknowledge(
            self.distribution,
            "CFR3",
            "No CloudFront access logs: they record full URLs, i.e. the customers' search and suggest queries "
            "and the auto-answer links, whose unguessable id is the customer's key; the API stage logs every "
            "/v1 request by route template. Standard logging would also need an ACL-enabled bucket.",
        )
        acknowledge(
            self.distribution,
            "CFR4",
            "The default *.cloudfront.net certificate allows TLSv1 viewers; a minimum protocol version needs a "
            "custom domain with an ACM certificate in us-east-1, which each deployment brings itself.",
        )

    def _acknowledge_deployment_handler(self) -> None:
        """CDK's one Lambda behind every BucketDeployment of the stack: its code, runtime and role are CDK's.

        Its policy reads CDK's asset bucket, writes the site bucket and invalidates the distribution with
        CDK's wildcard actions; each wildcard is acknowledged by the name cdk-nag gives it.
        """
        stack = Stack.of(self)
        handlers = [child for child in stack.node.children if child.node.id.startswith(DEPLOYMENT_HANDLER_PREFIX)]
        handler = handlers[0] if len(handlers) == 1 else None
        if not isinstance(handler, lambda_.Function) or handler.role is None:
            raise LookupError(f"CDK no longer adds one {DEPLOYMENT_HANDLER_PREFIX}… function; update the prefix")
        reason = (
            "CDK's bucket-deployment custom resource: CDK owns its runtime and role; it copies build/web into "
            "the site bucket and invalidates the distribution, at deploy time only."
        )
        acknowledge(handler, "L1", reason)
        acknowledge(handler, f"IAM4[Policy::{BASIC_EXECUTION_POLICY}]", reason)
        policy = handler.role.node.try_find_child("DefaultPolicy")
        document = stack.resolve(policy.document.to_json()) if isinstance(policy, iam.Policy) else {}
        statements: list[dict[str, object]] = document.get("Statement", [])
        for statement in statements:
            for action in _listed(statement.get("Action")):
                if "*" in str(action):
                    acknowledge(handler, f"IAM5[Action::{action}]", reason)
            for resource in _listed(statement.get("Resource")):
                if "*" in flatten_cfn_reference(resource):
                    acknowledge(handler, f"IAM5[Resource::{flatten_cfn_reference(resource)}]", reason)


def checked_web_dir(asset_dir: Path) -> Path:
    """The built site, or a clear error instead of CDK's when it was never built."""
    if not (asset_dir / "index.html").is_file():
        raise FileNotFoundError(f"no portal in {asset_dir}: run `make web` (or pass -c web_asset_dir=)")
    return asset_dir


def upload_groups(web_dir: Path) -> list[UploadGroup]:
    """The site's files grouped by the headers `web_hosting` gives them, pages last.

    S3 stores Content-Type and Cache-Control with each object and CloudFront passes them on, so they are
    set at upload, per file suffix, exactly as `tugi dev` sets them.
    """
    by_headers: dict[tuple[str, str], set[str]] = {}
    for file in web_dir.rglob("*"):
        if file.is_file() and file.name != BUILD_STAMP:
            key = file.relative_to(web_dir).as_posix()
            headers = (web_hosting.content_type(key), web_hosting.cache_control(key))
            by_headers.setdefault(headers, set()).add(f"*{file.suffix}" if file.suffix else key)
    groups = [UploadGroup(*headers, tuple(sorted(patterns))) for headers, patterns in by_headers.items()]
    return sorted(groups, key=lambda g: (g.cache_control == web_hosting.PAGE_CACHE_CONTROL, g.content_type))


def _listed(value: object) -> list[object]:
    return value if isinstance(value, list) else [] if value is None else [value]


def security_headers_behavior(headers: Mapping[str, str]) -> cloudfront.ResponseSecurityHeadersBehavior:
    """CloudFront's security-headers settings for exactly `headers`; a header it cannot express is an error.

    `override=False`: an origin's own header wins. The API's HTML pages (functions/api/pages.py) send their
    own stricter CSP (no script at all; Markdown tables' cell alignments by hash); S3 sends none, so the
    site's pages get these.
    """
    settings: dict[str, object] = {}
    for name, value in headers.items():
        match name.lower():
            case "content-security-policy":
                settings["content_security_policy"] = cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=value, override=False
                )
            case "strict-transport-security":
                settings["strict_transport_security"] = _strict_transport_security(value)
            case "x-content-type-options" if value == "nosniff":
                settings["content_type_options"] = cloudfront.ResponseHeadersContentTypeOptions(override=False)
            case "x-frame-options":
                settings["frame_options"] = cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption[value.upper()], override=False
                )
            case "referrer-policy":
                settings["referrer_policy"] = cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy[value.upper().replace("-", "_")],
                    override=False,
                )
            case _:
                raise ValueError(f"CloudFront's security headers cannot express {name}: {value}")
    return cloudfront.ResponseSecurityHeadersBehavior(**settings)  # type: ignore[arg-type]


def _strict_transport_security(value: str) -> cloudfront.ResponseHeadersStrictTransportSecurity:
    directives = [d.strip() for d in value.split(";") if d.strip()]
    max_age = next((d.removeprefix("max-age=") for d in directives if d.startswith("max-age=")), None)
    unknown = set(directives) - {f"max-age={max_age}", "includeSubDomains", "preload"}
    if max_age is None or not max_age.isdigit() or unknown:
        raise ValueError(f"CloudFront's security headers cannot express Strict-Transport-Security: {value}")
    return cloudfront.ResponseHeadersStrictTransportSecurity(
        access_control_max_age=Duration.seconds(int(max_age)),
        include_subdomains="includeSubDomains" in directives,
        preload="preload" in directives,
        override=False,
    )
