"""Outbound email, built so that the customer's reply threads back onto its case."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from pydantic import BaseModel

from shared.domain.clock import utc_now
from shared.domain.ids import REFERENCE_BODY, CaseReference

_REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|vs|fw|fwd)\s*:\s*", re.IGNORECASE)


def reference_pattern(prefix: str) -> re.Pattern[str]:
    """Matches our token `[TG-7K3P9Q]` in a subject; the body alphabet is that of `new_reference`."""
    # ASCII: with Unicode case folding the Kelvin sign would match "K".
    return re.compile(rf"\[({re.escape(prefix)}-{REFERENCE_BODY})\]", re.IGNORECASE | re.ASCII)


def find_reference(subject: str, prefix: str) -> CaseReference | None:
    match = reference_pattern(prefix).search(subject)
    return CaseReference(match.group(1).upper()) if match else None


def reply_subject(subject: str, reference: CaseReference, prefix: str) -> str:
    """`Re: <original subject> [TG-7K3P9Q]`, without stacking `Re: Re:` or tokens."""
    base = subject
    while _REPLY_PREFIX.match(base):
        base = _REPLY_PREFIX.sub("", base, count=1)
    # Until nothing changes: removing "[TG-[TG-AAAAAA]BBBBBB]" once would leave "[TG-BBBBBB]".
    pattern, previous = reference_pattern(prefix), None
    while previous != base:
        previous, base = base, pattern.sub("", base)
    base = base.strip() or "Your request"
    return f"Re: {base} [{reference}]"


class OutboundEmail(BaseModel):
    from_name: str
    from_address: str
    to: list[str]
    subject: str
    text: str
    message_id: str  # without <>
    in_reply_to: str | None = None
    references: list[str] = []

    def to_mime(self) -> bytes:
        # Up to RFC 5322's 998 characters a line: the default 78 folds a long Message-ID into
        # encoded words, and a mail client would no longer recognise the id it is answering.
        message = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
        message["From"] = formataddr((self.from_name, self.from_address))
        message["To"] = ", ".join(self.to)
        message["Subject"] = self.subject
        message["Date"] = format_datetime(utc_now())
        message["Message-ID"] = f"<{self.message_id}>"
        if self.in_reply_to:
            message["In-Reply-To"] = f"<{self.in_reply_to}>"
        if self.references:
            message["References"] = " ".join(f"<{r}>" for r in self.references)
        # RFC 3834: an answer from a person is not auto-submitted; auto-responders may answer it.
        message["Auto-Submitted"] = "no"
        message.set_content(self.text)
        return bytes(message)
