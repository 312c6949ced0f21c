"""Keeps the search index equal to the table: the stream's changes one by one, or everything at once.

The table is the truth. A change of a translation's head or of one of its learned phrasings re-reads
the translation and makes the index match it (published: upsert with its phrasings; anything else:
delete), so a replayed or late record can never leave an old state behind. The index holds of each
customer's phrasing only its counted words (shared/domain/learned_words.py: vetted, k customers used
them in the locale, or in the article's own text). A word vetted later makes the articles it is in
searchable by it: the word's record names them, and each is rewritten (one Query, one consistent read of
its words' records) like any other change.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from enum import StrEnum

from pydantic import BaseModel

from shared.domain.articles import Article, ArticleStatus, LearnedPhrasing
from shared.domain.knowledge import IndexedPhrasing, SearchDocument, SearchIndex
from shared.domain.learned_words import own_terms, searchable, terms
from shared.ports import ArticleStore, LearnedWords
from shared.services.articles import cursor_checked


class ChangeKind(StrEnum):
    TRANSLATION = "translation"
    PHRASING_ADDED = "phrasing_added"
    PHRASING_REMOVED = "phrasing_removed"
    WORD_VETTED = "word_vetted"


class IndexChange(BaseModel):
    kind: ChangeKind
    article_id: str
    locale: str


class ReindexPage(BaseModel):
    indexed: int
    removed: int
    next_cursor: str | None


def search_document(article: Article, phrasings: list[LearnedPhrasing], vetted: set[str]) -> SearchDocument:
    """What search may see of a published translation: its text, its editors' phrasings, and of its customers'
    phrasings the words in `vetted` (k customers used them) or in its own text."""
    content = article.published
    assert content is not None  # noqa: S101 - only published translations are indexed
    counted = vetted | own_terms(content, article.locale)
    texts = [searchable(p.text, article.locale, counted if p.by_customer else None) for p in phrasings]
    return SearchDocument(
        article_id=article.article_id,
        locale=article.locale,
        title=content.title,
        short_answer=content.short_answer,
        body=content.body,
        phrasings=[
            IndexedPhrasing(phrasing_id=p.phrasing_id, text=text)
            for p, text in zip(phrasings, texts, strict=True)
            if text  # nothing of it may be searched
        ],
    )


class KnowledgeIndexer:
    def __init__(self, articles: ArticleStore, words: LearnedWords, index: SearchIndex) -> None:
        self.articles = articles
        self.words = words
        self.index = index

    def apply(self, change: IndexChange) -> None:
        self.sync(change.article_id, change.locale)

    def batch(self) -> AbstractContextManager[None]:
        """Changes applied inside reach the index together when the block ends (one stream batch)."""
        return self.index.batch()

    def sync(self, article_id: str, locale: str) -> bool:
        """Make the index hold what the table holds for one translation; True when it is searchable."""
        article, phrasings = self.articles.head_and_phrasings(article_id, locale)
        if article is None or article.status is not ArticleStatus.PUBLISHED:
            self.index.delete(article_id, locale)
            return False
        assert article.published is not None  # noqa: S101 - a published translation has its published text
        taught = terms([p.text for p in phrasings if p.by_customer], locale) - own_terms(article.published, locale)
        self.index.upsert(search_document(article, phrasings, self.words.vetted(locale, taught) if taught else set()))
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
