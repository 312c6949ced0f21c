from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks

from infra import web_hosting
from infra.constructs.web import DEPLOYMENT_HANDLER_PREFIX, WebConstruct, security_headers_behavior, upload_groups
from infra.stacks.tugi_stack import TugiStack
from tests.infra.cfn import Resources, logical_id_of, of_type, only

ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]


@pytest.fixture(scope="module")
def distribution(resources: Resources) -> dict[str, Any]:
    _, resource = only(resources, "AWS::CloudFront::Distribution")
    config: dict[str, Any] = resource["Properties"]["DistributionConfig"]
    return config


@pytest.fixture(scope="module")
def api_behavior(distribution: dict[str, Any]) -> dict[str, Any]:
    (behavior,) = distribution["CacheBehaviors"]
    assert behavior["PathPattern"] == "/v1/*"
    return dict(behavior)


def _origin(distribution: dict[str, Any], behavior: dict[str, Any]) -> dict[str, Any]:
    (origin,) = [o for o in distribution["Origins"] if o["Id"] == behavior["TargetOriginId"]]
    return dict(origin)


def _url_parts(node: Any) -> list[Any]:
    """The parts of the `Fn::Join` a RestApiOrigin splits its host name and origin path from."""
    if isinstance(node, dict):
        if "Fn::Join" in node:
            return [part for item in node["Fn::Join"][1] for part in [item, *_url_parts(item)]]
        return [part for value in node.values() for part in _url_parts(value)]
    if isinstance(node, list):
        return [part for item in node for part in _url_parts(item)]
    return []


def _site_bucket(resources: Resources) -> str:
    return logical_id_of(resources, "AWS::S3::Bucket", "WebSiteBucket")


def _deployments(resources: Resources) -> dict[str, dict[str, Any]]:
    return dict(of_type(resources, "Custom::CDKBucketDeployment"))


def test_site_bucket_is_private_and_only_the_distribution_may_read_and_list_it(resources: Resources) -> None:
    bucket = _site_bucket(resources)
    properties = resources[bucket]["Properties"]
    assert set(properties["PublicAccessBlockConfiguration"].values()) == {True}
    assert properties["LoggingConfiguration"]["LogFilePrefix"] == "web/"
    (policy,) = [
        p for _, p in of_type(resources, "AWS::S3::BucketPolicy") if p["Properties"]["Bucket"] == {"Ref": bucket}
    ]
    allowed = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    (statement,) = allowed
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    # Listing lets S3 answer a missing page with 404 instead of 403.
    assert sorted(statement["Action"]) == ["s3:GetObject", "s3:ListBucket"]
    source_arn = statement["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Join"][1]
    distribution_id, _ = only(resources, "AWS::CloudFront::Distribution")
    assert {"Ref": distribution_id} in source_arn
    assert ":distribution/" in source_arn


def test_pages_come_from_the_bucket_through_origin_access_control(
    resources: Resources, distribution: dict[str, Any]
) -> None:
    origin = _origin(distribution, distribution["DefaultCacheBehavior"])
    assert origin["DomainName"] == {"Fn::GetAtt": [_site_bucket(resources), "RegionalDomainName"]}
    access_control, _ = only(resources, "AWS::CloudFront::OriginAccessControl")
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [access_control, "Id"]}
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""


def test_a_folder_path_is_its_index_page_by_the_web_hosting_function(
    resources: Resources, distribution: dict[str, Any]
) -> None:
    assert distribution["DefaultRootObject"] == "index.html"
    function_id, function = only(resources, "AWS::CloudFront::Function")
    assert function["Properties"]["FunctionCode"] == web_hosting.INDEX_FUNCTION_CODE
    assert function["Properties"]["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert distribution["DefaultCacheBehavior"]["FunctionAssociations"] == [
        {"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": [function_id, "FunctionARN"]}}
    ]


def test_api_paths_reach_the_rest_api_uncached_with_the_viewers_query_headers_and_cookies(
    resources: Resources, distribution: dict[str, Any], api_behavior: dict[str, Any]
) -> None:
    origin = _origin(distribution, api_behavior)
    rest_api = logical_id_of(resources, "AWS::ApiGateway::RestApi", "RestApi")
    stage = logical_id_of(resources, "AWS::ApiGateway::Stage", "Stage")
    # The stage's URL split into host name and `/prod` path.
    assert {"Ref": rest_api} in _url_parts(origin["DomainName"])
    assert {"Ref": stage} in _url_parts(origin["OriginPath"])
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    assert api_behavior["CachePolicyId"] == cloudfront.CachePolicy.CACHING_DISABLED.cache_policy_id
    assert (
        api_behavior["OriginRequestPolicyId"]
        == cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.origin_request_policy_id
    )
    assert sorted(api_behavior["AllowedMethods"]) == sorted(ALL_METHODS)


def test_viewers_are_redirected_to_https_on_pages_and_api(
    distribution: dict[str, Any], api_behavior: dict[str, Any]
) -> None:
    assert distribution["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert api_behavior["ViewerProtocolPolicy"] == "redirect-to-https"


def test_pages_and_api_answers_carry_the_web_hosting_security_headers(
    resources: Resources, distribution: dict[str, Any], api_behavior: dict[str, Any]
) -> None:
    policy_id, policy = only(resources, "AWS::CloudFront::ResponseHeadersPolicy")
    assert distribution["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": policy_id}
    assert api_behavior["ResponseHeadersPolicyId"] == {"Ref": policy_id}
    config = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert config["ContentSecurityPolicy"]["ContentSecurityPolicy"] == web_hosting.CONTENT_SECURITY_POLICY
    hsts = config["StrictTransportSecurity"]
    expected_hsts = web_hosting.SECURITY_HEADERS["Strict-Transport-Security"]
    assert f"max-age={hsts['AccessControlMaxAgeSec']}; includeSubDomains" == expected_hsts
    assert hsts["IncludeSubdomains"] is True
    assert "ContentTypeOptions" in config
    assert config["FrameOptions"]["FrameOption"] == web_hosting.SECURITY_HEADERS["X-Frame-Options"]
    assert config["ReferrerPolicy"]["ReferrerPolicy"] == web_hosting.SECURITY_HEADERS["Referrer-Policy"]


def test_the_apis_own_headers_win_so_its_html_pages_keep_their_csp(resources: Resources) -> None:
    _, policy = only(resources, "AWS::CloudFront::ResponseHeadersPolicy")
    config = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert {name: header["Override"] for name, header in config.items()} == dict.fromkeys(config, False)


def test_the_apis_403_and_404_reach_the_client_unreplaced(distribution: dict[str, Any]) -> None:
    assert "CustomErrorResponses" not in distribution


def test_deploy_uploads_build_web_with_web_hosting_headers_and_then_invalidates_everything(
    resources: Resources,
) -> None:
    deployments = _deployments(resources)
    groups = upload_groups(web_hosting.WEB_ROOT)
    assert [d["Properties"]["Include"] for d in deployments.values()] == [list(g.patterns) for g in groups]
    for deployment, group in zip(deployments.values(), groups, strict=True):
        properties = deployment["Properties"]
        assert properties["Exclude"] == ["*"]
        assert properties["Prune"] is True
        assert properties["SystemMetadata"] == {
            "cache-control": group.cache_control,
            "content-type": group.content_type,
        }
    *earlier, (_, pages) = deployments.items()
    assert pages["Properties"]["Include"] == ["*.html"]
    assert pages["Properties"]["DistributionPaths"] == ["/*"]
    distribution_id, _ = only(resources, "AWS::CloudFront::Distribution")
    assert pages["Properties"]["DistributionId"] == {"Ref": distribution_id}
    assert {logical_id for logical_id, _ in earlier} <= set(pages["DependsOn"])
    assert all("DistributionPaths" not in d["Properties"] for _, d in earlier)


def test_the_deployments_share_one_aws_cli_layer_the_handler_uses(resources: Resources) -> None:
    (layer,) = [
        logical_id for logical_id, _ in of_type(resources, "AWS::Lambda::LayerVersion") if "AwsCli" in logical_id
    ]
    handler = logical_id_of(resources, "AWS::Lambda::Function", "CDKBucketDeployment")
    assert resources[handler]["Properties"]["Layers"] == [{"Ref": layer}]


def test_upload_groups_give_each_file_its_local_content_type_and_cache_control(tmp_path: Path) -> None:
    site = ["index.html", "404.html", "console/index.html", "assets/portal.js", "assets/portal.css", "logo", ".built"]
    for name in site:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    groups = {group.patterns: (group.content_type, group.cache_control) for group in upload_groups(tmp_path)}
    assert groups == {
        ("*.css",): (web_hosting.content_type("a.css"), web_hosting.ASSET_CACHE_CONTROL),
        ("*.js",): (web_hosting.content_type("a.js"), web_hosting.ASSET_CACHE_CONTROL),
        ("logo",): ("application/octet-stream", web_hosting.ASSET_CACHE_CONTROL),
        ("*.html",): (web_hosting.content_type("a.html"), web_hosting.PAGE_CACHE_CONTROL),
    }
    assert list(groups)[-1] == ("*.html",)


def test_outputs_give_the_portal_and_console_urls(template: Template, resources: Resources) -> None:
    distribution_id, _ = only(resources, "AWS::CloudFront::Distribution")
    outputs = {key: output for key, output in template.to_json()["Outputs"].items() if key.startswith("Web")}
    values = {key.removeprefix("Web").rstrip("0123456789ABCDEF"): output["Value"] for key, output in outputs.items()}
    domain = {"Fn::GetAtt": [distribution_id, "DomainName"]}
    assert values["PortalUrl"] == {"Fn::Join": ["", ["https://", domain, "/"]]}
    assert values["ConsoleUrl"] == {"Fn::Join": ["", ["https://", domain, "/console/"]]}


def test_web_construct_and_its_deployment_handler_have_no_unacknowledged_findings(stack: TugiStack) -> None:
    scopes = [stack.node.find_child("Web")]
    scopes += [c for c in stack.node.children if c.node.id.startswith(DEPLOYMENT_HANDLER_PREFIX)]
    findings = [
        f"{violation.rule_name}: {resource.construct_path}"
        for scope in scopes
        for violation in AwsSolutionsChecks().validate_scope(scope).violations
        for resource in violation.violating_resources
    ]
    assert len(scopes) == 2
    assert findings == []


def test_web_construct_synthesises_without_warnings(stack: TugiStack) -> None:
    warnings = Annotations.from_stack(stack).find_warning("*", Match.any_value())
    assert [warning.entry.data for warning in warnings if warning.id.startswith("/Tugi/Web/")] == []


def test_a_missing_build_web_says_to_run_make_web(tmp_path: Path) -> None:
    stack = Stack(App(), "Site")
    api = apigw.RestApi(stack, "Api")
    api.root.add_method("GET")
    with pytest.raises(FileNotFoundError, match=r"make web"):
        WebConstruct(
            stack, "Web", asset_dir=tmp_path / "web", access_logs_bucket=s3.Bucket(stack, "Logs"), rest_api=api
        )


def test_a_security_header_cloudfront_cannot_express_stops_synth() -> None:
    with pytest.raises(ValueError, match="Permissions-Policy"):
        security_headers_behavior({"Permissions-Policy": "camera=()"})
    with pytest.raises(ValueError, match="Strict-Transport-Security"):
        security_headers_behavior({"Strict-Transport-Security": "includeSubDomains"})
