"""Case use cases: open, list, read, change with optimistic locking, notes, replies by email."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.case import Case, CaseStatus, Priority, VersionConflict, require_version
from shared.domain.channels import AuthorKind, Channel, Direction
from shared.domain.clock import utc_now
from shared.domain.events import CaseEvent, EventKind
from shared.domain.identity import IdentityKind
from shared.domain.ids import AgentId, CaseId, CustomerId, new_case_id, new_message_id, new_reference
from shared.domain.message import Author, DeliveryStatus, Message
from shared.domain.outbound_mail import OutboundEmail, reply_subject
from shared.domain.paging import InvalidCursor, Page
from shared.domain.timeline import CaseDetail
from shared.errors import InvalidInput, NotFound
from shared.ports import CaseStore, CustomerStore, CustomerWasMerged, EmailSender, ReferenceTaken, StaleVersion
from shared.services.customers import ResolvedCustomer
from shared.settings import Settings

_ATTEMPTS = 5

MessageFactory = Callable[[CaseId, CustomerId, CustomerId], Message]


class CaseNotFound(NotFound):
    code = "case_not_found"


class NoEmailAddress(InvalidInput):
    code = "no_email_address"


class ChangeCaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The version you read; a stale one gets 409 version_conflict")
    status: CaseStatus | None = None
    priority: Priority | None = None
    assignee: AgentId | None = Field(default=None, max_length=128, description="Agent id; empty string unassigns")


class AddNoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=20_000)


class ReplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=50_000)


class CaseService:
    def __init__(self, cases: CaseStore, customers: CustomerStore, sender: EmailSender, settings: Settings) -> None:
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
                queue=self.settings.default_queue,
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
        raise StaleVersion("could not open the case")

    def _live(self, customer_id: CustomerId) -> CustomerId:
        customer = self.customers.get_customer(customer_id)
        if customer is None or customer.merged_into is None:
            return customer_id
        return customer.merged_into

    # --- reading -------------------------------------------------------------------------

    def list(self, *, queue: str, status: CaseStatus | None, limit: int, cursor: str | None) -> Page[Case]:
        try:
            return self.cases.list_cases(queue, status, limit, cursor)
        except InvalidCursor as exc:
            raise InvalidInput("the cursor is not one this list gave out", code="invalid_cursor") from exc

    def get(self, case_id: CaseId) -> CaseDetail:
        detail = self.cases.get_case_detail(case_id)
        if detail is None:
            raise CaseNotFound(f"no case {case_id}")
        return detail

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
            )
            if e is not None
        ]
        if not events:
            return case
        case.updated_at = now
        try:
            self.cases.update_case(case, request.version, events)
        except StaleVersion as exc:
            raise VersionConflict("the case changed since you read it; reload it") from exc
        return case

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
        """Send the agent's answer with In-Reply-To/References so the customer's reply threads back."""
        detail = self.get(case_id)
        inbound = [m for m in detail.messages if m.channel == Channel.EMAIL and m.direction == Direction.INBOUND]
        last = max(inbound, key=lambda m: m.at) if inbound else None
        to = self._reply_address(detail.case, last)
        message_id = new_message_id()
        external_id = f"{message_id}@{self.settings.mail_domain}"
        references = ([*last.references, last.external_id] if last and last.external_id else [])[-20:]
        email = OutboundEmail(
            from_name=self.settings.support_name,
            from_address=self.settings.support_address,
            to=[to],
            subject=reply_subject(detail.case.subject, detail.case.reference, self.settings.reference_prefix),
            text=request.text,
            message_id=external_id,
            in_reply_to=last.external_id if last else None,
            references=references,
        )
        self.sender.send_raw(source=self.settings.support_address, destinations=[to], raw=email.to_mime())

        def reply(case: Case) -> Message:
            return Message(
                message_id=message_id,
                case_id=case.case_id,
                customer_id=case.customer_id,
                origin_customer_id=case.origin_customer_id,
                channel=Channel.EMAIL,
                direction=Direction.OUTBOUND,
                author=Author(kind=AuthorKind.AGENT, id=agent),
                at=utc_now(),
                subject=email.subject,
                text=request.text,
                external_id=external_id,
                in_reply_to=[email.in_reply_to] if email.in_reply_to else [],
                references=email.references,
                to=[to],
                delivery_status=DeliveryStatus.SENT,
            )

        return self._append(case_id, reply, EventKind.REPLY_SENT, actor=agent, agent_reply=True)

    def _reply_address(self, case: Case, last_inbound: Message | None) -> str:
        if last_inbound and last_inbound.reply_address:
            return last_inbound.reply_address
        emails = [i for i in self.customers.list_identities(case.customer_id) if i.identity.kind == IdentityKind.EMAIL]
        if not emails:
            raise NoEmailAddress("the customer has no email address to reply to")
        return emails[0].identity.value

    def _append(
        self,
        case_id: CaseId,
        build: Callable[[Case], Message],
        kind: EventKind,
        *,
        actor: str,
        agent_reply: bool = False,
    ) -> Message:
        """Add a message and its event; a concurrent change to the case is re-read, not an error."""
        for _ in range(_ATTEMPTS):
            case = self._case(case_id)
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
                data={"message_id": message.message_id},
            )
            try:
                self.cases.add_message(case, version, message, [event])
            except StaleVersion:
                continue
            return message
        raise VersionConflict("the case kept changing; try again")
