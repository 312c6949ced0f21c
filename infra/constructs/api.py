"""ApiConstruct: the REST API (stage `prod`, routes under `/v1`) in front of the two API functions."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.gateway import AGENT_RESOURCES, BINARY_MEDIA_TYPES, GATEWAY_RESPONSES
from infra.nag import acknowledge

STAGE_NAME = "prod"
PUBLIC_BY_DESIGN = (
    "Public by design: anyone may submit the contact form, read the OpenAPI document, search and rate the"
    " published knowledge base, or answer the auto-answer whose unguessable link they were emailed."
)


@dataclass(frozen=True)
class Throttle:
    """Steady requests per second and the burst above it."""

    rate: int
    burst: int


class ApiConstruct(Construct):
    """Public routes without an authorizer, agent routes behind the Cognito user pool."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        public_function: lambda_.IFunction,
        agent_function: lambda_.IFunction,
        user_pool: cognito.IUserPool,
        stage_throttle: Throttle,
        contact_throttle: Throttle,
    ) -> None:
        super().__init__(scope, construct_id)
        access_logs = logs.LogGroup(self, "AccessLogs", retention=logs.RetentionDays.ONE_MONTH)
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            description="Tugi contact center API",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            binary_media_types=list(BINARY_MEDIA_TYPES),
            # API Gateway writes logs through one role per account and region; this sets it.
            cloud_watch_role=True,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # full request logging would put personal data in logs
                throttling_rate_limit=stage_throttle.rate,
                throttling_burst_limit=stage_throttle.burst,
                method_options={
                    # A method override starts from scratch: repeat the logging settings.
                    "/v1/contacts/POST": apigw.MethodDeploymentOptions(
                        throttling_rate_limit=contact_throttle.rate,
                        throttling_burst_limit=contact_throttle.burst,
                        metrics_enabled=True,
                        logging_level=apigw.MethodLoggingLevel.ERROR,
                        data_trace_enabled=False,
                    )
                },
            ),
        )
        self._acknowledge_api_findings()
        self._add_gateway_responses()
        v1 = self.rest_api.root.add_resource("v1")
        public, agent = apigw.LambdaIntegration(public_function), apigw.LambdaIntegration(agent_function)
        authorizer = apigw.CognitoUserPoolsAuthorizer(self, "AgentAuthorizer", cognito_user_pools=[user_pool])
        self._agent_only = apigw.MethodOptions(
            authorizer=authorizer, authorization_type=apigw.AuthorizationType.COGNITO
        )
        self._add_public_routes(v1, public)
        self._add_agent_routes(v1, agent)
        self._add_knowledge_base_routes(v1.add_resource("kb"), public, agent)

    def _add_public_routes(self, v1: apigw.IResource, integration: apigw.LambdaIntegration) -> None:
        contacts = v1.add_resource("contacts").add_method("POST", integration)
        openapi = v1.add_resource("openapi.json").add_method("GET", integration)
        health = v1.add_resource("health").add_method("GET", integration)
        answer = v1.add_resource("answers").add_resource("{answer_id}")
        verdicts = [
            answer.add_resource(verdict).add_method("POST", integration) for verdict in ("solved", "not-solved")
        ]
        for method in (contacts, openapi, health, answer.add_method("GET", integration), *verdicts):
            acknowledge(method, "APIG4", PUBLIC_BY_DESIGN)
            acknowledge(method, "COG4", PUBLIC_BY_DESIGN)

    def _add_agent_routes(self, v1: apigw.IResource, integration: apigw.LambdaIntegration) -> None:
        for name in AGENT_RESOURCES:
            resource = v1.add_resource(name)
            resource.add_method("ANY", integration, **self._agent_options())
            resource.add_proxy(
                default_integration=integration, default_method_options=self._agent_only, any_method=True
            )

    def _add_knowledge_base_routes(
        self, kb: apigw.IResource, public: apigw.LambdaIntegration, agent: apigw.LambdaIntegration
    ) -> None:
        """Customers search and read published articles and rate them; agents write them.

        Under /v1/kb/articles/{article_id}, `feedback` (customers) and `{locale}` (editors) are siblings:
        API Gateway matches the fixed segment first.
        """
        articles = kb.add_resource("articles")
        article = articles.add_resource("{article_id}")
        customer_methods = [
            kb.add_resource("search").add_method("GET", public),
            kb.add_resource("suggest").add_method("GET", public),
            article.add_method("GET", public),
            article.add_resource("feedback").add_method("POST", public),
        ]
        for method in customer_methods:
            acknowledge(method, "APIG4", PUBLIC_BY_DESIGN)
            acknowledge(method, "COG4", PUBLIC_BY_DESIGN)
        articles.add_method("GET", agent, **self._agent_options())
        kb.add_resource("reindex").add_method("POST", agent, **self._agent_options())
        translation = article.add_resource("{locale}")
        translation.add_method("ANY", agent, **self._agent_options())
        translation.add_proxy(default_integration=agent, default_method_options=self._agent_only, any_method=True)

    def _add_gateway_responses(self) -> None:
        """API Gateway's own refusals (no route, no token, throttled, ...) in the error shape of the functions."""
        for response in GATEWAY_RESPONSES:
            self.rest_api.add_gateway_response(
                response.response_type.title().replace("_", ""),
                type=apigw.ResponseType.of(response.response_type),
                status_code=str(response.status) if response.status is not None else None,
                templates={"application/json": response.template()},
            )

    def _agent_options(self) -> dict[str, object]:
        return {
            "authorizer": self._agent_only.authorizer,
            "authorization_type": apigw.AuthorizationType.COGNITO,
        }

    def _acknowledge_api_findings(self) -> None:
        acknowledge(
            self.rest_api,
            "APIG3",
            "No WAF yet: the one unauthenticated write (POST /v1/contacts) has its own stricter method "
            "throttle; a web ACL is a monthly cost to add when abuse shows up.",
        )
        acknowledge(
            self.rest_api,
            "APIG2",
            "Requests are validated in the functions (Powertools + pydantic): refusals then carry Tugi's "
            "error body and refused web-form input is kept under rejected/; a gateway validator would do neither.",
        )
        acknowledge(
            self.rest_api,
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "The AWS-managed policy is the documented one for API Gateway's account-level logging role.",
        )
