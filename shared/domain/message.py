"""A message: one contact event on a channel, inbound, outbound or internal."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, field_validator

from shared.domain.channels import AuthorKind, Channel, Direction
from shared.domain.ids import CaseId, CustomerId, MessageId


class DeliveryStatus(StrEnum):
    QUEUED = "queued"  # stored, about to be handed to the provider
    FAILED = "failed"  # the provider refused it
    SENT = "sent"
    DELIVERED = "delivered"
    DELAYED = "delayed"
    BOUNCED = "bounced"


class Author(BaseModel):
    kind: AuthorKind
    id: str | None = None  # agent id, or the customer id; None for system
    name: str | None = None

    @field_validator("name")
    @classmethod
    def _short(cls, name: str | None) -> str | None:
        return name[:200] if name else name


class StoredAttachment(BaseModel):
    key: str  # S3 key in the attachments bucket
    filename: str
    content_type: str
    size: int
    content_id: str | None = None
    inline: bool = False


class RejectedAttachment(BaseModel):
    filename: str
    content_type: str
    size: int
    reason: str  # "too_large", "blocked_type", "too_many"


# Bytes of text, reply text and HTML together: a DynamoDB item stops at 400 KB, and the rest of the
# message needs room. The raw object in S3 always keeps everything.
BODY_BUDGET_BYTES = 300_000


def _cut(text: str, limit: int) -> str:
    return text.encode()[:limit].decode("utf-8", errors="ignore")


def fit_bodies(text: str, reply_text: str | None, html: str | None) -> tuple[str, str | None, str | None, bool]:
    """The bodies cut to BODY_BUDGET_BYTES (HTML goes first, then text); the flag says whether anything was cut."""
    reply = reply_text if reply_text and reply_text.strip() != text.strip() else None

    def size(*parts: str | None) -> int:
        return sum(len(p.encode()) for p in parts if p)

    if size(text, reply, html) <= BODY_BUDGET_BYTES:
        return text, reply, html, False
    if size(text, reply) <= BODY_BUDGET_BYTES:
        return text, reply, None, True
    reply_share = min(size(reply), BODY_BUDGET_BYTES // 4)
    return _cut(text, BODY_BUDGET_BYTES - reply_share), _cut(reply, reply_share) if reply else None, None, True


class Message(BaseModel):
    message_id: MessageId
    case_id: CaseId
    customer_id: CustomerId
    origin_customer_id: CustomerId
    channel: Channel
    direction: Direction
    author: Author
    at: datetime
    subject: str = ""
    text: str = ""
    reply_text: str | None = None  # only the new part of a reply; None when all of `text` is new
    html: str | None = None  # sanitised
    attachments: list[StoredAttachment] = []
    rejected_attachments: list[RejectedAttachment] = []
    external_id: str | None = None  # the channel's own id (email Message-ID without <>)
    alias_ids: list[str] = []  # other ids the channel knows it by (SES replaces our Message-ID with its own)
    in_reply_to: list[str] = []
    references: list[str] = []
    to: list[str] = []
    reply_address: str | None = None  # where an answer goes (Reply-To, else From) for inbound email
    raw_key: str | None = None  # the raw object (S3 key in the raw-mail bucket) this came from
    malformed: bool = False
    defects: list[str] = []
    truncated: bool = False
    auto_reply: bool = False
    delivery_status: DeliveryStatus | None = None
    delivery_detail: str | None = None
