"""The OpenAPI document as a contract: each operation, and whether an answer is one it documents."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema_rs import Draft202012Validator

from functions.api.openapi import openapi_document
from infra.local.platform import ApiResponse

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as documented: /v1/cases/{case_id}
    spec: Any

    @property
    def agent(self) -> bool:
        return bool(self.spec.get("security"))

    @property
    def statuses(self) -> set[int]:
        return {int(status) for status in self.spec["responses"]}

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@cache
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(openapi_document())
    return loaded


def operations() -> list[Operation]:
    return [
        Operation(method.upper(), path, spec)
        for path, methods in document()["paths"].items()
        for method, spec in methods.items()
    ]


def operation(method: str, path: str) -> Operation:
    return next(op for op in operations() if op.method == method and op.path == path)


def fill(path: str, **values: str) -> str:
    """`/v1/cases/{case_id}` with its variables filled in (`x` for those not given)."""
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "x"), path)


def problems(op: Operation, response: ApiResponse) -> list[str]:
    """Why `response` is not an answer `op` documents (its status, media type and JSON schema); none when it is."""
    documented = op.spec["responses"].get(str(response.status))
    if documented is None:
        return [f"{op}: undocumented status {response.status}"]
    media = (response.headers.get("Content-Type") or response.headers.get("content-type") or "").split(";")[0]
    content = documented.get("content") or {}
    if not content:
        return [] if not response.body else [f"{op}: {response.status} should have no body"]
    if media not in content:
        return [f"{op}: {response.status} as {media!r}, documented {sorted(content)}"]
    schema = content[media].get("schema")
    if media != "application/json" or schema is None:
        return []
    validator = Draft202012Validator({**document(), **schema})
    return [f"{op}: {response.status} {error.message}" for error in validator.iter_errors(response.json())]
