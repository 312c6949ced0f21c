"""Identities: how a customer is recognised on a channel, normalised so one person is one key."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, NewType

from pydantic import BaseModel, ConfigDict, StringConstraints

from shared.domain.ids import CustomerId
from shared.errors import InvalidInput

E164Phone = NewType("E164Phone", str)
NormalisedEmail = NewType("NormalisedEmail", str)

_MAX_EMAIL_LENGTH = 254


class IdentityKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    MESSENGER = "messenger"
    CHAT = "chat"
    EXTERNAL = "external"


class InvalidEmail(InvalidInput):
    code = "invalid_email"


class InvalidPhone(InvalidInput):
    code = "invalid_phone"


def normalise_email(raw: str) -> NormalisedEmail:
    """Check the syntax (email-validator, no DNS), case-fold the address, IDNA-encode the domain.

    `Jüri@Näide.EE` → `jüri@xn--nide-loa.ee`. The local part is case-folded too: mail providers
    treat it case-insensitively in practice, and `Mari@` and `mari@` must be one person.
    """
    # Imported here: its patterns cost ~30 ms of every cold start of functions that never read an address.
    from email_validator import EmailNotValidError, validate_email  # noqa: PLC0415

    address = raw.strip().rstrip(".") if raw.strip().count("@") == 1 else raw.strip()
    try:
        valid = validate_email(
            address,
            check_deliverability=False,
            allow_smtputf8=True,
            allow_quoted_local=True,
            globally_deliverable=False,  # .example, .test and private domains are real in tests and intranets
        )
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from exc
    normalised = f"{valid.local_part.casefold()}@{valid.ascii_domain.lower()}"
    if len(normalised) > _MAX_EMAIL_LENGTH:  # IDNA and case folding can lengthen it
        raise InvalidEmail("the email address is too long")
    return NormalisedEmail(normalised)


def normalise_phone(raw: str, default_region: str) -> E164Phone:
    """E.164 (`+3725123456`) via phonenumbers; numbers without `+` are read in `default_region`."""
    import phonenumbers  # noqa: PLC0415 - ~25 ms of import that only functions reading a number pay

    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid phone number")
    return E164Phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


IdentityValue = Annotated[str, StringConstraints(min_length=1, max_length=512)]


class Identity(BaseModel):
    """(kind, normalised value); build with `Identity.email(...)` / `Identity.phone(...)` to normalise."""

    model_config = ConfigDict(frozen=True)

    kind: IdentityKind
    value: IdentityValue

    @classmethod
    def email(cls, raw: str) -> Identity:
        return cls(kind=IdentityKind.EMAIL, value=normalise_email(raw))

    @classmethod
    def phone(cls, raw: str, default_region: str) -> Identity:
        return cls(kind=IdentityKind.PHONE, value=normalise_phone(raw, default_region))

    @property
    def key(self) -> str:
        return f"{self.kind.value}#{self.value}"


class IdentityRecord(BaseModel):
    """Who owns an identity now, and who owned it first (for undoing merges)."""

    identity: Identity
    customer_id: CustomerId
    origin_customer_id: CustomerId
