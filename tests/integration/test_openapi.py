"""The OpenAPI document: generated from the routes, served by the API, committed without drift."""

from __future__ import annotations

import json

from functions.api.openapi import openapi_document
from infra.local.platform import EmbeddedPlatform
from tests.conftest import REPO


def test_committed_openapi_document_matches_the_routes() -> None:
    committed = json.loads((REPO / "docs" / "openapi.json").read_text())

    assert committed == json.loads(openapi_document()), "run `make openapi` and commit docs/openapi.json"


def test_openapi_document_is_served_and_lists_every_route(platform: EmbeddedPlatform) -> None:
    response = platform.api("GET", "/v1/openapi.json")

    assert response.status == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert {
        "/v1/contacts",
        "/v1/cases",
        "/v1/cases/{case_id}",
        "/v1/cases/{case_id}/notes",
        "/v1/cases/{case_id}/replies",
        "/v1/customers",
        "/v1/customers/{customer_id}",
        "/v1/customers/{customer_id}/timeline",
        "/v1/customers/{customer_id}/merge",
        "/v1/customers/{customer_id}/unmerge",
    } <= set(document["paths"])
    assert "security" not in document["paths"]["/v1/contacts"]["post"]
    assert document["paths"]["/v1/cases"]["get"]["security"] == [{"cognito": []}]
    error = document["paths"]["/v1/cases/{case_id}"]["patch"]["responses"]["409"]["content"]["application/json"]
    assert error["schema"]["$ref"].endswith("/ErrorResponse")
