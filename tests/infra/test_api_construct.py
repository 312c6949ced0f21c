import json
from typing import Any

import pytest

from infra.build_lambda import REPO_ROOT
from tests.infra.cfn import Resources, api_routes, logical_id_of, of_type, only

AGENT_ROUTES = [
    ("ANY", "/v1/cases"),
    ("ANY", "/v1/cases/{proxy+}"),
    ("ANY", "/v1/customers"),
    ("ANY", "/v1/customers/{proxy+}"),
    ("ANY", "/v1/agents"),
    ("ANY", "/v1/agents/{proxy+}"),
    ("ANY", "/v1/reports"),
    ("ANY", "/v1/reports/{proxy+}"),
    ("GET", "/v1/kb/articles"),
    ("POST", "/v1/kb/reindex"),
    ("ANY", "/v1/kb/articles/{article_id}/{locale}"),
    ("ANY", "/v1/kb/articles/{article_id}/{locale}/{proxy+}"),
]
PUBLIC_ROUTES = [
    ("POST", "/v1/contacts"),
    ("GET", "/v1/openapi.json"),
    ("GET", "/v1/health"),
    ("GET", "/v1/answers/{answer_id}"),
    ("POST", "/v1/answers/{answer_id}/solved"),
    ("POST", "/v1/answers/{answer_id}/not-solved"),
    ("GET", "/v1/kb/search"),
    ("GET", "/v1/kb/suggest"),
    ("GET", "/v1/kb/articles/{article_id}"),
    ("POST", "/v1/kb/articles/{article_id}/feedback"),
]


@pytest.fixture(scope="module")
def routes(resources: Resources) -> dict[tuple[str, str], dict[str, Any]]:
    return api_routes(resources)


def _integrated_function(route: dict[str, Any]) -> str:
    """The logical id of the Lambda a proxy integration invokes."""
    parts = route["Integration"]["Uri"]["Fn::Join"][1]
    (function,) = [p["Fn::GetAtt"][0] for p in parts if isinstance(p, dict) and "Fn::GetAtt" in p]
    return function


def test_api_has_exactly_the_public_and_agent_routes(routes: dict[tuple[str, str], dict[str, Any]]) -> None:
    assert set(routes) == set(AGENT_ROUTES + PUBLIC_ROUTES)


@pytest.mark.parametrize("route", AGENT_ROUTES)
def test_agent_routes_need_a_cognito_token_and_reach_the_agent_function(
    resources: Resources, routes: dict[tuple[str, str], dict[str, Any]], route: tuple[str, str]
) -> None:
    authorizer_id, authorizer = only(resources, "AWS::ApiGateway::Authorizer")
    pool = logical_id_of(resources, "AWS::Cognito::UserPool", "AgentPool")
    assert authorizer["Properties"]["Type"] == "COGNITO_USER_POOLS"
    assert authorizer["Properties"]["ProviderARNs"] == [{"Fn::GetAtt": [pool, "Arn"]}]
    method = routes[route]
    assert method["AuthorizationType"] == "COGNITO_USER_POOLS"
    assert method["AuthorizerId"] == {"Ref": authorizer_id}
    assert method["Integration"]["Type"] == "AWS_PROXY"
    assert _integrated_function(method) == logical_id_of(resources, "AWS::Lambda::Function", "AgentApiFunction")


@pytest.mark.parametrize("route", PUBLIC_ROUTES)
def test_public_routes_have_no_authorizer_and_reach_the_public_function(
    resources: Resources, routes: dict[tuple[str, str], dict[str, Any]], route: tuple[str, str]
) -> None:
    method = routes[route]
    assert method["AuthorizationType"] == "NONE"
    assert "AuthorizerId" not in method
    assert method["Integration"]["Type"] == "AWS_PROXY"
    assert _integrated_function(method) == logical_id_of(resources, "AWS::Lambda::Function", "PublicApiFunction")


def test_requests_reach_the_functions_unvalidated_so_refusals_keep_tugis_error_body(resources: Resources) -> None:
    assert list(of_type(resources, "AWS::ApiGateway::RequestValidator")) == []
    assert list(of_type(resources, "AWS::ApiGateway::Model")) == []


def test_prod_stage_is_traced_access_logged_and_throttled(resources: Resources) -> None:
    _, stage = only(resources, "AWS::ApiGateway::Stage")
    properties = stage["Properties"]
    assert properties["StageName"] == "prod"
    assert properties["TracingEnabled"] is True
    assert "DestinationArn" in properties["AccessLogSetting"]
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in properties["MethodSettings"]}
    stage_wide = settings[("/*", "*")]
    assert (stage_wide["ThrottlingRateLimit"], stage_wide["ThrottlingBurstLimit"]) == (50, 100)
    assert stage_wide["LoggingLevel"] == "ERROR"
    assert stage_wide["DataTraceEnabled"] is False


def test_contact_form_has_a_stricter_throttle_than_the_stage(resources: Resources) -> None:
    _, stage = only(resources, "AWS::ApiGateway::Stage")
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in stage["Properties"]["MethodSettings"]}
    contacts = settings[("/~1v1~1contacts", "POST")]
    assert (contacts["ThrottlingRateLimit"], contacts["ThrottlingBurstLimit"]) == (5, 10)
    assert contacts["LoggingLevel"] == "ERROR"


def test_every_documented_operation_is_routed_by_api_gateway_with_its_authorization(
    routes: dict[tuple[str, str], dict[str, Any]],
) -> None:
    """docs/openapi.json is generated from the handlers' routes: API Gateway must let each one through, behind
    the Cognito authorizer exactly when the operation declares a security requirement (agent routes)."""
    document = json.loads((REPO_ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    proxies = {
        path.removesuffix("/{proxy+}"): route for (_, path), route in routes.items() if path.endswith("{proxy+}")
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            route = routes.get((method.upper(), path)) or routes.get(("ANY", path))
            if route is None:
                route = next((r for prefix, r in proxies.items() if path.startswith(f"{prefix}/")), None)
            assert route is not None, f"{method.upper()} {path} is served by a handler but not routed by API Gateway"
            wanted = "COGNITO_USER_POOLS" if operation.get("security") else "NONE"
            assert route["AuthorizationType"] == wanted, f"{method.upper()} {path}"


def _filled(template: str, *, request_id: str, message: str) -> Any:
    """A gateway response template as API Gateway fills it in."""
    return json.loads(
        template.replace("$context.requestId", request_id).replace("$context.error.messageString", json.dumps(message))
    )


@pytest.mark.parametrize(
    ("response_type", "status", "code"),
    [
        ("MISSING_AUTHENTICATION_TOKEN", "404", "route_not_found"),
        ("UNAUTHORIZED", "401", "unauthorized"),
        ("ACCESS_DENIED", "403", "forbidden"),
        ("REQUEST_TOO_LARGE", "413", "payload_too_large"),
        ("THROTTLED", "429", "rate_limited"),
        ("DEFAULT_4XX", None, "request_refused"),
        ("DEFAULT_5XX", None, "unavailable"),
    ],
)
def test_api_gateway_answers_its_own_refusals_in_the_error_shape(
    resources: Resources, response_type: str, status: str | None, code: str
) -> None:
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for _, r in of_type(resources, "AWS::ApiGateway::GatewayResponse")
    }
    response = responses[response_type]
    assert response.get("StatusCode") == status
    body = _filled(response["ResponseTemplates"]["application/json"], request_id="req-1", message="Forbidden")
    assert body["error"]["code"] == code
    assert body["error"]["request_id"] == "req-1"
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]


def test_every_body_reaches_the_functions_as_sent_bytes(resources: Resources) -> None:
    _, api = only(resources, "AWS::ApiGateway::RestApi")
    assert api["Properties"]["BinaryMediaTypes"] == ["*/*"]
