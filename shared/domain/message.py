"""A message: one contact event on a channel, inbound, outbound or internal."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from shared.domain.channels import AuthorKind, Channel, Direction
from shared.domain.ids import CaseId, CustomerId, MessageId


class DeliveryStatus(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    DELAYED = "delayed"
    BOUNCED = "bounced"


class Author(BaseModel):
    kind: AuthorKind
    id: str | None = None  # agent id, or the customer id; None for system
    name: str | None = None


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
    reply_text: str = ""  # the new part of a reply; equals text when there is no quoted history
    html: str | None = None  # sanitised
    attachments: list[StoredAttachment] = []
    rejected_attachments: list[RejectedAttachment] = []
    external_id: str | None = None  # the channel's own id (email Message-ID without <>)
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
