"""What Tugi knows about one raw email once parsed. Produced by `shared.domain.mail_parser.parse_email`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class MailKind(StrEnum):
    REGULAR = "regular"
    AUTO_REPLY = "auto_reply"  # RFC 3834 Auto-Submitted, X-Autoreply, Precedence bulk/auto_reply, "Automatic reply:"
    BOUNCE = "bounce"  # multipart/report; report-type=delivery-status (DSN)


class BounceAction(StrEnum):
    FAILED = "failed"
    DELAYED = "delayed"
    OTHER = "other"


class Bounce(BaseModel):
    action: BounceAction
    status: str | None = None  # DSN status code, e.g. "5.1.1"
    recipients: list[str] = []  # Final-Recipient / Original-Recipient addresses
    original_message_ids: list[str] = []  # Message-ID (and In-Reply-To) of the message that bounced, no <>
    diagnostic: str | None = None


class ParsedAttachment(BaseModel):
    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")

    filename: str  # safe for an S3 key: no path separators, never empty ("attachment-1.bin" if none given)
    content_type: str
    size: int
    content: bytes
    content_id: str | None = None  # without <>, for inline images referenced as cid:
    inline: bool = False


class ParsedEmail(BaseModel):
    message_id: str  # from Message-ID without <>; "sha256:<hex of raw bytes>" when missing or empty
    has_message_id: bool
    in_reply_to: list[str] = []  # ids without <>; a folded header with several ids gives several
    references: list[str] = []
    from_address: str | None = None  # the addr-spec as written (not normalised); None when absent/unparseable
    from_name: str | None = None
    reply_to: str | None = None
    to: list[str] = []
    cc: list[str] = []
    subject: str = ""
    date: datetime | None = None  # aware; None when absent or nonsense
    text: str = ""  # the whole plain text (from text/plain, else from the HTML as text)
    reply_text: str = ""  # only the new part: quoted history and "On … wrote:" removed
    html: str | None = None  # sanitised with nh3
    attachments: list[ParsedAttachment] = []
    kind: MailKind = MailKind.REGULAR
    auto_reply_reason: str | None = None  # which signal said so, e.g. "Auto-Submitted: auto-replied"
    bounce: Bounce | None = None
    malformed: bool = False  # the standard parser could not read it cleanly; fallback used or defects found
    defects: list[str] = []  # names of the defects, e.g. "InvalidHeaderDefect: …"
    truncated: bool = False  # text or html was cut to the size limit; the raw object keeps everything
    virus_verdict: str | None = None  # SES's X-SES-Virus-Verdict (PASS, FAIL, GRAY, ...), when SES scanned it
    spam_verdict: str | None = None  # SES's X-SES-Spam-Verdict
