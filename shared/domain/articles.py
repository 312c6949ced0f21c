"""Knowledge-base articles: one translation per (article, locale), every edit a new version.

A translation moves draft → published → archived (and back to published). Editing never changes
what customers see: the published version is served until another version is published. Old
versions stay readable and can be restored (restoring makes a new version with the old content).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, NewType, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, computed_field

from shared.domain.ids import AgentId, CaseId

ArticleId = NewType("ArticleId", str)
# What an article id and a locale look like, everywhere one is accepted (API paths, bodies, files).
ARTICLE_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
LOCALE_PATTERN = r"^[a-z]{2}$"
LOCALE_RULE = "One of the knowledge base's locales (`TUGI_KB_LOCALES`: en, et), else 422 `unsupported_locale`"
Tag = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40)]

MAX_BODY_CHARS = 40_000  # a head item holds the latest and the published text, under DynamoDB's 400 KB


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ArticleContent(BaseModel):
    """What an author writes: the short answer is shown first; the body is Markdown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    short_answer: str = Field(default="", max_length=600)
    body: str = Field(default="", max_length=MAX_BODY_CHARS)
    tags: list[Tag] = Field(default=[], max_length=20)


class ArticleVersion(BaseModel):
    """One saved state of a translation; never changed once written."""

    article_id: ArticleId
    locale: str
    version: int = Field(ge=1)
    content: ArticleContent
    author: AgentId | None = None
    at: datetime
    restored_from: int | None = None


class Article(BaseModel):
    """One translation's current state: status, who owns it, and the latest and published text.

    `revision` counts every change of this record (optimistic locking); `latest_version` counts edits.
    """

    article_id: ArticleId
    locale: str
    status: ArticleStatus = ArticleStatus.DRAFT
    owner: AgentId | None = None
    review_by: date | None = None
    latest_version: int = 0
    published_version: int | None = None
    latest: ArticleContent
    published: ArticleContent | None = None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
    helpful: int = 0
    not_helpful: int = 0
    revision: int = 0

    @classmethod
    def new(
        cls, article_id: ArticleId, locale: str, content: ArticleContent, *, owner: AgentId | None, at: datetime
    ) -> Self:
        return cls(article_id=article_id, locale=locale, owner=owner, latest=content, created_at=at, updated_at=at)

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented use on a property
    @property
    def has_unpublished_changes(self) -> bool:
        return self.latest_version != self.published_version

    def is_stale(self, today: date) -> bool:
        """Published, and its review date has passed: someone should check it is still true."""
        return self.status is ArticleStatus.PUBLISHED and self.review_by is not None and self.review_by < today

    def edit(
        self, content: ArticleContent, *, by: AgentId | None, at: datetime, restored_from: int | None = None
    ) -> ArticleVersion:
        """Save `content` as the next version; what customers see changes only when it is published."""
        self.latest_version += 1
        self.latest = content
        self.updated_at = at
        self.revision += 1
        return ArticleVersion(
            article_id=self.article_id,
            locale=self.locale,
            version=self.latest_version,
            content=content,
            author=by,
            at=at,
            restored_from=restored_from,
        )

    def publish(self, version: ArticleVersion, *, at: datetime) -> None:
        """Serve `version` (usually the latest; an older one rolls back) from now on."""
        self.status = ArticleStatus.PUBLISHED
        self.published_version = version.version
        self.published = version.content
        self.published_at = at
        self.updated_at = at
        self.revision += 1

    def archive(self, *, at: datetime) -> None:
        """Stop serving the translation; its versions stay, and publishing serves it again."""
        self.status = ArticleStatus.ARCHIVED
        self.updated_at = at
        self.revision += 1

    def set_details(self, *, owner: AgentId | None, review_by: date | None, at: datetime) -> None:
        self.owner = owner
        self.review_by = review_by
        self.updated_at = at
        self.revision += 1


# Sources of phrasings a customer taught (a resolved case); the others (agent, import) are an editor's words.
CUSTOMER_SOURCES = frozenset({"agent_link", "auto_answer"})


class LearnedPhrasing(BaseModel):
    """A customer's question (personal data removed) that this article answered."""

    article_id: ArticleId
    locale: str
    phrasing_id: str
    text: str = Field(min_length=1, max_length=1000)
    case_id: CaseId | None = None
    source: str = Field(description="agent_link, auto_answer, agent or import")
    at: datetime

    @property
    def by_customer(self) -> bool:
        """Whether a customer taught it (their words count once k customers used them, learned_words.py); an
        editor's phrasing counts whole."""
        return self.source in CUSTOMER_SOURCES

    @classmethod
    def learn(
        cls,
        article_id: ArticleId,
        locale: str,
        text: str,
        *,
        key: str,
        source: str,
        at: datetime,
        case_id: CaseId | None = None,
    ) -> Self:
        """A phrasing whose id derives from `key` (the case, or the text), so learning it twice stores it once."""
        digest = hashlib.sha256(f"{article_id}\n{locale}\n{key}".encode()).hexdigest()[:26]
        return cls(
            article_id=article_id,
            locale=locale,
            phrasing_id=f"phr_{digest}",
            text=text[:1000],
            case_id=case_id,
            source=source,
            at=at,
        )
