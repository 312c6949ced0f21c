"""What customers searched for and what came of it: the raw material of gaps and deflection reports.

Queries are stored with personal data removed; a visitor is the portal's random, per-browser id.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.domain.ids import new_search_id


class ShownResult(BaseModel):
    article_id: str
    score: float
    confidence: float = 0.0  # what the auto-answer would have made of it: a good result or not


class SearchVerdict(BaseModel):
    article_id: str
    helpful: bool


class SearchRecord(BaseModel):
    search_id: str = Field(default_factory=new_search_id)
    at: datetime
    locale: str
    query: str = Field(description="As typed, personal data removed")
    visitor: str | None = None
    results: list[ShownResult] = []
    opened: list[str] = Field(default=[], description="Articles opened from these results")
    feedback: list[SearchVerdict] = []

    def helped(self) -> bool:
        return any(verdict.helpful for verdict in self.feedback)


class ArticleFeedback(BaseModel):
    """A customer's verdict on an article: helpful or not, and optionally why (personal data removed)."""

    article_id: str
    locale: str
    helpful: bool
    reason: str | None = Field(default=None, max_length=1000)
    search_id: str | None = None
    at: datetime


class VisitorContact(BaseModel):
    """A contact from the portal by a visitor who may have searched first (deflection's other half)."""

    visitor: str
    case_id: str
    at: datetime


class UnansweredContact(BaseModel):
    """A case resolved without an article: the knowledge base had nothing for it (a gap)."""

    case_id: str
    reference: str
    locale: str
    channel: str
    question: str = Field(description="The customer's question, personal data removed")
    at: datetime
