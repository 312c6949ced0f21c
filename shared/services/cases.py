"""Case use cases: open, list, read, change with optimistic locking, notes, replies by email."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from shared.domain.articles import ARTICLE_ID_PATTERN, LOCALE_PATTERN, ArticleStatus
from shared.domain.case import Case, CaseStatus, Priority, VersionConflict, require_version
from shared.domain.channels import AuthorKind, Channel, Direction
from shared.domain.clock import utc_now
from shared.domain.events import CaseEvent, EventKind
from shared.domain.identity import Identity, IdentityKind
from shared.domain.ids import AgentId, CaseId, CustomerId, as_reference, new_case_id, new_message_id, new_reference
from shared.domain.message import Author, DeliveryStatus, Message
from shared.domain.outbound_mail import OutboundEmail, reply_subject
from shared.domain.paging import InvalidCursor, Page
from shared.domain.timeline import CaseDetail, newest_within
from shared.errors import InvalidInput, NotFound, TugiError, Unavailable
from shared.ports import (
    ArticleStore,
    CaseStore,
    CustomerStore,
    CustomerWasMerged,
    EmailSender,
    ReferenceTaken,
    StaleVersion,
)
from shared.services.customers import ResolvedCustomer, live_customer
from shared.settings import Settings

_ATTEMPTS = 5

MessageFactory = Callable[[CaseId, CustomerId, CustomerId], Message]


class CaseNotFound(NotFound):
    code = "case_not_found"


class NoEmailAddress(InvalidInput):
    code = "no_email_address"


class ChangeCaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: StrictInt = Field(ge=1, description="The version you read; a stale one gets 409 version_conflict")
    status: CaseStatus | None = None
    priority: Priority | None = None
    assignee: AgentId | None = Field(default=None, max_length=128, description="Agent id; empty string unassigns")
    article_id: str | None = Field(
        default=None,
        pattern=f"^$|{ARTICLE_ID_PATTERN}",
        description="The published article that answers the case (empty string unlinks); its question teaches search",
    )
    article_locale: str | None = Field(
        default=None, pattern=LOCALE_PATTERN, description="Which translation; default: the case's language"
    )


class AddNoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=20_000)


class ReplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=50_000)


class CaseService:
    def __init__(
        self,
        cases: CaseStore,
        customers: CustomerStore,
        sender: EmailSender,
        settings: Settings,
        articles: ArticleStore | None = None,
    ) -> None:
        self.articles = articles
        self.cases = cases
        self.customers = customers
        self.sender = sender
        self.settings = settings

    # --- opening -------------------------------------------------------------------------

    def open(
        self,
        *,
        customer: ResolvedCustomer,
        channel: Channel,
        subject: str,
        make_message: MessageFactory,
        follow_up_of: CaseId | None = None,
        queue: str | None = None,
    ) -> Case:
        """Open a case with its first message, in one transaction.

        A clashing reference draws another; a customer merged meanwhile is followed to the live one.
        Raises DuplicateChannelId when the message was stored before (a replay).
        """
        customer_id = customer.customer_id
        for _ in range(_ATTEMPTS):
            now = utc_now()
            case = Case(
                case_id=new_case_id(),
                reference=new_reference(self.settings.reference_prefix),
                customer_id=customer_id,
                origin_customer_id=customer.origin_customer_id,
                subject=subject[:998],
                queue=queue or self.settings.default_queue,
                channel=channel,
                follow_up_of=follow_up_of,
                created_at=now,
                updated_at=now,
                last_message_at=now,
            )
            message = make_message(case.case_id, customer_id, customer.origin_customer_id)
            opened = CaseEvent.create(
                case_id=case.case_id,
                customer_id=customer_id,
                origin_customer_id=customer.origin_customer_id,
                kind=EventKind.CASE_OPENED,
                actor=message.author.kind.value,
                at=now,
                data={"channel": channel.value, "reference": case.reference}
                | ({"follow_up_of": follow_up_of} if follow_up_of else {}),
            )
            try:
                self.cases.open_case(case, message, [opened])
            except CustomerWasMerged:
                customer_id = self._live(customer_id)
                continue
            except ReferenceTaken:
                continue
            return case
        raise Unavailable("could not open the case; try again")

    def _live(self, customer_id: CustomerId) -> CustomerId:
        return live_customer(self.customers, customer_id).customer_id

    # --- reading -------------------------------------------------------------------------

    def list(self, *, queue: str, status: CaseStatus | None, limit: int, cursor: str | None) -> Page[Case]:
        try:
            return self.cases.list_cases(queue, status, limit, cursor)
        except InvalidCursor as exc:
            raise InvalidInput("the cursor is not one this list gave out", code="invalid_cursor") from exc

    def get(self, case_id: CaseId) -> CaseDetail:
        """The case with all its events and messages."""
        detail = self.cases.get_case_detail(case_id)
        if detail is None:
            raise CaseNotFound(f"no case {case_id}")
        return detail

    def view(self, case_id_or_reference: str) -> CaseDetail:
        """The case as an answer shows it: its events and as many of its newest messages as fit.

        Customers quote the reference (`TG-7K3P9Q`), so it finds the case as well as its id does.
        """
        reference = as_reference(case_id_or_reference, self.settings.reference_prefix)
        case_id = self.cases.find_case_by_reference(reference) if reference else CaseId(case_id_or_reference)
        if case_id is None:
            raise CaseNotFound(f"no case {reference}")
        return newest_within(self.get(case_id), self.settings.case_detail_budget_bytes)

    def _case(self, case_id: CaseId) -> Case:
        case = self.cases.get_case(case_id)
        if case is None:
            raise CaseNotFound(f"no case {case_id}")
        return case

    # --- changing --------------------------------------------------------------------------

    def change(self, case_id: CaseId, request: ChangeCaseRequest, *, actor: str) -> Case:
        case = self._case(case_id)
        require_version(case, request.version)
        now = utc_now()
        events = [
            e
            for e in (
                case.change_status(request.status, actor=actor, at=now) if request.status else None,
                case.change_priority(request.priority, actor=actor, at=now) if request.priority else None,
                case.assign(request.assignee or None, actor=actor, at=now) if request.assignee is not None else None,
                self._link_article(case, request, actor=actor, at=now) if request.article_id is not None else None,
            )
            if e is not None
        ]
        if not events:
            return case
        if request.priority:  # the promises follow the new priority
            case.retarget_sla(self.settings.sla_policies.targets(case.priority, case.channel))
        case.updated_at = now
        try:
            self.cases.update_case(case, request.version, events)
        except StaleVersion as exc:
            raise VersionConflict("the case changed since you read it; reload it") from exc
        return case

    def _link_article(self, case: Case, request: ChangeCaseRequest, *, actor: str, at: datetime) -> CaseEvent | None:
        if not request.article_id:
            return case.link_article(None, None, actor=actor, at=at)
        wanted = [request.article_locale] if request.article_locale else [case.language, self.settings.default_language]
        locales = [loc for loc in dict.fromkeys(wanted) if loc]
        for locale in locales:
            article = self.articles.get_article(request.article_id, locale) if self.articles else None
            if article is not None and article.status is ArticleStatus.PUBLISHED:
                return case.link_article(article.article_id, article.locale, actor=actor, at=at)
        raise InvalidInput(
            f"no published article {request.article_id} in {', '.join(locales)}",
            code="unknown_article",
        )

    def add_note(self, case_id: CaseId, request: AddNoteRequest, *, agent: AgentId) -> Message:
        def note(case: Case) -> Message:
            return Message(
                message_id=new_message_id(),
                case_id=case.case_id,
                customer_id=case.customer_id,
                origin_customer_id=case.origin_customer_id,
                channel=Channel.NOTE,
                direction=Direction.INTERNAL,
                author=Author(kind=AuthorKind.AGENT, id=agent),
                at=utc_now(),
                text=request.text,
            )

        return self._append(case_id, note, EventKind.NOTE_ADDED, actor=agent)

    def reply_by_email(self, case_id: CaseId, request: ReplyRequest, *, agent: AgentId) -> Message:
        """An agent's answer by email; it counts as a response for the SLA clocks."""
        return self.email_customer(
            case_id,
            request.text,
            author=Author(kind=AuthorKind.AGENT, id=agent),
            kind=EventKind.REPLY_SENT,
            agent_reply=True,
        )

    def email_customer(
        self,
        case_id: CaseId,
        text: str,
        *,
        author: Author,
        kind: EventKind,
        agent_reply: bool = False,
        external_id: str | None = None,
        event_data: dict[str, str] | None = None,
    ) -> Message:
        """Email the case's customer so that their reply threads back onto the case.

        The email is stored (queued) before it is built and sent, so nothing the customer receives
        goes unrecorded; then it is marked sent and the Message-ID SES gave it is claimed too (SES
        replaces ours), or it is marked failed and the error is raised (UnbuildableEmail when the
        case's data cannot make a mail, InvalidInput when SES refuses it: both 422). A fixed `external_id`
        makes a retried notice a DuplicateChannelId instead of a second email.
        """
        detail = self.get(case_id)
        to = self._reply_address(detail)
        last = self._last_customer_email(detail)
        message_id = new_message_id()
        external_id = external_id or f"{message_id}@{self.settings.mail_domain}"
        references = ([*last.references, last.external_id] if last and last.external_id else [])[-20:]
        email = OutboundEmail(
            from_name=self.settings.support_name,
            from_address=self.settings.support_address,
            to=[to],
            subject=reply_subject(detail.case.subject, detail.case.reference, self.settings.reference_prefix),
            text=text,
            message_id=external_id,
            in_reply_to=last.external_id if last else None,
            references=references,
        )

        def outbound(case: Case) -> Message:
            if case.sla is not None:
                case.sla.customer_updated(utc_now())
            return Message(
                message_id=message_id,
                case_id=case.case_id,
                customer_id=case.customer_id,
                origin_customer_id=case.origin_customer_id,
                channel=Channel.EMAIL,
                direction=Direction.OUTBOUND,
                author=author,
                at=utc_now(),
                subject=email.subject,
                text=text,
                external_id=external_id,
                in_reply_to=[email.in_reply_to] if email.in_reply_to else [],
                references=email.references,
                to=[to],
                delivery_status=DeliveryStatus.QUEUED,
            )

        message = self._append(
            case_id,
            outbound,
            kind,
            actor=author.id or author.kind.value,
            agent_reply=agent_reply,
            read=detail.case.model_copy(),
            event_data=event_data,
        )
        try:  # building it too: a mail the case's data cannot make ends failed (UnbuildableEmail), not queued
            seen_as = self.sender.send_raw(source=self.settings.support_address, destinations=[to], raw=email.to_mime())
        except TugiError as exc:
            self.cases.set_delivery(message, DeliveryStatus.FAILED, exc.instance_code)
            raise
        aliases = [seen_as] if seen_as != external_id else []
        self.cases.record_sent(message, aliases)
        return message.model_copy(update={"delivery_status": DeliveryStatus.SENT, "alias_ids": aliases})

    @staticmethod
    def _last_customer_email(detail: CaseDetail) -> Message | None:
        inbound = [
            m
            for m in detail.messages
            if m.channel == Channel.EMAIL and m.direction == Direction.INBOUND and not m.auto_reply
        ]
        return max(inbound, key=lambda m: m.at) if inbound else None

    def _reply_address(self, detail: CaseDetail) -> str:
        """The newest address the case's own customer wrote from (never a stranger who copied the subject)."""
        written = sorted(
            (m for m in detail.messages if m.direction == Direction.INBOUND and m.reply_address and not m.auto_reply),
            key=lambda m: m.at,
            reverse=True,
        )
        for message in written:
            if self._belongs_to(str(message.reply_address), detail.case.customer_id):
                return str(message.reply_address)
        emails = [
            i for i in self.customers.list_identities(detail.case.customer_id) if i.identity.kind == IdentityKind.EMAIL
        ]
        if not emails:
            raise NoEmailAddress("the customer has no email address to reply to")
        return emails[0].identity.value

    def _belongs_to(self, address: str, customer_id: CustomerId) -> bool:
        try:
            record = self.customers.get_identity(Identity.email(address))
        except InvalidInput:
            return False
        return record is not None and self._live(record.customer_id) == customer_id

    def _append(
        self,
        case_id: CaseId,
        build: Callable[[Case], Message],
        kind: EventKind,
        *,
        actor: str,
        agent_reply: bool = False,
        read: Case | None = None,
        event_data: dict[str, str] | None = None,
    ) -> Message:
        """Add a message and its event; a concurrent change to the case is re-read, not an error.

        `read` is the case as the caller just read it, saving the first read here.
        """
        for _ in range(_ATTEMPTS):
            case, read = read or self._case(case_id), None
            version = case.version
            message = build(case)
            if agent_reply:
                case.record_agent_reply(at=message.at)
            case.updated_at = message.at
            event = CaseEvent.create(
                case_id=case.case_id,
                customer_id=case.customer_id,
                origin_customer_id=case.origin_customer_id,
                kind=kind,
                actor=actor,
                at=message.at,
                data={"message_id": message.message_id} | (event_data or {}),
            )
            try:
                self.cases.add_message(case, version, message, [event])
            except StaleVersion:
                continue
            return message
        raise VersionConflict("the case kept changing; try again")
