"""A page of results and its opaque cursor."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class InvalidCursor(Exception):
    """Raised by stores on a cursor they did not issue; services turn it into InvalidInput."""
