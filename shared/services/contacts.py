"""The web form: a customer's message becomes a case on their timeline."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from shared.domain.channels import AuthorKind, Channel, Direction
from shared.domain.clock import utc_now
from shared.domain.identity import (
    Identity,
    IdentityKind,
    InvalidEmail,
    InvalidPhone,
    normalise_email,
    normalise_phone,
)
from shared.domain.ids import CaseId, CaseReference, CustomerId, new_message_id
from shared.domain.message import Author, Message
from shared.domain.outbound_mail import mailable
from shared.domain.search_log import VisitorContact
from shared.ports import Once, SearchLog
from shared.services.cases import CaseService
from shared.services.customers import CustomerService
from shared.settings import get_settings

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
# BCP 47-ish: "en", "et", "en-GB", "zh-Hant-TW".
Locale = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35)]


def _given(field: str) -> dict[str, Any]:
    return {"required": [field], "properties": {field: {"type": "string", "pattern": r"\S"}}}


class SubmitContactRequest(BaseModel):
    """What the web form sends. At least one of email and phone, so we can answer (else `contact_required`)."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"anyOf": [_given("email"), _given("phone")]}
    )

    name: Text = Field(min_length=1, max_length=200)
    email: Text | None = Field(default=None, max_length=254, examples=["mari@example.ee"])
    phone: Text | None = Field(default=None, max_length=32, examples=["+372 5123 4567"])
    subject: Text = Field(min_length=1, max_length=200)
    message: Text = Field(min_length=1, max_length=20_000)
    locale: Locale = Field(default="en", examples=["et", "en-GB"])

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            address = normalise_email(value)
        except InvalidEmail as exc:
            raise PydanticCustomError("invalid_email", "{reason}", {"reason": exc.message}) from exc
        if not mailable(address):  # the form promises an answer by email: refuse what no mail can reach
            raise PydanticCustomError("invalid_email", "we cannot send email to this address; write it in ASCII")
        return address

    @field_validator("phone")
    @classmethod
    def _valid_phone(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return normalise_phone(value, get_settings().default_phone_region)
        except InvalidPhone as exc:
            raise PydanticCustomError("invalid_phone", "{reason}", {"reason": exc.message}) from exc

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if not self.email and not self.phone:
            raise PydanticCustomError("contact_required", "give an email address or a phone number")
        return self


class SubmitContactResponse(BaseModel):
    """What the public is told: the new case, nothing about the customer (not even whether one existed)."""

    case_id: CaseId
    reference: CaseReference = Field(description="What the customer quotes; agents open the case by it")


class AcceptedContact(SubmitContactResponse):
    """The submission's outcome inside Tugi (logs key on the customer)."""

    customer_id: CustomerId

    def public(self) -> SubmitContactResponse:
        return SubmitContactResponse(case_id=self.case_id, reference=self.reference)


class ContactForm:
    def __init__(self, customers: CustomerService, cases: CaseService, once: Once, log: SearchLog) -> None:
        self.customers = customers
        self.cases = cases
        self.once = once
        self.log = log

    def submit(self, request: SubmitContactRequest, *, visitor: str | None = None) -> AcceptedContact:
        """Open a case; the same submission again (a double click, a retry) returns the same case.

        `visitor` is the portal's per-browser id: searches it made before count as not deflected.
        """
        accepted = self.once.run("web_form", request, lambda: self._submit(request), AcceptedContact)
        if visitor:
            self.log.record_contact(VisitorContact(visitor=visitor, case_id=accepted.case_id, at=utc_now()))
        return accepted

    def _submit(self, request: SubmitContactRequest) -> AcceptedContact:
        identities = [
            *([Identity.email(request.email)] if request.email else []),
            *([Identity(kind=IdentityKind.PHONE, value=request.phone)] if request.phone else []),  # E.164 already
        ]
        customer = self.customers.resolve(
            identities, name=request.name, locale=request.locale, channel=Channel.WEB_FORM
        )

        def first_message(case_id: CaseId, customer_id: CustomerId, origin: CustomerId) -> Message:
            return Message(
                message_id=new_message_id(),
                case_id=case_id,
                customer_id=customer_id,
                origin_customer_id=origin,
                channel=Channel.WEB_FORM,
                direction=Direction.INBOUND,
                author=Author(kind=AuthorKind.CUSTOMER, id=customer_id, name=request.name),
                at=utc_now(),
                subject=request.subject,
                text=request.message,
                reply_address=request.email,
            )

        case = self.cases.open(
            customer=customer, channel=Channel.WEB_FORM, subject=request.subject, make_message=first_message
        )
        return AcceptedContact(case_id=case.case_id, customer_id=case.customer_id, reference=case.reference)
