"""The knowledge base's report for its editors: what to write next, what it spares, what readers dislike.

Reads a period of the search log (newest first, at most `TUGI_KB_REPORT_MAX_SEARCHES` searches),
the contacts resolved without an article and the articles' feedback counters; the figures are
computed by shared/domain/kb_gaps.py. A search is a good result when its best hit's confidence
reaches the auto-answer threshold: the same bar the workflow answers customers by.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import islice

from pydantic import BaseModel, Field

from shared.domain.articles import Article, ArticleStatus
from shared.domain.clock import utc_now
from shared.domain.kb_gaps import (
    Deflection,
    Gap,
    GapSignal,
    GapSource,
    RatedArticle,
    deflection,
    gap_signals,
    group_gaps,
    worst_rated,
)
from shared.domain.search_log import SearchRecord
from shared.errors import InvalidInput
from shared.ports import ArticleStore, SearchLog
from shared.settings import Settings

_ARTICLE_PAGE = 100


class GapsReport(BaseModel):
    since: datetime
    until: datetime
    locale: str | None = Field(description="Only this locale; none: all")
    searches: int = Field(description="Searches read")
    searches_without_good_result: int
    contacts_without_article: int
    truncated: bool = Field(
        description="More searches than a report reads: the oldest were left out of the gaps (deflection reads"
        " the searches old enough to decide apart)"
    )
    gaps: list[Gap] = Field(description="Similar wordings grouped, most frequent first")
    deflection: Deflection
    worst_rated: list[RatedArticle]


class KnowledgeReports:
    def __init__(self, log: SearchLog, articles: ArticleStore, settings: Settings) -> None:
        self.log = log
        self.articles = articles
        self.settings = settings

    def gaps(self, *, days: int, locale: str | None, limit: int, min_votes: int) -> GapsReport:
        if locale is not None and locale not in self.settings.kb_locales:
            locales = ", ".join(self.settings.kb_locales)
            raise InvalidInput(f"the knowledge base is in {locales}", code="unsupported_locale")
        until = utc_now()
        since = until - timedelta(days=days)
        good = self.settings.auto_answer_min_confidence
        window = timedelta(days=self.settings.kb_deflection_days)
        searches, truncated = self._searches(since, until, locale)
        decided = [s for s in searches if s.at <= until - window]
        if truncated:  # the newest searches filled the report: read the ones old enough to decide apart
            decided, _ = self._searches(since, until - window, locale)
        pending = [s for s in searches if s.at > until - window]
        unanswered = [c for c in self.log.unanswered(since, until) if locale in (None, c.locale)]
        signals = gap_signals(searches, good) + [
            GapSignal(source=GapSource.CONTACT, text=c.question, locale=c.locale, at=c.at, case_id=c.case_id)
            for c in unanswered
            if c.question.strip()
        ]
        contacts: dict[str, list[datetime]] = {}
        # Only searches at least `window` old are decided, so every contact deciding one lies in the period.
        for contact in self.log.visitor_contacts(since, until):
            contacts.setdefault(contact.visitor, []).append(contact.at)
        return GapsReport(
            since=since,
            until=until,
            locale=locale,
            searches=len(searches),
            searches_without_good_result=sum(s.source is GapSource.SEARCH for s in signals),
            contacts_without_article=len(unanswered),
            truncated=truncated,
            gaps=group_gaps(signals, limit=limit),
            deflection=deflection(decided + pending, contacts, window=window, now=until, good=good),
            worst_rated=worst_rated(self._published(locale), min_votes=min_votes, limit=limit),
        )

    def _searches(self, since: datetime, until: datetime, locale: str | None) -> tuple[list[SearchRecord], bool]:
        """The period's searches of the locale, newest first, up to the cap; and whether there were more."""
        cap = self.settings.kb_report_max_searches
        read = list(islice(self.log.searches(since, until), cap + 1))
        return [s for s in read[:cap] if locale in (None, s.locale)], len(read) > cap

    def _published(self, locale: str | None) -> list[Article]:
        found: list[Article] = []
        for each in [locale] if locale else self.settings.kb_locales:
            cursor: str | None = None
            while True:
                page = self.articles.list_articles(each, ArticleStatus.PUBLISHED, _ARTICLE_PAGE, cursor)
                found += page.items
                cursor = page.next_cursor
                if not cursor:
                    break
        return found
