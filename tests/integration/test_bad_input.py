"""The bad-input table: every route with a body or a query, from the OpenAPI document, fed what a careless client or
a careful attacker sends. Nothing may be a 5xx, and every refusal is in the one error shape."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from functions.api.openapi import openapi_document
from infra.local.platform import ApiResponse, EmbeddedPlatform
from infra.local.seed import platform_sender, seed_knowledge_base

LONG = "x" * 100_000


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # the template, e.g. /v1/cases/{case_id}
    agent: bool
    schema: dict[str, Any] | None  # the JSON body's schema, resolved
    query: dict[str, dict[str, Any]]  # name → schema


@dataclass(frozen=True)
class Case:
    name: str
    body: bytes | None = None
    content_type: str | None = "application/json"
    query: dict[str, str] | None = None
    status: int | None = None  # the one status it must get, when it is certain
    code: str | None = None


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return _resolve(components[ref.rsplit("/", 1)[1]], components) if ref else schema


def _routes() -> list[Route]:
    document = json.loads(openapi_document())
    components = document["components"]["schemas"]
    routes = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            query = {p["name"]: p.get("schema", {}) for p in operation.get("parameters", []) if p["in"] == "query"}
            if content is None and not query:
                continue
            schema = _resolve(content["schema"], components) if content else None
            routes.append(Route(method.upper(), path, bool(operation.get("security")), schema, query))
    return routes


ROUTES = _routes()


def _types(schema: dict[str, Any]) -> set[str]:
    options = schema.get("anyOf", [schema])
    return {option.get("type", "object") for option in options}


def _valid_looking(schema: dict[str, Any]) -> dict[str, Any]:
    """A body with a plausible value per property (not always valid: the table only needs a starting point)."""
    values: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        types = _types(prop)
        if "integer" in types:
            values[name] = 1
        elif "boolean" in types:
            values[name] = True
        elif "string" in types:
            values[name] = "mari@example.ee" if name == "email" else "en" if name == "locale" else "text"
    return values


def _string_fields(schema: dict[str, Any]) -> list[str]:
    return [name for name, prop in schema.get("properties", {}).items() if "string" in _types(prop)]


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _body_cases(schema: dict[str, Any]) -> Iterator[Case]:
    base = _valid_looking(schema)
    yield Case("malformed JSON", b'{"text": "unclosed', status=400, code="malformed_request")
    yield Case("not an object", b"[1, 2, 3]")
    yield Case("missing fields", b"{}")
    yield Case("wrong types", _json({name: {"nested": [1]} for name in schema.get("properties", {})}))
    yield Case("unknown field", _json(base | {"is_admin": True}))
    yield Case("invalid UTF-8", b'{"text": "\xff\xfe"}', status=400, code="malformed_request")
    yield Case("deep nesting", b"[" * 100_000 + b"]" * 100_000, status=400, code="malformed_request")
    yield Case("nested 500 deep", _json(base | {"x": json.loads("[" * 500 + "]" * 500)}))
    yield Case("text/plain", _json(base), "text/plain", status=415, code="unsupported_media_type")
    yield Case("no media type", _json(base), None, status=415, code="unsupported_media_type")
    yield Case("charset utf-16", _json(base), "application/json; charset=utf-16", status=415)
    yield Case("utf-16 body", json.dumps(base).encode("utf-16"), "application/json; charset=utf-16", status=415)
    for field in _string_fields(schema):
        yield Case(
            f"lone surrogate in {field}",
            json.dumps(base | {field: "a\ud800b"}).encode(),
            status=422,
            code="validation_failed",
        )
        yield Case(f"NUL in {field}", _json(base | {field: "a\u0000b"}))
        yield Case(f"very long {field}", _json(base | {field: LONG}))


def _query_cases(query: dict[str, dict[str, Any]]) -> Iterator[Case]:
    for name in query:
        yield Case(f"lone surrogate in ?{name}", query={name: "\ud800"}, status=422, code="validation_failed")
        yield Case(f"NUL in ?{name}", query={name: "a\u0000b"})
        yield Case(f"very long ?{name}", query={name: "x" * 10_000})
        yield Case(f"wrong type ?{name}", query={name: "[]{}"})
        yield Case(f"U+FFFD in ?{name}", query={name: "\ufffd"})


def _cases(route: Route) -> Iterator[Case]:
    if route.schema is not None:
        yield from _body_cases(route.schema)
    yield from _query_cases(route.query)


@pytest.fixture(scope="module")
def platform() -> Iterator[EmbeddedPlatform]:
    with EmbeddedPlatform(knowledge=True) as running:
        yield running


@pytest.fixture(scope="module")
def ids(platform: EmbeddedPlatform) -> dict[str, str]:
    """Real ids for the path variables, so a request that passes validation reaches real data."""
    seed_knowledge_base(platform_sender(platform, platform.token("supervisor")))
    contact = {"name": "Mari", "email": "mari@example.ee", "subject": "Card", "message": "Where is my card?"}
    case = platform.api("POST", "/v1/contacts", json_body=contact).json()
    return {
        "case_id": case["case_id"],
        "customer_id": platform.api("GET", f"/v1/cases/{case['case_id']}", token=platform.token("agent")).json()[
            "customer_id"
        ],
        "agent_id": "me",
        "article_id": "card_lost",
        "locale": "en",
        "version": "1",
        "answer_id": "unknown",
        "phrasing_id": "unknown",
    }


def _send(platform: EmbeddedPlatform, route: Route, case: Case, ids: dict[str, str]) -> ApiResponse:
    path = re.sub(r"\{([^}]+)\}", lambda m: ids[m.group(1)], route.path)
    headers = {"content-type": case.content_type} if case.content_type and case.body is not None else {}
    token = platform.token("supervisor") if route.agent else None
    return platform.api(route.method, path, body=case.body, headers=headers, query=case.query, token=token)


def _problems(response: ApiResponse, case: Case) -> list[str]:
    problems = []
    if response.status >= 500:
        problems.append(f"status {response.status}")
    if response.status >= 400:
        try:
            error = response.json()["error"]
            shaped = all(isinstance(error[field], str) and error[field] for field in ("code", "message", "request_id"))
        except (ValueError, KeyError, TypeError):
            shaped = False
        if not shaped:
            problems.append(f"not the error shape: {response.body[:120]}")
    if case.status is not None and response.status != case.status:
        problems.append(f"status {response.status}, not {case.status}")
    if case.code is not None and response.status >= 400 and response.json()["error"]["code"] != case.code:
        problems.append(f"code {response.json()['error']['code']}, not {case.code}")
    return problems


def test_every_route_refuses_bad_input_with_a_4xx_in_the_error_shape(
    platform: EmbeddedPlatform, ids: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    statuses: Counter[int] = Counter()
    offenders = []
    started = time.perf_counter()
    for route in ROUTES:
        for case in _cases(route):
            response = _send(platform, route, case, ids)
            statuses[response.status // 100 * 100] += 1
            offenders += [f"{route.method} {route.path} [{case.name}]: {p}" for p in _problems(response, case)]
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(
            f"\nbad-input table: {sum(statuses.values())} requests on {len(ROUTES)} routes in {elapsed:.1f} s, "
            f"by status class {dict(sorted(statuses.items()))}"
        )
    assert offenders == [], "\n".join(offenders)
    assert statuses[500] == 0
    assert len(ROUTES) >= 20  # the document lists them; a broken generator must not pass on nothing


BODY_ROUTES = [route for route in ROUTES if route.schema is not None]


@pytest.mark.parametrize("route", BODY_ROUTES, ids=[f"{r.method} {r.path}" for r in BODY_ROUTES])
def test_an_upper_case_media_type_is_read_as_the_lower_case_one(
    platform: EmbeddedPlatform, ids: dict[str, str], route: Route
) -> None:
    body = _json({"unknown_field": 1})  # refused by every model, after the body was read
    lower = _send(platform, route, Case("lower", body, "application/json"), ids)
    upper = _send(platform, route, Case("upper", body, "APPLICATION/JSON; Charset=UTF-8"), ids)
    assert (upper.status, upper.json()["error"]["code"]) == (lower.status, lower.json()["error"]["code"])
    assert upper.status == 422


def test_an_html_form_post_with_a_mixed_case_media_type_is_read(
    platform: EmbeddedPlatform, ids: dict[str, str]
) -> None:
    headers = {"content-type": "Application/x-www-form-urlencoded", "accept": "application/json"}
    response = platform.api("POST", "/v1/kb/articles/card_lost/feedback", body="helpful=true", headers=headers)
    assert response.status < 300, response.body


def test_a_lone_surrogate_in_an_article_owner_is_a_422_not_an_outage(
    platform: EmbeddedPlatform, ids: dict[str, str]
) -> None:
    response = platform.api(
        "PATCH",
        "/v1/kb/articles/card_lost/en",
        body='{"owner": "\\ud800"}',
        headers={"content-type": "application/json"},
        token=platform.token("supervisor"),
    )
    assert response.status == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["details"] == [
        {"field": "owner", "code": "invalid_unicode", "message": "text must not hold a lone surrogate (\\ud800)"}
    ]
