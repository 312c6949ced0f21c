"""Lambda handlers for the tests of moto_patches (patch 3 calls them in-process)."""

from __future__ import annotations

from typing import Any


class CardNotFound(Exception):
    """A domain error as our handlers raise them: its class name must reach the state machine."""


calls: list[Any] = []


def echo(event: Any, context: Any) -> dict[str, Any]:
    calls.append(event)
    return {"echo": event, "function": context.function_name}


def fails(event: Any, context: Any) -> None:
    calls.append(event)
    raise CardNotFound("no such card")
