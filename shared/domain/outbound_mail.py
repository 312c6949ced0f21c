"""Outbound email, built so that the customer's reply threads back onto its case."""

from __future__ import annotations

import re
from email import policy
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from pydantic import BaseModel

from shared.domain.clock import utc_now
from shared.domain.ids import REFERENCE_BODY, CaseReference
from shared.domain.mail_header import OneLine, one_line
from shared.errors import InvalidInput

_REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|vs|fw|fwd)\s*:\s*", re.IGNORECASE)
# The subject's own text in a reply; mail clients show about 80 characters, RFC 5322 allows 998 a line.
SUBJECT_CHARS = 200
# What a header may carry as written: a dot-atom address with an ASCII (IDNA) domain, a msg-id of
# printable ASCII. SES takes no SMTPUTF8, and an encoded word in an address would mail a made-up one.
_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+", re.ASCII)
_MESSAGE_ID = re.compile(r"[!-;=?-~]+")  # no < or >


def mailable(address: str) -> bool:
    """Whether mail to this (normalised) address can be built and sent: SES takes no SMTPUTF8 local part."""
    return _ADDRESS.fullmatch(address) is not None


class UnbuildableEmail(InvalidInput):
    """The case's data cannot make a mail that goes where it should (e.g. a non-ASCII address)."""

    code = "email_unbuildable"


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
    base = one_line(base, SUBJECT_CHARS) or "Your request"
    return f"Re: {base} [{reference}]"


class OutboundEmail(BaseModel):
    from_name: OneLine
    from_address: str
    to: list[str]
    subject: OneLine
    text: str
    message_id: str  # without <>
    in_reply_to: str | None = None
    references: list[str] = []

    def to_mime(self) -> bytes:
        """The message as SES sends it; UnbuildableEmail when its addresses or text cannot be written."""
        if not self.to or not all(mailable(a) for a in [self.from_address, *self.to]):
            raise UnbuildableEmail("an address of this email cannot be written in a header (SES takes ASCII only)")
        try:
            return self._mime()
        except (ValueError, UnicodeError, MessageError) as exc:  # what the standard library raises on bad input
            raise UnbuildableEmail(f"this email cannot be built ({type(exc).__name__})") from exc

    def _mime(self) -> bytes:
        # Up to RFC 5322's 998 characters a line: the default 78 folds a long Message-ID into
        # encoded words, and a mail client would no longer recognise the id it is answering.
        message = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
        # An Address, not formataddr's string: that one is parsed again, and a name like "; ¡" is lost.
        message["From"] = Address(display_name=self.from_name, addr_spec=self.from_address)
        message["To"] = ", ".join(self.to)
        message["Subject"] = self.subject
        message["Date"] = format_datetime(utc_now())
        message["Message-ID"] = f"<{self.message_id}>"
        # Ids come from customers' mail: one that is not a msg-id is left out rather than written.
        if self.in_reply_to and _MESSAGE_ID.fullmatch(self.in_reply_to):
            message["In-Reply-To"] = f"<{self.in_reply_to}>"
        if references := [r for r in self.references if _MESSAGE_ID.fullmatch(r)]:
            message["References"] = " ".join(f"<{r}>" for r in references)
        # RFC 3834: an answer from a person is not auto-submitted; auto-responders may answer it.
        message["Auto-Submitted"] = "no"
        message.set_content(self.text)
        return bytes(message)
