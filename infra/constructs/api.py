"""ApiConstruct: the REST API (stage `prod`, routes under `/v1`) in front of the two API functions."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.nag import acknowledge

STAGE_NAME = "prod"
AGENT_RESOURCES = ("cases", "customers", "agents")
PUBLIC_BY_DESIGN = (
    "Public by design: anyone may submit the contact form, read the OpenAPI document, or answer the"
    " auto-answer whose unguessable link they were emailed."
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
        v1 = self.rest_api.root.add_resource("v1")
        self._add_public_routes(v1, apigw.LambdaIntegration(public_function))
        self._add_agent_routes(v1, apigw.LambdaIntegration(agent_function), user_pool)

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

    def _add_agent_routes(
        self, v1: apigw.IResource, integration: apigw.LambdaIntegration, user_pool: cognito.IUserPool
    ) -> None:
        authorizer = apigw.CognitoUserPoolsAuthorizer(self, "AgentAuthorizer", cognito_user_pools=[user_pool])
        agent_only = apigw.MethodOptions(authorizer=authorizer, authorization_type=apigw.AuthorizationType.COGNITO)
        for name in AGENT_RESOURCES:
            resource = v1.add_resource(name)
            resource.add_method(
                "ANY", integration, authorizer=authorizer, authorization_type=apigw.AuthorizationType.COGNITO
            )
            resource.add_proxy(default_integration=integration, default_method_options=agent_only, any_method=True)

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
