"""Self-service: customers search the knowledge base, read articles and say whether they helped.

Every search is logged with personal data removed from the query, so the gaps report can show what
customers looked for without ever holding their card numbers or addresses.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.articles import LOCALE_PATTERN, Article, ArticleStatus
from shared.domain.clock import utc_now
from shared.domain.knowledge import SearchHit, SearchIndex, SearchSuggestion
from shared.domain.markdown import render
from shared.domain.personal_data import scrub
from shared.domain.search_log import ArticleFeedback, SearchRecord, ShownResult
from shared.errors import InvalidInput, NotFound
from shared.ports import ArticleStore, SearchLog, StaleVersion
from shared.settings import Settings


class ArticleNotPublished(NotFound):
    code = "article_not_found"


class SearchResponse(BaseModel):
    search_id: str = Field(description="Pass it when opening a result or giving feedback")
    locale: str
    items: list[SearchHit]


class PublishedArticle(BaseModel):
    article_id: str
    locale: str
    title: str
    short_answer: str = Field(description="The answer in a sentence or two: show it first")
    body_html: str = Field(description="The body, sanitised HTML")
    tags: list[str]
    published_at: datetime | None
    helpful: int
    not_helpful: int


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    helpful: bool
    reason: str | None = Field(default=None, max_length=1000, description="Why not, in the customer's words")
    locale: str | None = Field(default=None, pattern=LOCALE_PATTERN, description="Default: the article's served one")
    search_id: str | None = Field(default=None, max_length=64)


class SelfService:
    def __init__(self, articles: ArticleStore, index: SearchIndex, log: SearchLog, settings: Settings) -> None:
        self.articles = articles
        self.index = index
        self.log = log
        self.settings = settings

    def search(self, query: str, locale: str | None, *, visitor: str | None, limit: int = 5) -> SearchResponse:
        locale = self._locale(locale)
        hits = self.index.search(query, locale, limit=limit)
        record = SearchRecord(
            at=utc_now(),
            locale=locale,
            query=scrub(query, default_region=self.settings.default_phone_region),
            visitor=visitor,
            results=[ShownResult(article_id=h.article_id, score=h.score, confidence=h.confidence) for h in hits],
        )
        self.log.record_search(record)
        return SearchResponse(search_id=record.search_id, locale=locale, items=hits)

    def suggest(self, typed: str, locale: str | None, *, limit: int = 5) -> list[SearchSuggestion]:
        return self.index.suggest(typed, self._locale(locale), limit=limit)

    def article(self, article_id: str, locale: str | None, *, search_id: str | None = None) -> PublishedArticle:
        """The published translation in `locale`, else in the default language, else in any locale."""
        article = self._published(article_id, locale)
        if search_id:
            self.log.record_opened(search_id, article_id)
        content = article.published
        assert content is not None  # noqa: S101 - a published translation always has its content
        return PublishedArticle(
            article_id=article.article_id,
            locale=article.locale,
            title=content.title,
            short_answer=content.short_answer,
            body_html=render(content.body),
            tags=content.tags,
            published_at=article.published_at,
            helpful=article.helpful,
            not_helpful=article.not_helpful,
        )

    def feedback(self, article_id: str, request: FeedbackRequest) -> None:
        article = self._published(article_id, request.locale)
        try:
            self.articles.count_feedback(article.article_id, article.locale, helpful=request.helpful)
        except StaleVersion as exc:
            raise ArticleNotPublished(f"no article {article_id}") from exc
        region = self.settings.default_phone_region
        self.log.record_feedback(
            ArticleFeedback(
                article_id=article.article_id,
                locale=article.locale,
                helpful=request.helpful,
                reason=scrub(request.reason, default_region=region) if request.reason else None,
                search_id=request.search_id,
                at=utc_now(),
            )
        )

    def _published(self, article_id: str, locale: str | None) -> Article:
        wanted = self._locale(locale)
        order = dict.fromkeys([wanted, self.settings.default_language, *self.settings.kb_locales])
        for candidate in order:
            article = self.articles.get_article(article_id, candidate)
            if article is not None and article.status is ArticleStatus.PUBLISHED:
                return article
        raise ArticleNotPublished(f"no published article {article_id}")

    def _locale(self, locale: str | None) -> str:
        locale = locale or self.settings.default_language
        if locale not in self.settings.kb_locales:
            raise InvalidInput(
                f"the knowledge base is in {', '.join(self.settings.kb_locales)}, not {locale!r}",
                code="unsupported_locale",
            )
        return locale
