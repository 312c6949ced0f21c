"""Who may call what, generated from the OpenAPI document: every operation by every kind of caller.

A bad token (none, malformed, `alg: none`, our key's kid with another key's signature, expired, for
another app) is refused with 401 on every agent operation before its handler runs; agents reach agent
operations, supervisors those marked `cognito: [supervisor]` as well; public operations answer every
caller alike. Expired and wrong-audience tokens are signed with moto's own published key, so only the
one check they break can refuse them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.utilities.utils import load_resource

from infra.local.platform import ApiResponse, EmbeddedPlatform
from tests.integration.helpers import submit
from tests.integration.openapi_contract import BODY_METHODS, Operation, fill, operations, problems

BAD = ("no token", "malformed", "alg none", "wrong signature", "expired", "wrong audience")
GOOD = ("agent", "supervisor")
# Path variables that must look right to reach the handler (the rest is any id that is not there).
LOOKS_RIGHT = {"locale": "en", "version": "1", "answer_id": "a" * 16}


def _forge(agent_token: str) -> dict[str, str | None]:
    kid = jwt.get_unverified_header(agent_token)["kid"]
    claims = jwt.decode(agent_token, options={"verify_signature": False})
    moto_key = jwt.PyJWK.from_json(json.dumps(load_resource("cognitoidp/resources/jwks-private.json"))).key
    own_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    headers = {"kid": kid}
    return {
        "no token": None,
        "malformed": "not.a.jwt",
        "alg none": jwt.encode(claims, None, algorithm="none", headers=headers),
        "wrong signature": jwt.encode(claims, own_key, algorithm="RS256", headers=headers),
        "expired": jwt.encode(claims | {"iat": now - 7200, "exp": now - 3600}, moto_key, "RS256", headers=headers),
        "wrong audience": jwt.encode(claims | {"aud": "another-app"}, moto_key, algorithm="RS256", headers=headers),
    }


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[EmbeddedPlatform, dict[str, str | None]]]:
    with EmbeddedPlatform() as platform:
        agent = platform.token("agent")
        yield platform, _forge(agent) | {"agent": agent, "supervisor": platform.token("supervisor")}


def _call(platform: EmbeddedPlatform, op: Operation, token: str | None, **values: str) -> ApiResponse:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    body = "{}" if op.method in BODY_METHODS else None
    if body is not None:
        headers["content-type"] = "application/json"
    return platform.api(op.method, fill(op.path, **LOOKS_RIGHT | values), body=body, headers=headers)


def _supervisors_only(op: Operation) -> bool:
    return any("supervisor" in roles for requirement in op.spec.get("security", []) for roles in requirement.values())


@pytest.mark.parametrize("op", operations(), ids=str)
def test_every_caller_gets_the_documented_answer(running: tuple[EmbeddedPlatform, Any], op: Operation) -> None:
    platform, tokens = running
    answers = {kind: _call(platform, op, token) for kind, token in tokens.items()}
    statuses = {kind: answer.status for kind, answer in answers.items()}

    assert all(status in op.statuses for status in statuses.values()), f"{op}: {statuses}"
    if op.agent:
        assert {statuses[kind] for kind in BAD} == {401}, f"{op}: {statuses}"
        # A body the route cannot read is refused (422) before whose it is matters; never a 2xx.
        allowed = {403, 422} if _supervisors_only(op) else op.statuses - {401}
        assert statuses["agent"] in allowed, f"{op}: {statuses}"
        assert statuses["supervisor"] not in {401, 403}, f"{op}: {statuses}"
    else:
        assert len(set(statuses.values())) == 1, f"{op}: a public operation answers callers alike: {statuses}"
        assert statuses["no token"] not in {401, 403}, f"{op}: {statuses}"
    reached = [answer for kind, answer in answers.items() if not (op.agent and kind in BAD)]
    assert [problem for answer in reached for problem in problems(op, answer)] == []


@pytest.mark.parametrize("op", [op for op in operations() if op.agent], ids=str)
def test_the_gateways_refusals_are_in_the_error_shape(running: tuple[EmbeddedPlatform, Any], op: Operation) -> None:
    platform, tokens = running
    refused = [_call(platform, op, tokens[kind]) for kind in BAD]

    assert [problem for answer in refused for problem in problems(op, answer)] == []


def test_no_public_operation_returns_another_customers_data(running: tuple[EmbeddedPlatform, Any]) -> None:
    """A stranger tries every public operation with everything they might know of a customer; no answer
    tells them more than they sent (an echo of their own input is no leak)."""
    platform, _ = running
    mari = {"name": "Mari Maasikas", "email": "mari.maasikas@example.ee", "phone": "+37251234567"}
    theirs = submit(platform, **mari, subject="Stolen card", message="My card was stolen at the market.")
    secrets = [*mari.values(), theirs["customer_id"], theirs["case_id"], theirs["reference"], "stolen at the market"]
    stranger = json.dumps({"name": "Tundmatu", "subject": "Who?", "message": "Is Mari a customer?"} | mari)

    leaks = []
    for op in (op for op in operations() if not op.agent):
        for value in secrets:
            path = fill(op.path, **LOOKS_RIGHT | dict.fromkeys(_variables(op.path), value))
            if op.method in BODY_METHODS:
                sent, answer = stranger, platform.api(op.method, path, body=stranger, headers=_JSON)
            else:
                sent, answer = value, platform.api(op.method, path, query={"q": value, "search_id": value})
            leaks += [f"{op} with {value!r} → {s!r}" for s in secrets if s in answer.body and s not in sent]
    assert leaks == []


_JSON = {"content-type": "application/json"}


def _variables(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]
