"""Turn one raw RFC 822/MIME email into a `ParsedEmail`.

Pure: no AWS, no settings, no I/O. `parse_email` never raises: whatever the standard library cannot read
cleanly is read again more leniently, and what was wrong is listed in `defects` with `malformed=True`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderParseError, MessageDefect, MessageError
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value, getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any, TypeAlias, TypeVar

import nh3
from mailparser_reply import EmailReplyParser

from shared.domain.mail import Bounce, BounceAction, MailKind, ParsedAttachment, ParsedEmail

_Part: TypeAlias = "Message[Any, Any]"  # a string: Message is not subscriptable at run time before 3.13
_T = TypeVar("_T")

# Every language mail-parser-reply knows a "wrote:"/"From:" header for; unknown keys are ignored by the library.
_REPLY_LANGUAGES = ["en", "de", "fr", "es", "nl", "sv", "pl", "it", "da", "cs", "ja", "ko", "zh"]
_REPLY_PARSER = EmailReplyParser(languages=_REPLY_LANGUAGES)

# cid: must survive so inline images (multipart/related) can be shown; title text is not part of the body.
_HTML_CLEANER = nh3.Cleaner(
    url_schemes=nh3.ALLOWED_URL_SCHEMES | {"cid"},
    clean_content_tags=nh3.CLEAN_CONTENT_TAGS | {"title"},
)

_MAX_DEFECTS = 50
_MAX_NESTING = 30
_MAX_HTML_CUTS = 8
_MIN_HTML_CUT_STEP = 16
_MAX_FILENAME_CHARS = 200
_MAX_EXTENSION_CHARS = 16

# Labels that lie about what they contain; decode with the superset that mail clients actually use
# (the WHATWG Encoding Standard does the same).
_CHARSET_SUPERSETS = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601-1989": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
}
# Declared as plain ASCII (or not declared at all), yet often 8-bit in practice.
_ASCII_LABELS = frozenset({"", "us-ascii", "ascii", "unknown-8bit", "x-unknown", "default"})

# Headers RFC 5322 §3.6 (and MIME) allow once; a second copy makes the message ambiguous.
_SINGLE_HEADERS = (
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Subject",
    "Date",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
)
_READ_HEADERS = ("From", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References")
_STRUCTURAL_DEFECTS = (
    "StartBoundaryNotFoundDefect",
    "MultipartInvariantViolationDefect",
    "NoBoundaryInMultipartDefect",
)

_ENCAPSULATED_TYPES = frozenset({"message/rfc822", "message/global"})
_DSN_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
_RETURNED_HEADER_TYPES = frozenset({"text/rfc822-headers", "message/global-headers"})
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/gif": ".gif",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "message/rfc822": ".eml",
    "text/calendar": ".ics",
    "text/html": ".html",
    "text/plain": ".txt",
}

_BRACKETED_ID = re.compile(r"<([^<>]*)>")

_PRECEDENCE_AUTO = frozenset({"bulk", "junk", "list", "auto_reply"})
_AUTO_REPLY_SUBJECTS = (
    "automatic reply:",
    "auto-reply:",
    "autoreply:",
    "out of office",
    "abwesenheitsnotiz",
    "automatische antwort:",
    "automaattne vastus",
    "réponse automatique",
    "respuesta automática",
    "risposta automatica",
    "automatisch antwoord",
)
_SUPPRESS_AUTO_VALUES = frozenset({"all", "oof"})


def parse_email(raw: bytes, *, max_text_chars: int = 100_000, max_html_chars: int = 100_000) -> ParsedEmail:
    """Parse one raw message; never raises. `text`/`html` are cut to the limits (`truncated=True` then)."""
    raw = bytes(raw)
    defects = _Defects()
    try:
        return _parse(raw, defects, max_text_chars=max_text_chars, max_html_chars=max_html_chars)
    except Exception as exc:  # noqa: BLE001 - the contract is "never raise"; keep the id and say what broke
        defects.add("ParserError", type(exc).__name__)
        return ParsedEmail(message_id=_raw_digest_id(raw), has_message_id=False, malformed=True, defects=defects.names)


def _parse(raw: bytes, defects: _Defects, *, max_text_chars: int, max_html_chars: int) -> ParsedEmail:
    header_message, tree = _parse_mime(raw, defects)
    headers = _HeaderReader(header_message, defects)
    message_ids: list[str] = _attempt(defects, "Message-ID", lambda: headers.ids("Message-ID"), [])
    in_reply_to: list[str] = _attempt(defects, "In-Reply-To", lambda: headers.ids("In-Reply-To"), [])
    references: list[str] = _attempt(defects, "References", lambda: headers.ids("References"), [])
    sender: list[tuple[str, str]] = _attempt(defects, "From", lambda: headers.addresses("From"), [])
    reply_to: list[tuple[str, str]] = _attempt(defects, "Reply-To", lambda: headers.addresses("Reply-To"), [])
    to: list[tuple[str, str]] = _attempt(defects, "To", lambda: headers.addresses("To"), [])
    cc: list[tuple[str, str]] = _attempt(defects, "Cc", lambda: headers.addresses("Cc"), [])
    subject = _attempt(defects, "Subject", lambda: headers.text("Subject"), "")
    date = _attempt(defects, "Date", headers.date, None)
    parts = _attempt(defects, "parts", lambda: _collect_parts(tree, defects), _Parts())
    body = _attempt(defects, "body", lambda: _render_body(parts, max_text_chars, max_html_chars), _Body())
    reply_text = _attempt(defects, "reply", lambda: _latest_reply(body.text), body.text)
    verdict = _attempt(defects, "classification", lambda: _classify(tree, headers, subject), _Verdict())
    virus = _attempt(defects, "X-SES-Virus-Verdict", lambda: headers.raw("X-SES-Virus-Verdict"), None)
    spam = _attempt(defects, "X-SES-Spam-Verdict", lambda: headers.raw("X-SES-Spam-Verdict"), None)
    return ParsedEmail(
        message_id=message_ids[0] if message_ids else _raw_digest_id(raw),
        has_message_id=bool(message_ids),
        in_reply_to=in_reply_to,
        references=references,
        from_address=sender[0][1] if sender else None,
        from_name=(sender[0][0] or None) if sender else None,
        reply_to=reply_to[0][1] if reply_to else None,
        to=[address for _, address in to],
        cc=[address for _, address in cc],
        subject=subject,
        date=date,
        text=body.text,
        reply_text=reply_text,
        html=body.html,
        attachments=parts.attachments,
        kind=verdict.kind,
        auto_reply_reason=verdict.auto_reply_reason,
        bounce=verdict.bounce,
        malformed=bool(defects.names),
        defects=defects.names,
        truncated=body.truncated,
        virus_verdict=virus.strip().upper() if virus else None,
        spam_verdict=spam.strip().upper() if spam else None,
    )


# --- defects and guards ---------------------------------------------------------------------------------------


class _Defects:
    """Defect names in the order found, without repeats, capped so garbage input cannot grow the record."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def add(self, name: str, detail: str = "") -> None:
        entry = _without_surrogates(f"{name}: {detail}" if detail else name)
        if entry not in self.names and len(self.names) < _MAX_DEFECTS:
            self.names.append(entry)

    def add_found(self, found: Iterable[MessageDefect], where: str = "") -> None:
        for defect in found:
            detail = " ".join(part for part in (where, str(defect)) if part)
            self.add(type(defect).__name__, detail)


def _attempt(defects: _Defects, section: str, compute: Callable[[], _T], fallback: _T) -> _T:
    try:
        return compute()
    except Exception as exc:  # noqa: BLE001 - one unreadable section must not lose the rest of the message
        defects.add("SectionError", f"{section} ({type(exc).__name__})")
        return fallback


def _raw_digest_id(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


# --- MIME structure -------------------------------------------------------------------------------------------


def _parse_mime(raw: bytes, defects: _Defects) -> tuple[_Part, _Part]:
    """Return (message to read headers from, message to walk for parts)."""
    try:
        message: _Part = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # noqa: BLE001 - the lenient compat32 parser below is the fallback
        defects.add("ParserError", f"policy.default ({type(exc).__name__})")
        lenient: _Part = BytesParser(policy=policy.compat32).parsebytes(raw)
        return lenient, lenient
    if _structural_defect_count(message) == 0:
        return message, message
    # policy.default reads e.g. an unquoted `boundary=----=_NextPart...` as "----" and loses every part;
    # compat32's older parameter parser reads it whole.
    lenient = BytesParser(policy=policy.compat32).parsebytes(raw)
    if _structural_defect_count(lenient) < _structural_defect_count(message):
        for part in message.walk():  # what policy.default found wrong still counts
            defects.add_found(part.defects)
        defects.add("FallbackParse", "compat32 read the MIME structure")
        return message, lenient
    return message, message


def _structural_defect_count(message: _Part) -> int:
    return sum(type(d).__name__ in _STRUCTURAL_DEFECTS for part in message.walk() for d in part.defects)


def _children(part: _Part) -> list[_Part]:
    payload = part.get_payload()
    return [child for child in payload if isinstance(child, Message)] if isinstance(payload, list) else []


def _payload_bytes(part: _Part) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


# --- headers --------------------------------------------------------------------------------------------------


class _HeaderReader:
    """Header values read from the raw lines, so one unreadable header cannot hide the others."""

    def __init__(self, message: _Part, defects: _Defects) -> None:
        self._message = message
        self._defects = defects
        self._raw = [(name, _unfold(str(value))) for name, value in message.raw_items()]
        for name, value in self._raw:
            if _has_legacy_8bit(value):
                defects.add("UndecodableBytesDefect", f"{name}: 8-bit bytes that are not UTF-8, read as Windows-1252")
        for name in _SINGLE_HEADERS:
            if (count := len(self.raw_all(name))) > 1:
                defects.add("DuplicateHeaderDefect", f"{name} appears {count} times")
        for name in _READ_HEADERS:
            self._check(name)

    def raw_all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [_without_surrogates(value) for key, value in self._raw if key.lower() == wanted]

    def raw(self, name: str) -> str | None:
        values = self.raw_all(name)
        return values[0] if values else None

    def text(self, name: str) -> str:
        """An unstructured header (Subject), RFC 2047 decoded, unfolded and stripped."""
        raw = self.raw(name)
        if raw is None:
            return ""
        if "=?" in raw:
            _check_encoded_word_charsets(raw, name, self._defects)
        if not raw.isascii():  # raw 8-bit: policy.default would turn legacy (non-UTF-8) bytes into U+FFFD
            return _decode_words(raw).strip()
        try:
            decoded = str(self._message[name])
        except Exception as exc:  # noqa: BLE001 - policy.default raises on some encoded words; decode them leniently
            self._defects.add("HeaderAccessError", f"{name} ({type(exc).__name__})")
            decoded = _decode_words(raw)
        if "=?" in decoded:  # words policy.default left encoded (no space around them, or a compat32 message)
            decoded = _decode_words(decoded)
        return _without_surrogates(_unfold(decoded)).strip()

    def ids(self, name: str) -> list[str]:
        return _dedupe(i for value in self.raw_all(name) for i in _message_ids(value))

    def addresses(self, name: str) -> list[tuple[str, str]]:
        """(display name, addr-spec) pairs; entries without a usable addr-spec are dropped."""
        pairs = getaddresses(self.raw_all(name))
        return [(_decode_display_name(display), address.strip()) for display, address in pairs if _is_address(address)]

    def date(self) -> datetime | None:
        raw = self.raw("Date")
        if not raw:
            return None
        try:
            parsed = parsedate_to_datetime(raw)
        except (ValueError, OverflowError, TypeError, IndexError):
            self._defects.add("InvalidDateDefect", f"Date: {raw!r}")
            return None
        if parsed.tzinfo is None:  # "-0000" (zone unknown by design), a missing zone or one like "H0500"
            if "-0000" not in raw:
                self._defects.add("InvalidDateDefect", "Date: unknown time zone, read as UTC")
            parsed = parsed.replace(tzinfo=UTC)
        return parsed

    def _check(self, name: str) -> None:
        """Read the header through policy.default once so its own defects are recorded too."""
        try:
            for header in self._message.get_all(name) or []:
                self._defects.add_found(getattr(header, "defects", ()), f"{name}:")
        except Exception as exc:  # noqa: BLE001 - e.g. bad encoded words; the raw value is read instead
            self._defects.add("HeaderAccessError", f"{name} ({type(exc).__name__})")


def _unfold(value: str) -> str:
    return value.replace("\r", "").replace("\n", "")


def _message_ids(value: str) -> list[str]:
    """Ids without <>; whitespace inside an id was put there by folding."""
    bracketed = _BRACKETED_ID.findall(value)
    candidates = bracketed or value.replace(",", " ").split()
    return [joined for candidate in candidates if (joined := "".join(candidate.split()))]


def _is_address(address: str) -> bool:
    local, at, domain = address.strip().partition("@")
    return bool(local and at and domain) and not any(ch.isspace() for ch in address.strip())


def _decode_display_name(name: str) -> str:
    # Encoded words are decoded after splitting the address list, so a decoded comma cannot split an address.
    # Many senders put them inside quotes ("=?utf-8?...?=" <a@b>), which RFC 2047 forbids but everyone reads.
    return (_decode_words(name) if "=?" in name else _without_surrogates(name)).strip()


def _decode_words(value: str) -> str:
    """RFC 2047 decoding that tolerates unknown charsets and bad encoding (replacement characters instead)."""
    try:
        chunks = decode_header(value)
    except (HeaderParseError, ValueError, LookupError, UnicodeError, IndexError):
        return _without_surrogates(value)
    pieces = [chunk if isinstance(chunk, str) else _decode_bytes(chunk, charset) for chunk, charset in chunks]
    return _without_surrogates("".join(pieces))


def _check_encoded_word_charsets(raw: str, name: str, defects: _Defects) -> None:
    try:
        charsets = {charset for _, charset in decode_header(raw) if charset}
    except (HeaderParseError, ValueError, LookupError, UnicodeError, IndexError) as exc:
        defects.add("InvalidEncodedWordDefect", f"{name} ({type(exc).__name__})")
        return
    for charset in sorted(charsets):
        if _known_codec(charset) is None:
            defects.add("CharsetError", f"{name}: unknown charset {charset!r}")


# --- text decoding --------------------------------------------------------------------------------------------


def _known_codec(charset: str) -> str | None:
    """The Python codec for a MIME charset label, or None when Python has no text codec by that name."""
    label = charset.strip().strip("\"'").lower()
    for candidate in (label, label.removeprefix("x-")):  # x-mac-roman and friends
        codec = _CHARSET_SUPERSETS.get(candidate, candidate)
        try:
            "".encode(codec)
            b"".decode(codec)
        except (LookupError, ValueError, TypeError, UnicodeError):  # unknown, or a bytes codec such as base64
            continue
        return codec
    return None


def _decode_bytes(data: bytes, charset: str | None) -> str:
    label = (charset or "").strip().strip("\"'").lower()
    if label in _ASCII_LABELS:
        # RFC 6532 says UTF-8; legacy mail that says nothing is usually Windows-1252.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", "replace")
    codec = _known_codec(label) or "utf-8"
    try:
        return data.decode(codec, "replace")
    except (LookupError, UnicodeError, ValueError, TypeError):  # codecs that fail even with errors="replace"
        return data.decode("utf-8", "replace")


def _without_surrogates(text: str) -> str:
    """Undo the parser's surrogateescape (raw 8-bit bytes in headers) so the result is valid Unicode."""
    if text.isascii():
        return text
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return _decode_bytes(data, None)


def _has_legacy_8bit(value: str) -> bool:
    """Raw 8-bit header bytes (surrogate-escaped by the parser) that are not valid UTF-8."""
    if value.isascii():
        return False
    try:
        value.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return True
    return False


def _dedupe(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


# --- bodies and attachments -----------------------------------------------------------------------------------


@dataclass
class _Parts:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)


def _collect_parts(message: _Part, defects: _Defects) -> _Parts:
    found = _Parts()
    _visit(message, found, defects, depth=0)
    return found


def _visit(part: _Part, found: _Parts, defects: _Defects, depth: int) -> None:
    defects.add_found(part.defects)
    content_type = part.get_content_type()
    if content_type in _ENCAPSULATED_TYPES:
        found.attachments.append(_forwarded_message(part, len(found.attachments) + 1))
    elif content_type in _DSN_TYPES or content_type in _RETURNED_HEADER_TYPES:
        return  # machine-readable bounce parts: read into `bounce`, not shown as body or attachment
    elif content_type.startswith("multipart/") and not part.is_multipart():
        return  # a multipart whose boundary was never found: only preamble text, already listed as a defect
    elif part.is_multipart():
        if depth >= _MAX_NESTING:
            defects.add("NestingTooDeepDefect", f"more than {_MAX_NESTING} levels of multipart")
            return
        for child in _children(part):
            _visit(child, found, defects, depth + 1)
    elif _is_body(part, content_type):
        target = found.plain if content_type == "text/plain" else found.html
        target.append(_part_text(part, defects))
    else:
        found.attachments.append(_attachment(part, content_type, len(found.attachments) + 1))


def _is_body(part: _Part, content_type: str) -> bool:
    return (
        content_type in ("text/plain", "text/html")
        and part.get_content_disposition() != "attachment"
        and not part.get_filename()
    )


def _part_text(part: _Part, defects: _Defects) -> str:
    charset = part.get_content_charset()
    if charset and charset not in _ASCII_LABELS and _known_codec(charset) is None:
        defects.add("CharsetError", f"{part.get_content_type()} part: unknown charset {charset!r}, read as UTF-8")
    text = _decode_bytes(_payload_bytes(part), charset)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _attachment(part: _Part, content_type: str, number: int) -> ParsedAttachment:
    content = _payload_bytes(part)
    content_id = _content_id(part)
    fallback = f"attachment-{number}{_EXTENSIONS.get(content_type, '.bin')}"
    return ParsedAttachment(
        filename=_safe_filename(_declared_filename(part), fallback),
        content_type=content_type,
        size=len(content),
        content=content,
        content_id=content_id,
        # Inline means "shown inside the HTML via cid:"; an inline image nobody references is still listed.
        inline=content_id is not None and part.get_content_disposition() != "attachment",
    )


def _forwarded_message(part: _Part, number: int) -> ParsedAttachment:
    inner = next(iter(_children(part)), None)
    content = _message_bytes(inner) if inner is not None else _payload_bytes(part)
    subject = _HeaderReader(inner, _Defects()).text("Subject") if inner is not None else ""
    name = f"{subject}.eml" if subject else _declared_filename(part)
    return ParsedAttachment(
        filename=_safe_filename(name, f"forwarded-message-{number}.eml"),
        content_type="message/rfc822",
        size=len(content),
        content=content,
        content_id=_content_id(part),
    )


def _message_bytes(message: _Part) -> bytes:
    # compat32 writes the parsed header lines back as they came instead of refolding them.
    try:
        return message.as_bytes(policy=policy.compat32)
    except (MessageError, ValueError, TypeError, LookupError, UnicodeError):
        return b""


def _declared_filename(part: _Part) -> str | None:
    name = part.get_filename()
    if not name:
        return None
    return _decode_words(name) if "=?" in name else _without_surrogates(name)


def _content_id(part: _Part) -> str | None:
    value = part.get("Content-ID")
    if value is None:
        return None
    ids = _message_ids(_without_surrogates(_unfold(str(value))))
    return ids[0] if ids else None


def _safe_filename(name: str | None, fallback: str) -> str:
    """A name usable as the last segment of an S3 key: no directories, no control characters, <= 200 chars."""
    if not name:
        return fallback
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(_filename_char(ch) for ch in base if not unicodedata.category(ch).startswith("C"))
    kept = kept.strip(" .")
    if len(kept) > _MAX_FILENAME_CHARS:
        stem, dot, extension = kept.rpartition(".")
        if dot and stem and len(extension) <= _MAX_EXTENSION_CHARS:
            kept = f"{stem[: _MAX_FILENAME_CHARS - len(extension) - 1]}.{extension}"
        else:
            kept = kept[:_MAX_FILENAME_CHARS]
    return kept if kept.strip("._ ") else fallback


def _filename_char(ch: str) -> str:
    # Letters and digits of any script, combining marks, and the punctuation AWS lists as safe in object keys.
    if ch.isalnum() or unicodedata.category(ch).startswith("M") or ch in " -_.!'()":
        return ch
    return "_"


# --- rendering: text, html, reply ----------------------------------------------------------------------------


@dataclass
class _Body:
    text: str = ""
    html: str | None = None
    truncated: bool = False


def _render_body(parts: _Parts, max_text_chars: int, max_html_chars: int) -> _Body:
    plain = "\n\n".join(text.strip() for text in parts.plain if text.strip())
    html_source = "\n".join(text for text in parts.html if text.strip())
    text = plain or _html_to_text(html_source)
    html = _HTML_CLEANER.clean(html_source).strip() if html_source else None
    cut_text = text[: max(max_text_chars, 0)]
    cut_html = _truncate_html(html, max_html_chars) if html is not None else None
    return _Body(text=cut_text, html=cut_html, truncated=cut_text != text or cut_html != html)


def _truncate_html(html: str, limit: int) -> str:
    """Cut sanitised HTML to `limit` chars and sanitise again so no tag is left half open."""
    limit = max(limit, 0)
    if len(html) <= limit:
        return html
    cut = limit
    for _ in range(_MAX_HTML_CUTS):
        candidate = _HTML_CLEANER.clean(html[:cut])
        if len(candidate) <= limit:
            return candidate
        # Re-sanitising closed the open tags, which takes room: cut that much more and try again.
        cut -= max(len(candidate) - limit, _MIN_HTML_CUT_STEP)
        if cut <= 0:
            break
    return ""


def _latest_reply(text: str) -> str:
    if not text.strip():
        return ""
    reply: object = _REPLY_PARSER.parse_reply(text=text)
    # Some bodies are all quote or all signature to the library; then the whole text is the best answer.
    return reply if isinstance(reply, str) and reply.strip() else text


class _TextExtractor(HTMLParser):
    """HTML to readable text: tags dropped, blocks and <br> become line breaks, script/style skipped."""

    _HIDDEN = frozenset({"script", "style", "title", "template"})
    _BREAKS = frozenset(
        {"br", "p", "div", "li", "tr", "table", "ul", "ol", "blockquote", "pre", "hr", "section", "article"}
        | {"header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "center", "address"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._chunks: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth += 1
        elif tag in self._BREAKS:
            self._chunks.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BREAKS:
            self._chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth = max(self._hidden_depth - 1, 0)
        elif tag in self._BREAKS:
            self._chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if self._hidden_depth:
            return
        # HTML collapses runs of whitespace (source line breaks included) into one space.
        words = " ".join(data.split())
        before = " " if data[:1].isspace() else ""
        after = " " if data[-1:].isspace() and words else ""
        self._chunks.append(f"{before}{words}{after}")

    def text(self) -> str:
        return "".join(self._chunks)


def _html_to_text(html: str) -> str:
    if not html.strip():
        return ""
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
        text = extractor.text()
    except (AssertionError, ValueError):  # html.parser gives up on some broken markup declarations
        text = nh3.clean(html, tags=set())
    return _tidy_lines(text)


def _tidy_lines(text: str) -> str:
    lines = [line.strip() for line in text.split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):  # at most one empty line between paragraphs
            kept.append(line)
    return "\n".join(kept).strip()


# --- classification: bounce, auto-reply, regular --------------------------------------------------------------


@dataclass
class _Verdict:
    kind: MailKind = MailKind.REGULAR
    auto_reply_reason: str | None = None
    bounce: Bounce | None = None


def _classify(message: _Part, headers: _HeaderReader, subject: str) -> _Verdict:
    # A DSN also carries Auto-Submitted (RFC 3464 asks for it), so the bounce check comes first.
    if _is_delivery_report(message):
        return _Verdict(kind=MailKind.BOUNCE, bounce=_read_bounce(message, headers))
    reason = _auto_reply_reason(headers, subject)
    if reason:
        return _Verdict(kind=MailKind.AUTO_REPLY, auto_reply_reason=reason)
    return _Verdict()


def _is_delivery_report(message: _Part) -> bool:
    if message.get_content_type() != "multipart/report":
        return False
    report_type = message.get_param("report-type")
    if report_type:
        return collapse_rfc2231_value(report_type).strip().lower() == "delivery-status"
    # Some MTAs (PMDF, in the CPython sample) leave report-type out; the delivery-status part still says it.
    return any(child.get_content_type() in _DSN_TYPES for child in _children(message))


def _auto_reply_reason(headers: _HeaderReader, subject: str) -> str | None:
    auto_submitted = headers.raw("Auto-Submitted")
    if auto_submitted and _first_word(auto_submitted) not in ("", "no"):  # RFC 3834
        return f"Auto-Submitted: {auto_submitted.strip()}"
    for name in ("X-Autoreply", "X-Autorespond"):
        value = headers.raw(name)
        if value is not None:
            return f"{name}: {value.strip()}"
    precedence = headers.raw("Precedence")
    if precedence and _first_word(precedence) in _PRECEDENCE_AUTO:
        return f"Precedence: {precedence.strip()}"
    lowered = subject.lower()
    prefix = next((p for p in _AUTO_REPLY_SUBJECTS if lowered.startswith(p)), None)
    if prefix:
        return f"Subject: {subject[: len(prefix)]}"
    return _suppressed_auto_reply_reason(headers, lowered)


def _suppressed_auto_reply_reason(headers: _HeaderReader, lowered_subject: str) -> str | None:
    # Outlook puts X-Auto-Response-Suppress on ordinary mail too, so alone it proves nothing; with an
    # auto-reply phrase anywhere in the subject ("RE: [EXT] Automatic reply: ...") it does.
    suppress = headers.raw("X-Auto-Response-Suppress") or ""
    values = {value.strip().lower() for value in suppress.split(",")}
    phrase = next((p for p in _AUTO_REPLY_SUBJECTS if p in lowered_subject), None)
    if values & _SUPPRESS_AUTO_VALUES and phrase:
        return f"X-Auto-Response-Suppress: {suppress.strip()} with subject {phrase!r}"
    return None


def _first_word(value: str) -> str:
    words = value.replace(";", " ").replace("(", " ").split()
    return words[0].lower() if words else ""


def _read_bounce(report: _Part, headers: _HeaderReader) -> Bounce:
    children = _children(report)
    blocks = [block for child in children if child.get_content_type() in _DSN_TYPES for block in _dsn_blocks(child)]
    per_recipient = [b for b in blocks if "action" in b or "final-recipient" in b or "original-recipient" in b]
    failed_header = [address for _, address in getaddresses(headers.raw_all("X-Failed-Recipients"))]
    recipients = [_strip_type(b.get("final-recipient") or b.get("original-recipient") or "") for b in per_recipient]
    return Bounce(
        action=_bounce_action([_first_word(b.get("action", "")) for b in per_recipient], failed_header),
        status=next((_first_word(b["status"]) for b in per_recipient if b.get("status")), None),
        recipients=_dedupe(r for r in recipients + failed_header if r),
        original_message_ids=_dedupe(i for child in children for i in _returned_message_ids(child)),
        diagnostic=next((_strip_type(b["diagnostic-code"]) for b in per_recipient if b.get("diagnostic-code")), None),
    )


def _bounce_action(actions: list[str], failed_recipients: list[str]) -> BounceAction:
    if "failed" in actions:
        return BounceAction.FAILED
    if "delayed" in actions:
        return BounceAction.DELAYED
    # Gmail sends an empty delivery-status part; X-Failed-Recipients (Exim, Gmail) then says it failed.
    if not any(actions) and failed_recipients:
        return BounceAction.FAILED
    return BounceAction.OTHER


def _dsn_blocks(part: _Part) -> list[dict[str, str]]:
    """The field groups of a delivery-status part (per-message first, then one per recipient)."""
    blocks = _children(part)
    if not blocks:
        text = _decode_bytes(_payload_bytes(part), "utf-8").replace("\r\n", "\n")
        blocks = [
            BytesParser(policy=policy.compat32).parsebytes(chunk.encode(), headersonly=True)
            for chunk in text.split("\n\n")
        ]
    return [
        {name.lower(): _without_surrogates(_unfold(str(value))).strip() for name, value in b.raw_items()}
        for b in blocks
    ]


def _strip_type(value: str) -> str:
    """`rfc822; a@b` -> `a@b`, `smtp; 550 ...` -> `550 ...` (RFC 3464 typed fields)."""
    _, semicolon, rest = value.partition(";")
    return (rest if semicolon else value).strip().strip("<>").strip()


def _returned_message_ids(part: _Part) -> Iterator[str]:
    content_type = part.get_content_type()
    if content_type in _ENCAPSULATED_TYPES:
        returned = next(iter(_children(part)), None)
    elif content_type in _RETURNED_HEADER_TYPES:
        returned = BytesParser(policy=policy.compat32).parsebytes(_payload_bytes(part), headersonly=True)
    else:
        return
    if returned is not None:
        reader = _HeaderReader(returned, _Defects())
        yield from reader.ids("Message-ID")
        yield from reader.ids("In-Reply-To")
