"""The knowledge base learns from every resolved case.

A case resolved with an article (an agent linked it, or the customer accepted the auto-answer)
teaches that article the customer's question, personal data removed (and what the platform knows of
that customer: their name, their identities): the next customer who asks the same way finds it first,
once enough customers used its words (shared/domain/learned_words.py: each word of it counts its
customer). A case resolved without one is
a gap (the gaps report groups them) and proposes a draft article from the case, for an editor to
finish (`GET /v1/kb/articles?status=draft`).
"""

from __future__ import annotations

from shared.domain.articles import Article, ArticleContent, ArticleId, LearnedPhrasing
from shared.domain.case import Case
from shared.domain.clock import utc_now
from shared.domain.ids import CaseId, CustomerId
from shared.domain.learned_words import own_terms, terms
from shared.domain.personal_data import scrub_known, scrub_line
from shared.domain.search_log import UnansweredContact
from shared.domain.timeline import CaseDetail
from shared.ports import ArticleStore, CaseStore, CustomerStore, LearnedWords, SearchLog, StaleVersion
from shared.settings import Settings

PROPOSED_TAG = "proposed"


class KnowledgeLearning:
    def __init__(
        self,
        articles: ArticleStore,
        cases: CaseStore,
        customers: CustomerStore,
        log: SearchLog,
        settings: Settings,
        *,
        words: LearnedWords,
    ) -> None:
        self.articles = articles
        self.words = words
        self.cases = cases
        self.customers = customers
        self.log = log
        self.settings = settings

    def learn(self, case_id: CaseId) -> str:
        """What the case's resolution taught: `phrasing`, `proposal` or `nothing`. Safe to repeat."""
        detail = self.cases.get_case_detail(case_id)
        if detail is None:
            return "nothing"
        case = detail.case
        if case.spam:
            return "nothing"
        known = self._known(case.customer_id)
        if case.article_id:
            self.log.forget_unanswered(case.case_id)  # reopened and resolved again, with an article this time
            return "phrasing" if self._phrasing(case, detail, known) else "nothing"
        self._record_gap(case, detail, known)
        return "proposal" if self._propose(case, detail, known) else "nothing"

    def _known(self, customer_id: CustomerId) -> list[str]:
        """The customer's name and identities (and those of whom they were merged into): never learned."""
        known: list[str] = []
        for _ in range(2):  # the customer, then the one it was merged into (merges do not chain)
            customer = self.customers.get_customer(customer_id)
            if customer is None:
                break
            known += [customer.name or "", *(r.identity.value for r in self.customers.list_identities(customer_id))]
            if customer.merged_into is None:
                break
            customer_id = customer.merged_into
        return known

    def _record_gap(self, case: Case, detail: CaseDetail, known: list[str]) -> None:
        self.log.record_unanswered(
            UnansweredContact(
                case_id=case.case_id,
                reference=case.reference,
                locale=self.settings.kb_locale_for(case.language),
                channel=case.channel.value,
                question=self._clean(detail.question, known),
                at=case.updated_at,  # the resolution: the learning runs on the resolving change
            )
        )

    def _phrasing(self, case: Case, detail: CaseDetail, known: list[str]) -> bool:
        locale = case.article_locale or self.settings.kb_locale_for(case.language)
        article = self.articles.get_article(case.article_id or "", locale)
        text = self._clean(detail.question, known)
        if article is None or not text:
            return False  # the translation is gone, or nothing was asked in words
        # Only a person's judgement counts a customer: anyone can open a case from a fresh address and click
        # "solved" on its auto-answer, so a customer's own verdict would let one person vet a word alone.
        # Counted before the phrasing is stored, so that a retry after a failure between the two counts again.
        if not case.solved_by_answer:
            public = own_terms(article.published, locale) if article.published else set()
            self.words.count(locale, article.article_id, terms([text], locale) - public, case.customer_id)
        return self.articles.add_phrasing(
            LearnedPhrasing.learn(
                article.article_id,
                locale,
                text,
                key=case.case_id,
                case_id=case.case_id,
                source="auto_answer" if case.solved_by_answer else "agent_link",
                at=utc_now(),
            )
        )

    def _propose(self, case: Case, detail: CaseDetail, known: list[str]) -> bool:
        """A draft built from the question and the agent's answer; nothing when no agent answered."""
        answer = self._clean(detail.last_agent_reply, known)
        if not answer:
            return False
        title = self._clean(case.subject, known) or self._clean(detail.question, known)[:80] or case.reference
        article_id = ArticleId(f"proposed-{case.reference.lower()}")
        content = ArticleContent(
            title=title[:200], short_answer="", body=answer[:20_000], tags=[PROPOSED_TAG, case.channel.value]
        )
        now = utc_now()
        article = Article.new(article_id, self.settings.kb_locale_for(case.language), content, owner=None, at=now)
        version = article.edit(content, by=None, at=now)
        try:
            self.articles.create_article(article, version)
        except StaleVersion:
            return False  # proposed before (a replay, or a reopened case resolved again)
        return True

    def _clean(self, text: str, known: list[str]) -> str:
        return scrub_known(scrub_line(text, default_region=self.settings.default_phone_region), known)
