"""The ports: what services need from the outside world. Adapters implement them; tests use fakes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from shared.domain.agents import AgentProfile
from shared.domain.answers import AnswerOutcome, PendingAnswer
from shared.domain.articles import Article, ArticleStatus, ArticleVersion, LearnedPhrasing
from shared.domain.case import Case, CaseStatus
from shared.domain.customer import Customer
from shared.domain.events import CaseEvent
from shared.domain.identity import Identity, IdentityRecord
from shared.domain.ids import AgentId, CaseId, CaseReference, CustomerId, MessageId
from shared.domain.merge import MergeRecord
from shared.domain.message import DeliveryStatus, Message
from shared.domain.paging import Page
from shared.domain.search_log import ArticleFeedback, SearchRecord, UnansweredContact, VisitorContact
from shared.domain.timeline import CaseDetail, TimelineEntry

R = TypeVar("R", bound=BaseModel)


class IdentityTaken(Exception):
    """Another customer claimed the identity first."""

    def __init__(self, record: IdentityRecord) -> None:
        super().__init__(record.identity.key)
        self.record = record


class DuplicateChannelId(Exception):
    """The channel's own message id was stored before: a replay."""


class CustomerWasMerged(Exception):
    """The customer was merged while we were writing to it."""


class ReferenceTaken(Exception):
    """The randomly drawn case reference is in use; the caller draws another."""


class StaleVersion(Exception):
    """The case changed since it was read."""


class ChannelRef(BaseModel):
    """Where a channel message id was stored: its case and message (none for bounces, auto-replies, rejects)."""

    case_id: CaseId | None = None
    message_id: MessageId | None = None
    message_sort_key: str | None = None
    customer_id: CustomerId | None = None
    outcome: str | None = None


class CustomerStore(Protocol):
    def get_customer(self, customer_id: CustomerId) -> Customer | None: ...

    def get_identity(self, identity: Identity) -> IdentityRecord | None: ...

    def create_customer(self, customer: Customer, identities: list[Identity]) -> None:
        """Create the customer and claim its identities in one transaction; IdentityTaken if one is owned."""

    def claim_identity(self, identity: Identity, customer_id: CustomerId) -> None:
        """Give a new identity to an existing customer; IdentityTaken if someone owns it."""

    def list_identities(self, customer_id: CustomerId) -> list[IdentityRecord]: ...

    def put_customer_event(self, event: CaseEvent) -> None: ...

    def set_vip(self, customer_id: CustomerId, vip: bool, event: CaseEvent) -> None:
        """Mark (or unmark) a live customer as VIP, with the event on their timeline; raises StaleVersion
        when the customer is gone or merged."""

    # Merges
    def get_merge(self, source: CustomerId) -> MergeRecord | None: ...

    def begin_merge(self, record: MergeRecord) -> None:
        """Write the merge (state merging) and mark the source merged; StaleVersion if either changed."""

    def finish_merge(self, record: MergeRecord) -> None: ...

    def begin_unmerge(self, record: MergeRecord) -> None:
        """Record the unmerge as started and make the source live again (clear its merged_into)."""

    def finish_unmerge(self, record: MergeRecord) -> None: ...

    def merged_into(self, target: CustomerId) -> list[MergeRecord]: ...

    def move_identity(self, record: IdentityRecord, to_customer: CustomerId) -> None: ...


class CaseStore(Protocol):
    def open_case(self, case: Case, message: Message, events: list[CaseEvent]) -> None:
        """Case + reference + first message + channel id + events, all or nothing.

        Raises DuplicateChannelId on a replay, CustomerWasMerged if the customer was merged meanwhile.
        """

    def add_message(self, case: Case, expected_version: int, message: Message, events: list[CaseEvent]) -> None:
        """Store the message, its channel id and the case change; DuplicateChannelId / StaleVersion."""

    def update_case(self, case: Case, expected_version: int, events: list[CaseEvent]) -> None:
        """Write the case if it is still at `expected_version` (the case carries the next version)."""

    def get_case(self, case_id: CaseId, *, consistent: bool = False) -> Case | None:
        """The case; `consistent` for a read-modify-write that must see the latest version."""

    def get_case_detail(self, case_id: CaseId) -> CaseDetail | None: ...

    def list_cases(self, queue: str, status: CaseStatus | None, limit: int, cursor: str | None) -> Page[Case]: ...

    def customer_cases(self, customer_id: CustomerId) -> list[Case]: ...

    def timeline(self, customer_id: CustomerId, limit: int, cursor: str | None) -> Page[TimelineEntry]: ...

    def find_channel_id(self, channel: str, external_id: str) -> ChannelRef | None: ...

    def find_case_by_reference(self, reference: CaseReference) -> CaseId | None: ...

    def set_delivery(self, message: Message, status: DeliveryStatus, detail: str | None) -> None: ...

    def record_sent(self, message: Message, aliases: list[str]) -> None:
        """Mark an outbound message sent and claim the other ids it travels under (for threading, bounces)."""

    def mark_seen(self, channel: str, external_id: str, outcome: str) -> None:
        """Remember a message that opened nothing (auto-reply, reject), so a replay is a duplicate."""

    def record_delivery(
        self,
        ref: ChannelRef,
        status: DeliveryStatus,
        detail: str | None,
        event: CaseEvent | None,
        *,
        report_channel: str,
        report_id: str,
    ) -> None:
        """Mark an outbound message (bounced, delayed) and claim the report's own id, all or nothing."""

    def move_case(self, case_id: CaseId, to_customer: CustomerId, event: CaseEvent) -> None:
        """Re-key the case, its messages and its events to another customer; idempotent."""


class IntakeLog(Protocol):
    def record(self, object_key: str, outcome: IntakeOutcomeRecord) -> None:
        """Log a run; a duplicate run only updates the latest outcome, keeping what the first run did."""

    def get(self, object_key: str) -> IntakeOutcomeRecord | None: ...


class IntakeOutcomeRecord(BaseModel):
    """What the first run did with a raw object, and what the latest run (a replay, say) said."""

    outcome: str
    case_id: CaseId | None = None
    customer_id: CustomerId | None = None
    reason: str | None = None
    message_id: str | None = None
    last_outcome: str | None = None
    last_reason: str | None = None


class BlobStore(Protocol):
    def get(self, key: str) -> bytes: ...

    def put(self, key: str, body: bytes, content_type: str) -> None: ...


class Once(Protocol):
    """Runs work once per payload within a window; a repeat gets the first result back."""

    def run(self, scope: str, payload: BaseModel, work: Callable[[], R], result_type: type[R]) -> R: ...


class EmailSender(Protocol):
    def send_raw(self, *, source: str, destinations: list[str], raw: bytes) -> str:
        """Send a complete MIME message; returns the Message-ID (no <>) the recipient will see."""


class AnswerAlreadySettled(Exception):
    """The customer (or their reply) already settled this auto-answer."""


class AgentStore(Protocol):
    def list_agents(self) -> list[AgentProfile]: ...

    def get_agent(self, agent_id: AgentId) -> AgentProfile | None: ...

    def put_agent(self, profile: AgentProfile) -> None: ...

    def track_case(self, agent_id: AgentId, case_id: CaseId, *, active: bool) -> None:
        """Count the case in (or out of) the agent's load; repeating it changes nothing."""


class AnswerStore(Protocol):
    def put_answer(self, answer: PendingAnswer) -> None: ...

    def get_answer(self, answer_id: str) -> PendingAnswer | None: ...

    def settle(self, answer_id: str, outcome: AnswerOutcome) -> PendingAnswer:
        """Record the outcome once; raises AnswerAlreadySettled the second time."""

    def mark_expired(self, answer_id: str) -> None:
        """The verdict just recorded came too late for the workflow: say so instead."""


class TaskExpired(Exception):
    """The workflow stopped waiting (timeout, or the task was answered already)."""


class WorkflowEngine(Protocol):
    def start(self, name: str, payload: dict[str, Any]) -> bool:
        """Start an execution named `name`; False when one of that name ended already. Starting a running
        one again with the same payload changes nothing (Step Functions answers as for the first)."""

    def complete_task(self, task_token: str, output: dict[str, Any]) -> None:
        """Hand a waiting task its result; raises TaskExpired when it no longer waits."""


class ArticleStore(Protocol):
    """Knowledge-base translations (head), their versions and learned phrasings."""

    def get_article(self, article_id: str, locale: str, *, consistent: bool = False) -> Article | None: ...

    def create_article(self, article: Article, version: ArticleVersion) -> None:
        """The translation and its first version; StaleVersion when the translation exists already."""

    def save_article(self, article: Article, expected_revision: int, version: ArticleVersion | None = None) -> None:
        """Write the head if still at `expected_revision` (with a new version, if any); StaleVersion otherwise."""

    def get_version(self, article_id: str, locale: str, version: int) -> ArticleVersion | None: ...

    def list_versions(self, article_id: str, locale: str, limit: int, cursor: str | None) -> Page[ArticleVersion]:
        """Newest first."""

    def list_articles(
        self, locale: str, status: ArticleStatus | None, limit: int, cursor: str | None, *, stale_on: date | None = None
    ) -> Page[Article]:
        """By status, then review date; with `stale_on`, the published ones due for review before that day."""

    def head_and_phrasings(self, article_id: str, locale: str) -> tuple[Article | None, list[LearnedPhrasing]]: ...

    def list_phrasings(self, article_id: str, locale: str, limit: int, cursor: str | None) -> Page[LearnedPhrasing]:
        """In the order of their ids (not by time)."""

    def add_phrasing(self, phrasing: LearnedPhrasing) -> bool:
        """Store it once per id; False for a replay."""

    def remove_phrasing(self, article_id: str, locale: str, phrasing_id: str) -> bool:
        """False when there was no such phrasing."""

    def count_feedback(self, article_id: str, locale: str, *, helpful: bool) -> None:
        """Add one vote; StaleVersion when the translation does not exist."""


class LearnedWords(Protocol):
    """How many distinct customers used each word of a locale's learned phrasings (shared/domain/learned_words.py)."""

    def count(self, locale: str, article_id: str, terms: set[str], customer_id: CustomerId) -> None:
        """Count the customer for each term (once, however often they use it) and note the article it is in."""

    def vetted(self, locale: str, terms: set[str]) -> set[str]:
        """The terms at least k distinct customers used (read consistently)."""


class SearchLog(Protocol):
    def record_search(self, record: SearchRecord) -> None: ...

    def get_search(self, search_id: str) -> SearchRecord | None: ...

    def record_opened(self, search_id: str, article_id: str) -> bool:
        """False when the search is unknown (expired or made up)."""

    def record_feedback(self, feedback: ArticleFeedback) -> None:
        """Keep the verdict (and its reason) under the article, and on its search when it names one."""

    def record_contact(self, contact: VisitorContact) -> None:
        """Remember that a visitor contacted us (idempotent per case)."""

    def record_unanswered(self, contact: UnansweredContact) -> None:
        """Remember a case resolved without an article (idempotent per case)."""

    def forget_unanswered(self, case_id: str) -> None:
        """The case was resolved again, with an article: it is no gap (nothing to forget is fine)."""

    def searches(self, since: datetime, until: datetime) -> Iterator[SearchRecord]:
        """The searches of a period, newest first."""

    def visitor_contacts(self, since: datetime, until: datetime) -> Iterator[VisitorContact]: ...

    def unanswered(self, since: datetime, until: datetime) -> Iterator[UnansweredContact]: ...
