"""The API's edges: who is calling (Cognito claims) and which requests are refused before routing."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from functions.api.auth import Caller, Role, caller_from_claims
from functions.api.guard import check_request
from shared.errors import Forbidden, InvalidInput, PayloadTooLarge, Unauthorized, UnsupportedMediaType

AGENTS = frozenset({Role.AGENT, Role.SUPERVISOR})
SUPERVISORS = frozenset({Role.SUPERVISOR})
SUB = "5f3c1a7e-8d2b-4c4e-9a61-0c2d6f1b9e42"

# --- caller_from_claims --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "groups",
    [
        pytest.param(["agent", "supervisor"], id="list"),
        pytest.param("agent,supervisor", id="comma-separated"),
        pytest.param("[agent supervisor]", id="bracketed-space-separated"),
        pytest.param("[agent, supervisor]", id="bracketed-comma-separated"),
        pytest.param(" agent ,  supervisor ", id="extra-spaces"),
    ],
)
def test_groups_in_every_shape_cognito_sends_give_the_same_roles(groups: Any) -> None:
    caller = caller_from_claims({"sub": SUB, "cognito:groups": groups}, allowed=AGENTS)
    assert caller == Caller(agent_id=SUB, roles=frozenset({Role.AGENT, Role.SUPERVISOR}))


def test_caller_is_identified_by_the_sub_claim() -> None:
    caller = caller_from_claims({"sub": SUB, "cognito:groups": "agent", "email": "mari@tugi.example"}, allowed=AGENTS)
    assert caller.agent_id == SUB
    assert caller.roles == {Role.AGENT}


def test_groups_that_are_not_roles_are_ignored() -> None:
    caller = caller_from_claims({"sub": SUB, "cognito:groups": "billing,agent,admins"}, allowed=AGENTS)
    assert caller.roles == {Role.AGENT}


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param(None, id="no-claims"),
        pytest.param({}, id="empty-claims"),
        pytest.param({"cognito:groups": "agent"}, id="no-sub"),
        pytest.param({"sub": "", "cognito:groups": "agent"}, id="empty-sub"),
    ],
)
def test_caller_without_a_subject_is_unauthorized_401(claims: dict[str, Any] | None) -> None:
    with pytest.raises(Unauthorized) as caught:
        caller_from_claims(claims, allowed=AGENTS)
    assert caught.value.http_status == 401
    assert caught.value.instance_code == "unauthorized"


@pytest.mark.parametrize(
    ("groups", "allowed"),
    [
        pytest.param(None, AGENTS, id="no-groups-claim"),
        pytest.param([], AGENTS, id="empty-list"),
        pytest.param("", AGENTS, id="empty-string"),
        pytest.param("[]", AGENTS, id="empty-brackets"),
        pytest.param("billing,admins", AGENTS, id="only-unknown-groups"),
        pytest.param("Agent", AGENTS, id="wrong-case"),
        pytest.param(42, AGENTS, id="not-a-list-or-string"),
        pytest.param("agent", SUPERVISORS, id="agent-on-a-supervisor-route"),
    ],
)
def test_caller_without_an_allowed_group_is_forbidden_403(groups: Any, allowed: frozenset[Role]) -> None:
    with pytest.raises(Forbidden) as caught:
        caller_from_claims({"sub": SUB, "cognito:groups": groups}, allowed=allowed)
    assert caught.value.http_status == 403
    assert caught.value.instance_code == "forbidden"


def test_supervisor_may_use_a_supervisor_route() -> None:
    caller = caller_from_claims({"sub": SUB, "cognito:groups": ["supervisor"]}, allowed=SUPERVISORS)
    assert caller.roles == {Role.SUPERVISOR}


# --- check_request -------------------------------------------------------------------------------------------

LIMIT = 1_024


def request(
    method: str = "POST",
    body: str | None = '{"name": "Mari"}',
    headers: dict[str, str] | None = None,
    *,
    base64_encoded: bool = False,
) -> dict[str, Any]:
    return {
        "httpMethod": method,
        "body": body,
        "headers": {"Content-Type": "application/json"} if headers is None else headers,
        "isBase64Encoded": base64_encoded,
    }


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "DELETE", "get"])
def test_requests_without_a_body_method_pass_whatever_they_carry(method: str) -> None:
    event = request(method, body="x" * (LIMIT * 4), headers={"Content-Type": "text/plain"})
    assert check_request(event, max_bytes=LIMIT) is None


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "post"])
def test_json_body_within_the_limit_passes(method: str) -> None:
    assert check_request(request(method), max_bytes=LIMIT) is None


def test_body_of_exactly_the_limit_passes() -> None:
    body = json.dumps({"message": "x" * (LIMIT - 15)})
    assert len(body.encode()) == LIMIT
    assert check_request(request(body=body), max_bytes=LIMIT) is None


def test_body_over_the_limit_is_payload_too_large_413() -> None:
    body = json.dumps({"message": "x" * (LIMIT - 14)})
    error = check_request(request(body=body), max_bytes=LIMIT)
    assert isinstance(error, PayloadTooLarge)
    assert error.http_status == 413
    assert error.instance_code == "payload_too_large"


def test_body_size_is_measured_in_bytes_not_characters() -> None:
    body = json.dumps({"message": "õ" * 600}, ensure_ascii=False)
    assert len(body) < LIMIT < len(body.encode())
    assert isinstance(check_request(request(body=body), max_bytes=LIMIT), PayloadTooLarge)


def test_too_large_is_reported_before_the_content_type() -> None:
    event = request(body="x" * (LIMIT + 1), headers={"Content-Type": "text/plain"})
    assert isinstance(check_request(event, max_bytes=LIMIT), PayloadTooLarge)


@pytest.mark.parametrize("body", [None, ""])
def test_empty_body_passes_without_a_content_type(body: str | None) -> None:
    assert check_request(request(body=body, headers={}), max_bytes=LIMIT) is None


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8", " application/json "],
)
def test_json_content_type_with_or_without_parameters_passes(content_type: str) -> None:
    assert check_request(request(headers={"Content-Type": content_type}), max_bytes=LIMIT) is None


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Content-Type": "text/plain"}, id="text"),
        pytest.param({"Content-Type": "application/x-www-form-urlencoded"}, id="form"),
        pytest.param({"Content-Type": "multipart/form-data; boundary=x"}, id="multipart"),
        pytest.param({"Content-Type": "application/jsonp"}, id="json-look-alike"),
        pytest.param({"Content-Type": ""}, id="empty"),
        pytest.param({}, id="missing"),
    ],
)
def test_body_that_is_not_json_is_unsupported_media_type_415(headers: dict[str, str]) -> None:
    error = check_request(request(headers=headers), max_bytes=LIMIT)
    assert isinstance(error, UnsupportedMediaType)
    assert error.http_status == 415
    assert error.instance_code == "unsupported_media_type"


def test_missing_headers_object_is_unsupported_media_type() -> None:
    event = request()
    event["headers"] = None
    assert isinstance(check_request(event, max_bytes=LIMIT), UnsupportedMediaType)


@pytest.mark.parametrize("name", ["content-type", "Content-Type", "CONTENT-TYPE", "cOnTeNt-TyPe"])
def test_content_type_header_name_is_case_insensitive(name: str) -> None:
    assert check_request(request(headers={name: "application/json"}), max_bytes=LIMIT) is None


def test_base64_body_is_measured_decoded_so_it_may_be_larger_encoded() -> None:
    raw = json.dumps({"message": "x" * 900}).encode()
    encoded = base64.b64encode(raw).decode()
    assert len(raw) <= LIMIT < len(encoded)
    assert check_request(request(body=encoded, base64_encoded=True), max_bytes=LIMIT) is None


def test_base64_body_over_the_limit_when_decoded_is_too_large() -> None:
    encoded = base64.b64encode(b"x" * (LIMIT + 1)).decode()
    assert isinstance(check_request(request(body=encoded, base64_encoded=True), max_bytes=LIMIT), PayloadTooLarge)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=utf-16",
        "application/json; charset=latin-1",
        "application/json; charset=klingon",
        "Application/X-WWW-Form-Urlencoded; charset=utf-16",
        "application/json; charset*=us-ascii''utf-16",  # RFC 2231 spelling
    ],
)
def test_a_charset_we_cannot_decode_is_unsupported_media_type_415(content_type: str) -> None:
    error = check_request(request(headers={"Content-Type": content_type}), max_bytes=LIMIT)
    assert isinstance(error, UnsupportedMediaType)


@pytest.mark.parametrize("charset", ["=utf-8", "=UTF8", '="utf-8"', "=us-ascii", "*=us-ascii''utf-8"])
def test_utf_8_and_its_ascii_subset_pass(charset: str) -> None:
    assert (
        check_request(request(headers={"Content-Type": f"application/json; charset{charset}"}), max_bytes=LIMIT) is None
    )


def test_the_content_type_is_made_lower_case_for_the_body_parser() -> None:
    event = request(headers={"Content-Type": "APPLICATION/JSON; Charset=UTF-8"})
    event["multiValueHeaders"] = {"Content-Type": ["APPLICATION/JSON; Charset=UTF-8"]}
    assert check_request(event, max_bytes=LIMIT) is None
    assert event["headers"] == {"content-type": "application/json"}
    assert event["multiValueHeaders"] == {"content-type": ["application/json"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param('{"owner": "\\ud800"}', "owner", id="field"),
        pytest.param('{"a": {"b": ["ok", "x\\udfff"]}}', "a.b.1", id="nested"),
        pytest.param('{"\\ud800": 1}', "body", id="key"),
        pytest.param('"\\udc00"', "body", id="top-level"),
    ],
)
def test_a_lone_surrogate_anywhere_in_the_body_is_validation_failed_422(body: str, field: str) -> None:
    error = check_request(request(body=body), max_bytes=LIMIT)
    assert isinstance(error, InvalidInput)
    assert (error.http_status, error.instance_code) == (422, "validation_failed")
    assert [d["field"] for d in error.details] == [field]


def test_a_lone_surrogate_in_the_query_is_422_on_any_method() -> None:
    event = request("GET", body=None) | {"queryStringParameters": {"q": "card\ud800"}}
    error = check_request(event, max_bytes=LIMIT)
    assert isinstance(error, InvalidInput)
    assert error.details[0]["field"] == "q"


def test_paired_surrogates_are_text_and_pass() -> None:
    assert check_request(request(body='{"name": "\\ud83d\\ude00"}'), max_bytes=LIMIT) is None
