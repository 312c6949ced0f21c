"""The workflow's AnswerFinder, served by the knowledge base: the best article is the contact reason.

Its confidence (how far it leads the next article, 0..1) decides whether the workflow answers by
itself; the threshold `TUGI_AUTO_ANSWER_MIN_CONFIDENCE` is chosen from the Banking77 benchmark.
"""

from __future__ import annotations

from shared.domain.knowledge import SearchIndex
from shared.domain.triage import KnownAnswer
from shared.settings import Settings


class KnowledgeBaseAnswers:
    def __init__(self, index: SearchIndex, settings: Settings) -> None:
        self.index = index
        self.settings = settings

    def find(self, text: str, language: str) -> KnownAnswer | None:
        locale = self.settings.kb_locale_for(language)
        hits = self.index.search(text, locale, limit=2)
        if not hits:
            return None
        best = hits[0]
        return KnownAnswer(
            reason=best.article_id,
            title=best.title,
            short_answer=best.short_answer,
            url=f"{self.settings.portal_url.rstrip('/')}/v1/kb/articles/{best.article_id}?locale={best.locale}",
            confidence=round(best.confidence, 4),
        )
