"""The OpenAPI document describes the answers: every success model, every error in the one error shape."""

from __future__ import annotations

import pytest

from infra.local.platform import EmbeddedPlatform
from tests.integration.helpers import submit
from tests.integration.openapi_contract import BODY_METHODS, Operation, document, operation, operations, problems

ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorResponse"}


@pytest.mark.parametrize("op", operations(), ids=str)
def test_every_operation_documents_its_success(op: Operation) -> None:
    successes = {status: answer for status, answer in op.spec["responses"].items() if status.startswith("2")}

    assert successes, f"{op} documents no 2xx answer"
    for status, answer in successes.items():
        if status != "204":
            assert answer.get("content"), f"{op} {status} documents no body"
            assert all(media.get("schema") for media in answer["content"].values()), f"{op} {status}: no schema"


@pytest.mark.parametrize("op", operations(), ids=str)
def test_every_error_is_documented_in_the_one_error_shape(op: Operation) -> None:
    gateway = {429} | ({401, 403} if op.agent else set()) | ({400, 413, 415} if op.method in BODY_METHODS else set())

    assert gateway <= op.statuses, f"{op} leaves out {sorted(gateway - op.statuses)}"
    for status, answer in op.spec["responses"].items():
        if int(status) >= 400:
            assert answer["content"]["application/json"]["schema"] == ERROR_SCHEMA, f"{op} {status}"


def test_validation_errors_are_no_longer_in_powertools_shape() -> None:
    assert "HTTPValidationError" not in document()["components"]["schemas"]
    assert "422" not in operation("GET", "/v1/health").spec["responses"]


def test_the_rules_a_request_must_follow_are_in_the_document() -> None:
    form = document()["components"]["schemas"]["SubmitContactRequest"]
    find = operation("GET", "/v1/customers").spec
    search_locale = next(p for p in operation("GET", "/v1/kb/search").spec["parameters"] if p["name"] == "locale")

    assert {tuple(alternative["required"]) for alternative in form["anyOf"]} == {("email",), ("phone",)}
    assert "identity_required" in find["description"]
    assert "unsupported_locale" in search_locale["description"]


def test_error_details_have_the_documented_shape(platform: EmbeddedPlatform, agent_token: str) -> None:
    supervisor = platform.token("supervisor")
    one = "/v1/kb/articles/{article_id}/{locale}"
    french = platform.api("PUT", "/v1/kb/articles/card_lost/fr", json_body={"title": "Carte"}, token=agent_token)
    article = {"title": "Lost card", "short_answer": "Block it in the app.", "body": "Open the app."}
    created = platform.api("PUT", "/v1/kb/articles/card_lost/en", json_body=article, token=supervisor)
    stale = platform.api(
        "PUT", "/v1/kb/articles/card_lost/en", json_body=article | {"base_version": 0}, token=supervisor
    )

    assert (french.status, created.status, stale.status) == (422, 201, 409)
    assert problems(operation("PUT", one), french) == []
    assert problems(operation("PUT", one), created) == []
    assert problems(operation("PUT", one), stale) == []
    assert {d["message"] for d in french.json()["error"]["details"]} == {"en", "et"}


def test_the_web_form_and_a_case_read_by_its_reference_answer_as_documented(
    platform: EmbeddedPlatform, agent_token: str
) -> None:
    accepted = platform.api(
        "POST",
        "/v1/contacts",
        json_body={"name": "Mari", "email": "mari@example.ee", "subject": "Card", "message": "Where is it?"},
    )
    case = platform.api("GET", f"/v1/cases/{submit(platform)['reference']}", token=agent_token)

    assert problems(operation("POST", "/v1/contacts"), accepted) == []
    assert problems(operation("GET", "/v1/cases/{case_id}"), case) == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/v1/agents/me", {"available": 0}),
        ("PATCH", "/v1/customers/cus_x", {"vip": "yes"}),
        ("PATCH", "/v1/cases/case_x", {"version": "1"}),
        ("PATCH", "/v1/cases/case_x", {"version": True}),
        ("POST", "/v1/kb/articles/card_lost/en/publish", {"version": 1.0}),
        ("POST", "/v1/kb/reindex", {"locale": "en", "limit": "5"}),
    ],
)
def test_a_body_value_of_another_json_type_than_documented_is_refused(
    platform: EmbeddedPlatform, method: str, path: str, body: dict[str, object]
) -> None:
    """`0` is no boolean and `"1"` no integer in the document; the API reads them as it says."""
    response = platform.api(method, path, json_body=body, token=platform.token("supervisor"))

    assert response.status == 422, response.body
    assert response.json()["error"]["code"] == "validation_failed"
