"""Email intake: one raw message from S3 becomes a new case, a reply on a case, or is set aside.

Nothing is lost: the raw object stays in S3 whatever happens, and its outcome is logged.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum
from pathlib import PurePosixPath

from pydantic import BaseModel

from shared.domain.case import Case, CaseStatus
from shared.domain.channels import AuthorKind, Channel, Direction
from shared.domain.clock import utc_now
from shared.domain.events import CaseEvent, EventKind
from shared.domain.identity import Identity, IdentityKind
from shared.domain.ids import CaseId, CustomerId, MessageId, new_message_id
from shared.domain.mail import BounceAction, MailKind, ParsedAttachment, ParsedEmail
from shared.domain.mail_parser import parse_email
from shared.domain.message import (
    Author,
    DeliveryStatus,
    Message,
    RejectedAttachment,
    StoredAttachment,
    fit_bodies,
)
from shared.domain.outbound_mail import find_reference
from shared.errors import InvalidInput
from shared.ports import (
    BlobStore,
    CaseStore,
    ChannelRef,
    CustomerStore,
    DuplicateChannelId,
    IntakeLog,
    IntakeOutcomeRecord,
    StaleVersion,
)
from shared.services.cases import CaseService
from shared.services.customers import CustomerService
from shared.settings import Settings

_ATTEMPTS = 5
_MAX_THREAD_IDS = 20  # References can list hundreds of ids; the recent ones decide
_UNKNOWN_SENDER = "unknown-sender:"  # identity of mail whose From cannot be read, one per message


Attachments = tuple[list[StoredAttachment], list[RejectedAttachment]]


def _extension(filename: str) -> str:
    """`.pdf` for `Arve 12.PDF`; nothing when the name has no plain extension."""
    suffix = PurePosixPath(filename).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix) else ""


class Outcome(StrEnum):
    NEW_CASE = "new_case"
    ADDED_TO_CASE = "added_to_case"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class IntakeResult(BaseModel):
    outcome: Outcome
    case_id: CaseId | None = None
    customer_id: CustomerId | None = None
    reason: str | None = None
    message_id: str | None = None  # the email's Message-ID (or sha256: of the raw bytes)


class EmailIntake:
    def __init__(
        self,
        *,
        raw_mail: BlobStore,
        attachments: BlobStore,
        cases: CaseStore,
        customers: CustomerStore,
        intake_log: IntakeLog,
        case_service: CaseService,
        customer_service: CustomerService,
        settings: Settings,
    ) -> None:
        self.raw_mail = raw_mail
        self.attachments = attachments
        self.cases = cases
        self.customers = customers
        self.intake_log = intake_log
        self.case_service = case_service
        self.customer_service = customer_service
        self.settings = settings

    def ingest(self, object_key: str) -> IntakeResult:
        """Process the raw message at `object_key` in the raw-mail bucket and log the outcome."""
        raw = self.raw_mail.get(object_key)
        result = self._ingest(parse_email(raw, max_text_chars=self.settings.max_text_chars), object_key)
        self.intake_log.record(object_key, IntakeOutcomeRecord.model_validate(result.model_dump()))
        return result

    def _ingest(self, mail: ParsedEmail, raw_key: str) -> IntakeResult:
        known = self.cases.find_channel_id(Channel.EMAIL.value, mail.message_id)
        if known is not None:
            return self._lost_race(mail, known)
        if mail.kind == MailKind.BOUNCE:
            return self._bounce(mail)
        sender = self._sender(mail)
        if isinstance(sender, IntakeResult):
            return sender
        return self._route(mail, raw_key, sender)

    def _route(self, mail: ParsedEmail, raw_key: str, sender: Identity) -> IntakeResult:
        thread = self._thread(mail, sender)
        try:
            if mail.kind == MailKind.AUTO_REPLY:
                return self._auto_reply(mail, raw_key, thread)
            if thread is not None and thread.status != CaseStatus.CLOSED:
                return self._add_to_case(mail, raw_key, thread, sender)
            return self._open_case(mail, raw_key, sender, follow_up_of=thread.case_id if thread else None)
        except DuplicateChannelId:
            return self._lost_race(mail)

    def _lost_race(self, mail: ParsedEmail, known: ChannelRef | None = None) -> IntakeResult:
        """Another delivery of the same message was stored first: nothing more to do."""
        known = known or self.cases.find_channel_id(Channel.EMAIL.value, mail.message_id)
        case_id, customer_id = (known.case_id, known.customer_id) if known else (None, None)
        first = f" (first outcome: {known.outcome})" if known and known.outcome else ""
        return self._result(Outcome.DUPLICATE, mail, case_id, customer_id, f"already received{first}")

    # --- who wrote, and to which case ------------------------------------------------------

    def _sender(self, mail: ParsedEmail) -> Identity | IntakeResult:
        """Who wrote. Mail with no usable sender still reaches a person, under an identity of its own."""
        try:
            identity = Identity.email(mail.from_address or "")
        except InvalidInput:
            return Identity(kind=IdentityKind.EXTERNAL, value=f"{_UNKNOWN_SENDER}{mail.message_id}")
        if identity == Identity.email(self.settings.support_address):
            return self._seen(mail, Outcome.REJECTED, "sent from our own support address (mail loop)")
        return identity

    def _thread(self, mail: ParsedEmail, sender: Identity) -> Case | None:
        """The case this mail answers.

        By In-Reply-To/References from anyone (knowing a Message-ID of the conversation means being
        in it: the customer, or someone they copied in); by the reference in the subject only from
        the case's own customer, since a subject is easy to copy and the agent's answer goes back.
        """
        candidates = [*mail.in_reply_to[:_MAX_THREAD_IDS], *reversed(mail.references[-_MAX_THREAD_IDS:])]
        for message_id in dict.fromkeys(candidates):
            ref = self.cases.find_channel_id(Channel.EMAIL.value, message_id)
            if ref is not None and ref.case_id is not None:
                return self.cases.get_case(ref.case_id)
        reference = find_reference(mail.subject, self.settings.reference_prefix)
        case_id = self.cases.find_case_by_reference(reference) if reference else None
        case = self.cases.get_case(case_id) if case_id else None
        if case is None:
            return None
        owner = self.customers.get_identity(sender)
        if owner is None or self.customer_service.live_customer_id(owner.customer_id) != case.customer_id:
            return None
        return case

    # --- outcomes --------------------------------------------------------------------------

    def _open_case(
        self, mail: ParsedEmail, raw_key: str, sender: Identity, *, follow_up_of: CaseId | None
    ) -> IntakeResult:
        customer = self.customer_service.resolve([sender], name=mail.from_name, locale=None, channel=Channel.EMAIL)
        message_id = new_message_id()
        unknown = sender.kind == IdentityKind.EXTERNAL
        attachments = self._store_attachments(mail, raw_key)  # once, however often the open is retried

        def first_message(case_id: CaseId, customer_id: CustomerId, origin: CustomerId) -> Message:
            return self._message(
                mail,
                raw_key=raw_key,
                message_id=message_id,
                case_id=case_id,
                customer_id=customer_id,
                origin=origin,
                author=customer_id,
                attachments=attachments,
            )

        case = self.case_service.open(
            customer=customer,
            channel=Channel.EMAIL,
            subject=mail.subject,
            make_message=first_message,
            follow_up_of=follow_up_of,
            queue=self.settings.needs_attention_queue if unknown else None,
        )
        reason = f"follow-up of closed case {follow_up_of}" if follow_up_of else None
        if unknown:
            reason = f"no usable sender address; the case waits in {self.settings.needs_attention_queue}"
        return self._result(Outcome.NEW_CASE, mail, case.case_id, case.customer_id, reason)

    def _add_to_case(self, mail: ParsedEmail, raw_key: str, case: Case, sender: Identity) -> IntakeResult:
        # A person the customer copied in is recognised too; the message goes on the case's timeline.
        author = self.customer_service.resolve([sender], name=mail.from_name, locale=None, channel=Channel.EMAIL)
        message_id = new_message_id()
        attachments = self._store_attachments(mail, raw_key)  # once, however often the write is retried
        for _ in range(_ATTEMPTS):
            version = case.version
            message = self._message(
                mail,
                raw_key=raw_key,
                message_id=message_id,
                case_id=case.case_id,
                customer_id=case.customer_id,
                origin=case.origin_customer_id,
                author=author.customer_id,
                attachments=attachments,
            )
            events = [self._received_event(case, message)]
            change = case.receive_customer_message(at=message.at)
            if change is not None:
                events.append(change)
            case.updated_at = message.at
            try:
                self.cases.add_message(case, version, message, events)
            except StaleVersion:
                fresh = self.cases.get_case(case.case_id)
                if fresh is None:
                    break
                case = fresh
                continue
            return self._result(Outcome.ADDED_TO_CASE, mail, case.case_id, case.customer_id)
        return self._result(Outcome.REJECTED, mail, case.case_id, case.customer_id, "the case kept changing")

    def _auto_reply(self, mail: ParsedEmail, raw_key: str, case: Case | None) -> IntakeResult:
        """Never opens a case and is never answered; shown on its case when it threads to one."""
        reason = mail.auto_reply_reason or "auto-reply"
        if case is None:
            return self._seen(mail, Outcome.AUTO_REPLY, reason)
        attachments = self._store_attachments(mail, raw_key)
        message = self._message(
            mail,
            raw_key=raw_key,
            message_id=new_message_id(),
            case_id=case.case_id,
            customer_id=case.customer_id,
            origin=case.origin_customer_id,
            author=case.customer_id,
            attachments=attachments,
            auto_reply=True,
        )
        for _ in range(_ATTEMPTS):
            try:
                self.cases.add_message(case, case.version, message, [self._received_event(case, message)])
                break
            except StaleVersion:
                fresh = self.cases.get_case(case.case_id)
                if fresh is None:
                    break
                case = fresh
        return self._result(Outcome.AUTO_REPLY, mail, case.case_id, case.customer_id, reason)

    def _bounce(self, mail: ParsedEmail) -> IntakeResult:
        """Mark the message that bounced; a bounce never opens a case and is recorded once."""
        bounce = mail.bounce
        originals = bounce.original_message_ids if bounce else []
        refs = [r for r in (self.cases.find_channel_id(Channel.EMAIL.value, i) for i in originals) if r is not None]
        ours = [r for r in refs if r.case_id and r.message_sort_key]
        if not ours:
            return self._seen(mail, Outcome.BOUNCE, "the bounced message is not one of ours")
        ref = ours[0]
        delayed = bounce is not None and bounce.action == BounceAction.DELAYED
        status = DeliveryStatus.DELAYED if delayed else DeliveryStatus.BOUNCED
        detail = " ".join(x for x in (bounce.status if bounce else None, bounce.diagnostic if bounce else None) if x)
        event = None if delayed else self._bounced_event(ref, detail)
        self.cases.record_delivery(
            ref, status, detail or None, event, report_channel=Channel.EMAIL.value, report_id=mail.message_id
        )
        return self._result(Outcome.BOUNCE, mail, ref.case_id, ref.customer_id, f"message {status.value}")

    def _seen(self, mail: ParsedEmail, outcome: Outcome, reason: str, case: Case | None = None) -> IntakeResult:
        """An outcome that stores no message: remembered by Message-ID, so a replay is a duplicate."""
        self.cases.mark_seen(Channel.EMAIL.value, mail.message_id, outcome.value)
        return self._result(outcome, mail, case.case_id if case else None, case.customer_id if case else None, reason)

    # --- building records ------------------------------------------------------------------

    def _message(
        self,
        mail: ParsedEmail,
        *,
        raw_key: str,
        message_id: MessageId,
        case_id: CaseId,
        customer_id: CustomerId,
        origin: CustomerId,
        author: CustomerId,
        attachments: Attachments,
        auto_reply: bool = False,
    ) -> Message:
        stored, rejected = attachments
        text, reply_text, html, cut = fit_bodies(mail.text, mail.reply_text, mail.html)
        return Message(
            message_id=message_id,
            case_id=case_id,
            customer_id=customer_id,
            origin_customer_id=origin,
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            author=Author(kind=AuthorKind.CUSTOMER, id=author, name=mail.from_name),
            at=utc_now(),
            subject=mail.subject,
            text=text,
            reply_text=reply_text,
            html=html,
            attachments=stored,
            rejected_attachments=rejected,
            external_id=mail.message_id,
            in_reply_to=mail.in_reply_to,
            references=mail.references[-20:],
            to=mail.to,
            reply_address=mail.reply_to or mail.from_address,
            raw_key=raw_key,
            malformed=mail.malformed,
            defects=mail.defects[:20],
            truncated=mail.truncated or cut,
            auto_reply=auto_reply,
        )

    def _store_attachments(self, mail: ParsedEmail, raw_key: str) -> Attachments:
        """Store what is allowed under keys derived from the raw object, so a retry overwrites, never adds.

        The customer's file name stays in the record, not in the key: keys reach traces and access logs.
        """
        stored: list[StoredAttachment] = []
        rejected: list[RejectedAttachment] = []
        folder = "messages/" + hashlib.sha256(raw_key.encode()).hexdigest()[:32]
        for index, attachment in enumerate(mail.attachments):
            reason = "virus" if mail.virus_verdict == "FAIL" else self._rejection(attachment, index)
            if reason:
                rejected.append(
                    RejectedAttachment(
                        filename=attachment.filename,
                        content_type=attachment.content_type,
                        size=attachment.size,
                        reason=reason,
                    )
                )
                continue
            key = f"{folder}/{index}{_extension(attachment.filename)}"
            self.attachments.put(key, attachment.content, attachment.content_type)
            stored.append(
                StoredAttachment(
                    key=key,
                    filename=attachment.filename,
                    content_type=attachment.content_type,
                    size=attachment.size,
                    content_id=attachment.content_id,
                    inline=attachment.inline,
                )
            )
        return stored, rejected

    def _rejection(self, attachment: ParsedAttachment, index: int) -> str | None:
        if index >= self.settings.max_attachments_per_message:
            return "too_many"
        if attachment.size > self.settings.max_attachment_bytes:
            return "too_large"
        name = attachment.filename.lower()
        if attachment.content_type.lower() in self.settings.blocked_attachment_types or name.endswith(
            self.settings.blocked_attachment_extensions
        ):
            return "blocked_type"
        return None

    @staticmethod
    def _received_event(case: Case, message: Message) -> CaseEvent:
        return CaseEvent.create(
            case_id=case.case_id,
            customer_id=case.customer_id,
            origin_customer_id=case.origin_customer_id,
            kind=EventKind.MESSAGE_RECEIVED,
            actor="customer",
            at=message.at,
            data={"message_id": message.message_id, "channel": message.channel.value, "auto_reply": message.auto_reply},
        )

    def _bounced_event(self, ref: ChannelRef, detail: str) -> CaseEvent | None:
        case = self.cases.get_case(ref.case_id) if ref.case_id else None
        if case is None:
            return None
        return CaseEvent.create(
            case_id=case.case_id,
            customer_id=case.customer_id,
            origin_customer_id=case.origin_customer_id,
            kind=EventKind.MESSAGE_BOUNCED,
            actor="system",
            at=utc_now(),
            data={"message_id": ref.message_id, "detail": detail},
        )

    @staticmethod
    def _result(
        outcome: Outcome,
        mail: ParsedEmail,
        case_id: CaseId | None = None,
        customer_id: CustomerId | None = None,
        reason: str | None = None,
    ) -> IntakeResult:
        return IntakeResult(
            outcome=outcome, case_id=case_id, customer_id=customer_id, reason=reason, message_id=mail.message_id
        )
