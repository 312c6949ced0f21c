"""Keeps the search index equal to the table: the stream's changes one by one, or everything at once.

The table is the truth. A change of a translation's head re-reads the translation and makes the
index match it (published: upsert with its phrasings; anything else: delete), so a replayed or
late record can never leave an old state behind. A learned phrasing is added or removed on its own,
which keeps the learning loop's cost per resolved case constant however many phrasings an article has.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from enum import StrEnum

from pydantic import BaseModel

from shared.domain.articles import Article, ArticleStatus, LearnedPhrasing
from shared.domain.knowledge import IndexedPhrasing, SearchDocument, SearchIndex
from shared.ports import ArticleStore
from shared.services.articles import cursor_checked


class ChangeKind(StrEnum):
    TRANSLATION = "translation"
    PHRASING_ADDED = "phrasing_added"
    PHRASING_REMOVED = "phrasing_removed"


class IndexChange(BaseModel):
    kind: ChangeKind
    article_id: str
    locale: str
    phrasing_id: str | None = None
    text: str | None = None


class ReindexPage(BaseModel):
    indexed: int
    removed: int
    next_cursor: str | None


def search_document(article: Article, phrasings: list[LearnedPhrasing]) -> SearchDocument:
    content = article.published
    assert content is not None  # noqa: S101 - only published translations are indexed
    return SearchDocument(
        article_id=article.article_id,
        locale=article.locale,
        title=content.title,
        short_answer=content.short_answer,
        body=content.body,
        phrasings=[IndexedPhrasing(phrasing_id=p.phrasing_id, text=p.text) for p in phrasings],
    )


class KnowledgeIndexer:
    def __init__(self, articles: ArticleStore, index: SearchIndex) -> None:
        self.articles = articles
        self.index = index

    def apply(self, change: IndexChange) -> None:
        if change.kind is ChangeKind.TRANSLATION:
            self.sync(change.article_id, change.locale)
        elif change.kind is ChangeKind.PHRASING_ADDED and change.phrasing_id and change.text:
            phrasing = IndexedPhrasing(phrasing_id=change.phrasing_id, text=change.text)
            self.index.add_phrasing(change.article_id, change.locale, phrasing)
        elif change.kind is ChangeKind.PHRASING_REMOVED and change.phrasing_id:
            self.index.remove_phrasing(change.article_id, change.locale, change.phrasing_id)

    def batch(self) -> AbstractContextManager[None]:
        """Changes applied inside reach the index together when the block ends (one stream batch)."""
        return self.index.batch()

    def sync(self, article_id: str, locale: str) -> bool:
        """Make the index hold what the table holds for one translation; True when it is searchable."""
        article, phrasings = self.articles.head_and_phrasings(article_id, locale)
        if article is None or article.status is not ArticleStatus.PUBLISHED:
            self.index.delete(article_id, locale)
            return False
        self.index.upsert(search_document(article, phrasings))
        return True

    def reindex(self, locale: str, cursor: str | None, limit: int) -> ReindexPage:
        """One page of a rebuild: every translation of the locale, whatever its status, made to match."""
        with cursor_checked():  # a cursor we did not issue is the caller's mistake (422), not ours
            page = self.articles.list_articles(locale, None, limit, cursor)
        indexed = 0
        with self.index.batch():
            for article in page.items:
                indexed += self.sync(article.article_id, article.locale)
        return ReindexPage(indexed=indexed, removed=len(page.items) - indexed, next_cursor=page.next_cursor)
