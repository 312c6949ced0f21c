"""Personal data in a customer's text: find it and replace it with a placeholder that says what it was.

Learned phrasings of knowledge-base articles and the search log keep customers' own words for months and are
read by admins and fed back into search, so they must never hold personal data in clear text. `scrub` turns
"helista 5123 4567" into "helista [phone]" before such text is stored.

What is caught, each with the validation that exists for it so that dates, amounts and order numbers survive:

- `[email]`   local@domain.tld (plus tags, dots and non-ASCII letters allowed);
- `[phone]`   numbers phonenumbers' matcher calls valid, read in a default region (Estonia unless told);
- `[card]`    13-19 digits, compact or grouped by spaces or dashes, passing the Luhn check;
- `[iban]`    ISO 13616 IBANs, compact or in groups of four, passing the mod-97 check;
- `[id-code]` Estonian isikukood and Lithuanian asmens kodas, Finnish henkilötunnus and Latvian personas kods,
  each with its birth date and check digit (new Latvian codes, which carry neither, by their "32" prefix);
- `[name]`    what the platform knows of the customer who wrote it (`scrub_known`: their name, the words of
  their identities), in any case ending and with or without diacritics.

A match never starts or ends inside a longer run of letters or digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

DEFAULT_REGION = "EE"


class PersonalDataKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CARD = "card"
    IBAN = "iban"
    ID_CODE = "id-code"
    NAME = "name"


class Finding(BaseModel):
    """One piece of personal data: what it is and where it sits in the text (`text[start:end]`)."""

    model_config = ConfigDict(frozen=True)

    kind: PersonalDataKind
    start: int
    end: int

    @property
    def placeholder(self) -> str:
        return f"[{self.kind.value}]"


def scrub_line(text: str, *, default_region: str = DEFAULT_REGION) -> str:
    """`scrub`, with every run of whitespace made one space: a customer's words as one line."""
    return " ".join(scrub(text, default_region=default_region).split())


def scrub(text: str, *, default_region: str = DEFAULT_REGION) -> str:
    """`text` with every piece of personal data replaced by its placeholder (`[email]`, `[phone]`, ...).

    Phone numbers without a country code are read as numbers of `default_region` (ISO 3166 alpha-2).
    """
    # Right to left, so the offsets of the findings not yet replaced stay true.
    for finding in reversed(find(text, default_region)):
        text = text[: finding.start] + finding.placeholder + text[finding.end :]
    return text


# What a placeholder looks like in scrubbed text (it is no word of the customer's).
PLACEHOLDERS = re.compile("|".join(re.escape(f"[{kind.value}]") for kind in PersonalDataKind))
_KNOWN_PART = re.compile(r"[^\W\d_]{2,}")  # the words of a name or an identity worth looking for
_WORD = re.compile(r"\w+")
_PREFIX_SHORTEST = 4  # a known word this long is also found with an ending ("Saarepuule", "Kristjani")


def scrub_known(text: str, known: Iterable[str]) -> str:
    """`text` with every word of what is known about its writer (`known`: their name, their identities'
    values) replaced by `[name]`: the word itself, or, for a known word of four letters or more, the word with
    an ending (Estonian case endings); letters compared without case and diacritics. E-mail identities count
    by their local part ("kristjan.saarepuu"), not by their domain."""
    parts = {_folded(p) for value in known for p in _KNOWN_PART.findall(value.split("@")[0])}
    if not parts:
        return text

    def replace(match: re.Match[str]) -> str:
        word = _folded(match.group())
        found = word in parts or any(len(p) >= _PREFIX_SHORTEST and word.startswith(p) for p in parts)
        return f"[{PersonalDataKind.NAME.value}]" if found else match.group()

    return _WORD.sub(replace, text)


def _folded(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def find(text: str, default_region: str = DEFAULT_REGION) -> list[Finding]:
    """The personal data in `text`, in order, never overlapping: of overlapping matches the longest (then the
    earliest) wins."""
    structured = _without_overlaps([*_emails(text), *_ibans(text), *_cards(text), *_id_codes(text)])
    # Phones last and on the rest of the text only: a card, IBAN or ID code is never half-matched as a phone.
    rest = _masked(text, structured)
    phones = [_finding(PersonalDataKind.PHONE, start, end) for start, end in _phones(rest, default_region)]
    return sorted([*structured, *phones], key=lambda finding: finding.start)


# --- overlaps ------------------------------------------------------------------------------------------------

# On a tie in length and position the more specific kind wins (an 11-digit run is an ID code before anything).
_PRECEDENCE = [PersonalDataKind.ID_CODE, PersonalDataKind.IBAN, PersonalDataKind.CARD, PersonalDataKind.EMAIL]


def _without_overlaps(candidates: Iterable[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    ranked = sorted(candidates, key=lambda f: (f.start - f.end, f.start, _PRECEDENCE.index(f.kind)))
    for candidate in ranked:
        if all(candidate.end <= other.start or other.end <= candidate.start for other in kept):
            kept.append(candidate)
    return kept


def _masked(text: str, findings: Iterable[Finding]) -> str:
    # A letter run the length of each finding: offsets stay put, and phonenumbers will not read a number
    # into (or across) it because it refuses numbers glued to Latin letters.
    for finding in findings:
        text = text[: finding.start] + "Z" * (finding.end - finding.start) + text[finding.end :]
    return text


def _finding(kind: PersonalDataKind, start: int, end: int) -> Finding:
    return Finding(kind=kind, start=start, end=end)


def _bounded(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` is not a piece of a longer run of letters or digits."""
    return (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())


# --- email ---------------------------------------------------------------------------------------------------

# Deliberately looser than RFC 5322 (no quoted local parts) and stricter where text needs it: the top-level
# domain is letters (or punycode), so "v1.2@3.4" or a Python decorator in pasted code is not an address.
_EMAIL = re.compile(
    r"(?<![\w+-])[\w+-](?:[\w.+-]{0,62}[\w+-])?"
    r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[0-9a-z-]{1,59})(?![\w-])",
)


def _emails(text: str) -> Iterator[Finding]:
    for match in _EMAIL.finditer(text):
        yield _finding(PersonalDataKind.EMAIL, match.start(), match.end())


# --- phone ---------------------------------------------------------------------------------------------------


def _phones(text: str, default_region: str) -> Iterator[tuple[int, int]]:
    if not any(char.isdigit() for char in text):  # the matcher is the slow part; most queries have no digits
        return
    import phonenumbers  # noqa: PLC0415 - ~25 ms of import that only functions reading a number pay

    for match in phonenumbers.PhoneNumberMatcher(text, default_region, leniency=phonenumbers.Leniency.VALID):
        # The matcher only refuses Latin letters around a number; "5123 4567õ" is a word, not a number.
        if _bounded(text, match.start, match.end):
            yield match.start, match.end


# --- card ----------------------------------------------------------------------------------------------------

# A run of digit groups separated by single spaces or dashes; which part of it is a card is decided in code,
# so that "order 48213 4111 1111 1111 1111" still yields the card.
_DIGIT_RUN = re.compile(r"[0-9]+(?:[ -][0-9]+)*")
_DIGIT_GROUP = re.compile(r"[0-9]+")
_CARD_DIGITS = range(13, 20)
_CARD_FIRST_GROUP = 4  # every issuer's grouping (4-4-4-4, 4-6-5, 4-6-4, 4-4-4-4-3) starts with four digits
_CARD_MAX_GROUP = 6


def _cards(text: str) -> Iterator[Finding]:
    for run in _DIGIT_RUN.finditer(text):
        groups = [(m.start(), m.end()) for m in _DIGIT_GROUP.finditer(text, run.start(), run.end())]
        for first, (start, _) in enumerate(groups):
            digits = ""
            for last in range(first, len(groups)):
                end = groups[last][1]
                digits += text[groups[last][0] : end]
                if len(digits) > _CARD_DIGITS[-1]:
                    break
                if _is_card(text, groups[first : last + 1]) and _bounded(text, start, end) and _luhn_valid(digits):
                    yield _finding(PersonalDataKind.CARD, start, end)


def _is_card(text: str, groups: list[tuple[int, int]]) -> bool:
    digits = sum(end - start for start, end in groups)
    if digits not in _CARD_DIGITS or text[groups[0][0]] == "0":  # no issuer number starts with 0
        return False
    if len(groups) == 1:
        return True
    separators = {text[end] for _, end in groups[:-1]}
    sizes = [end - start for start, end in groups]
    # One kind of separator, and a grouping a person would type: a card glued to a quantity or an order
    # number in the same run is not swallowed.
    return len(separators) == 1 and sizes[0] == _CARD_FIRST_GROUP and max(sizes) <= _CARD_MAX_GROUP


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


# --- IBAN ----------------------------------------------------------------------------------------------------

# Country code, check digits, then either the rest in one piece or in space-separated groups of up to four
# characters (each ending at a word boundary); which prefix of the groups is the IBAN is decided in code, so
# that "EE38 2200 2210 2014 5685 need help" stops before "need".
_IBAN = re.compile(r"(?<![^\W_])[A-Za-z]{2}[0-9]{2}[A-Za-z0-9]*(?![^\W_])(?: [A-Za-z0-9]{1,4}(?![^\W_]))*")
_IBAN_LENGTH = range(15, 35)  # Norway's 15 to the longest the standard allows
_IBAN_GROUP = 4


def _ibans(text: str) -> Iterator[Finding]:
    for match in _IBAN.finditer(text):
        groups = match.group().split(" ")
        for count in range(len(groups), 0, -1):  # longest first
            if count > 1 and any(len(group) != _IBAN_GROUP for group in groups[: count - 1]):
                continue
            iban = "".join(groups[:count]).upper()
            if len(iban) in _IBAN_LENGTH and _mod97_valid(iban):
                yield _finding(PersonalDataKind.IBAN, match.start(), match.start() + len(" ".join(groups[:count])))
                break


def _mod97_valid(iban: str) -> bool:
    # ISO 13616: the country code and check digits move to the end, letters become 10..35, remainder 1.
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


# --- personal ID codes ---------------------------------------------------------------------------------------

_ELEVEN_DIGITS = re.compile(r"(?<![^\W_])[0-9]{11}(?![^\W_])")
_LATVIAN_HYPHENATED = re.compile(r"(?<![^\W_])[0-9]{6}-[0-9]{5}(?![^\W_])")
_FINNISH = re.compile(r"(?<![^\W_])[0-9]{6}[-+A-FU-Ya-fu-y][0-9]{3}[0-9A-Ya-y](?![^\W_])")

_BALTIC_WEIGHTS = ((1, 2, 3, 4, 5, 6, 7, 8, 9, 1), (3, 4, 5, 6, 7, 8, 9, 1, 2, 3))
_LATVIAN_WEIGHTS = (1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_LATVIAN_NEW_PREFIX = "32"  # codes issued since 2017 carry no birth date and no check digit
_FINNISH_CENTURIES = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900} | dict.fromkeys(
    "ABCDEF", 2000
)
_FINNISH_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def _id_codes(text: str) -> Iterator[Finding]:
    for match in _ELEVEN_DIGITS.finditer(text):
        code = match.group()
        if _estonian_or_lithuanian_valid(code) or _latvian_valid(code):
            yield _finding(PersonalDataKind.ID_CODE, match.start(), match.end())
    for match in _LATVIAN_HYPHENATED.finditer(text):
        if _latvian_valid(match.group().replace("-", "")):
            yield _finding(PersonalDataKind.ID_CODE, match.start(), match.end())
    for match in _FINNISH.finditer(text):
        if _finnish_valid(match.group().upper()):
            yield _finding(PersonalDataKind.ID_CODE, match.start(), match.end())


def _estonian_or_lithuanian_valid(code: str) -> bool:
    """Isikukood / asmens kodas: GYYMMDDSSSC, G = sex and century (1-2: 1800s, 3-4: 1900s, 5-6: 2000s)."""
    gender = int(code[0])
    if not 1 <= gender <= 6:
        return False
    century = 1800 + (gender - 1) // 2 * 100
    if not _is_date(century + int(code[1:3]), int(code[3:5]), int(code[5:7])):
        return False
    digits = [int(char) for char in code]
    for weights in _BALTIC_WEIGHTS:
        remainder = sum(w * d for w, d in zip(weights, digits, strict=False)) % 11
        if remainder < 10:
            return remainder == digits[10]
    return digits[10] == 0  # 10 with both weight sets


def _latvian_valid(code: str) -> bool:
    """Personas kods: DDMMYYCNNNX, C = century (0: 1800s, 1: 1900s, 2: 2000s); or a new code starting 32."""
    if code.startswith(_LATVIAN_NEW_PREFIX):
        return True
    century = int(code[6])
    if century > 2 or not _is_date(1800 + century * 100 + int(code[4:6]), int(code[2:4]), int(code[0:2])):
        return False
    total = sum(w * int(d) for w, d in zip(_LATVIAN_WEIGHTS, code, strict=False))
    # As python-stdnum does: a remainder of 10 reads as 0 (no authoritative public source says otherwise).
    return (1101 - total) % 11 % 10 == int(code[10])


def _finnish_valid(code: str) -> bool:
    """Henkilötunnus: DDMMYY, a century sign, a three-digit individual number and a check character."""
    if not _is_date(_FINNISH_CENTURIES[code[6]] + int(code[4:6]), int(code[2:4]), int(code[0:2])):
        return False
    return _FINNISH_CHECK[int(code[0:6] + code[7:10]) % 31] == code[10]


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
