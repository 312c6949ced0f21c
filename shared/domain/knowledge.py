"""The knowledge base as search sees it: documents in, hits out, one port for every backend.

A document is one published article in one locale, with the phrasings customers used for it (the
learning loop adds them). Archived or unpublished articles are not in the index at all.
"""

from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager
from typing import Any, Protocol

from pydantic import BaseModel, Field, field_validator


class IndexedPhrasing(BaseModel):
    """A learned phrasing as the index holds it: its id (to remove it) and its text."""

    phrasing_id: str = Field(min_length=1, max_length=64)
    text: str


class SearchDocument(BaseModel):
    article_id: str = Field(min_length=1, max_length=64)
    locale: str = Field(min_length=2, max_length=8)
    title: str
    short_answer: str = ""
    body: str = ""  # Markdown source: plain enough to search and to quote
    phrasings: list[IndexedPhrasing] = []  # learned from customers' questions, personal data removed

    @field_validator("phrasings", mode="before")
    @classmethod
    def _plain_texts(cls, value: Any) -> Any:
        """Plain strings are phrasings whose id is their text's hash (bulk loads that never remove one)."""
        if not isinstance(value, list):
            return value
        return [
            {"phrasing_id": hashlib.sha256(v.encode()).hexdigest()[:32], "text": v} if isinstance(v, str) else v
            for v in value
        ]


class SearchHit(BaseModel):
    article_id: str
    locale: str
    title: str
    short_answer: str
    snippet: str = Field(description="HTML: escaped text, the matched words in <mark>")
    score: float = Field(description="Higher is better; comparable within one result list only")
    confidence: float = Field(default=0.0, ge=0, le=1, description="0..1: how far this hit leads the next one")


class SearchSuggestion(BaseModel):
    article_id: str
    title: str


class SearchIndex(Protocol):
    def upsert(self, doc: SearchDocument) -> None:
        """Add or replace the (article_id, locale) document; searchable on return (outside `batch`)."""

    def delete(self, article_id: str, locale: str) -> None:
        """Remove the document (archived, deleted); removing one that is not there is fine."""

    def add_phrasing(self, article_id: str, locale: str, phrasing: IndexedPhrasing) -> None:
        """Add (or replace) one learned phrasing of a document in the index; searchable on return.

        Nothing happens when the document is not in the index: it gets its phrasings when it is upserted.
        """

    def remove_phrasing(self, article_id: str, locale: str, phrasing_id: str) -> None:
        """Remove one learned phrasing; removing one that is not there is fine."""

    def search(self, query: str, locale: str, *, limit: int = 5) -> list[SearchHit]:
        """The best documents of that locale for what the customer typed, best first."""

    def suggest(self, prefix: str, locale: str, *, limit: int = 5) -> list[SearchSuggestion]:
        """Titles for what the customer has typed so far (the last word may be unfinished)."""

    def batch(self) -> AbstractContextManager[None]:
        """Writes inside become searchable together when the block ends (bulk loads)."""
