"""The web form's request: what a customer may send, normalised so that we can answer them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from shared.services.contacts import SubmitContactRequest
from shared.settings import get_settings

VALID: dict[str, Any] = {
    "name": "Mari Maasikas",
    "email": "Mari@Näide.EE",
    "subject": "Tellimus puudub",
    "message": "Minu tellimus ei ole kohale jõudnud.",
}


@pytest.fixture(autouse=True)
def estonian_phone_region(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TUGI_DEFAULT_PHONE_REGION", "EE")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def errors_of(**fields: Any) -> dict[tuple[int | str, ...], str]:
    """Location → error type of each problem pydantic finds in the request."""
    with pytest.raises(ValidationError) as caught:
        SubmitContactRequest.model_validate(fields)
    return {tuple(error["loc"]): error["type"] for error in caught.value.errors()}


def test_valid_request_normalises_email_and_phone() -> None:
    request = SubmitContactRequest.model_validate({**VALID, "phone": "5123 4567"})
    assert request.email == "mari@xn--nide-loa.ee"
    assert request.phone == "+37251234567"
    assert request.locale == "en"


def test_phone_without_country_code_is_read_in_the_configured_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUGI_DEFAULT_PHONE_REGION", "GB")
    get_settings.cache_clear()
    request = SubmitContactRequest.model_validate({**VALID, "email": None, "phone": "020 7946 0958"})
    assert request.phone == "+442079460958"


def test_text_fields_lose_surrounding_whitespace() -> None:
    request = SubmitContactRequest.model_validate(
        {**VALID, "name": "  Mari  ", "subject": "\tTellimus\n", "message": "  Tere  "}
    )
    assert (request.name, request.subject, request.message) == ("Mari", "Tellimus", "Tere")


@pytest.mark.parametrize("email", [None, "", "   "])
def test_phone_alone_is_enough_to_answer(email: str | None) -> None:
    request = SubmitContactRequest.model_validate({**VALID, "email": email, "phone": "+372 5123 4567"})
    assert request.email is None
    assert request.phone == "+37251234567"


def test_email_alone_is_enough_to_answer() -> None:
    request = SubmitContactRequest.model_validate(VALID)
    assert request.phone is None


@pytest.mark.parametrize("email", ["mari", "mari@localhost", "mari maasikas@example.ee", "@example.ee"])
def test_invalid_email_is_reported_as_invalid_email(email: str) -> None:
    assert errors_of(**{**VALID, "email": email}) == {("email",): "invalid_email"}


@pytest.mark.parametrize("phone", ["call me", "123", "+999 5123 4567"])
def test_invalid_phone_is_reported_as_invalid_phone(phone: str) -> None:
    assert errors_of(**{**VALID, "phone": phone}) == {("phone",): "invalid_phone"}


@pytest.mark.parametrize(
    "contact",
    [
        pytest.param({}, id="both-missing"),
        pytest.param({"email": None, "phone": None}, id="both-null"),
        pytest.param({"email": "", "phone": "  "}, id="both-blank"),
    ],
)
def test_request_without_email_or_phone_is_reported_as_contact_required(contact: dict[str, Any]) -> None:
    fields = {key: value for key, value in VALID.items() if key != "email"}
    assert errors_of(**fields, **contact) == {(): "contact_required"}


def test_unknown_field_is_refused_as_extra_forbidden() -> None:
    assert errors_of(**VALID, is_admin=True) == {("is_admin",): "extra_forbidden"}


@pytest.mark.parametrize(
    ("field", "limit"),
    [("message", 20_000), ("subject", 200), ("name", 200), ("email", 254), ("phone", 32)],
)
def test_over_long_field_is_reported_as_string_too_long(field: str, limit: int) -> None:
    assert errors_of(**{**VALID, field: "1" * (limit + 1)}) == {(field,): "string_too_long"}


def test_message_of_exactly_the_limit_is_accepted() -> None:
    request = SubmitContactRequest.model_validate({**VALID, "message": "x" * 20_000})
    assert len(request.message) == 20_000


@pytest.mark.parametrize("field", ["name", "subject", "message"])
def test_blank_required_text_is_reported_as_too_short(field: str) -> None:
    assert errors_of(**{**VALID, field: "   "}) == {(field,): "string_too_short"}


@pytest.mark.parametrize("field", ["name", "subject", "message"])
def test_missing_required_text_is_reported_as_missing(field: str) -> None:
    fields = {key: value for key, value in VALID.items() if key != field}
    assert errors_of(**fields) == {(field,): "missing"}


@pytest.mark.parametrize("locale", ["en", "et", "EN", "en-GB", "zh-Hant-TW", "fil", "es-419"])
def test_locale_in_bcp_47_shape_is_accepted(locale: str) -> None:
    assert SubmitContactRequest.model_validate({**VALID, "locale": locale}).locale == locale


@pytest.mark.parametrize(
    "locale",
    [
        pytest.param("", id="empty"),
        pytest.param("e", id="one-letter-language"),
        pytest.param("english", id="language-name"),
        pytest.param("en_GB", id="underscore"),
        pytest.param("en-", id="trailing-dash"),
        pytest.param("-en", id="leading-dash"),
        pytest.param("en-G", id="one-letter-subtag"),
        pytest.param("en-abcdefghi", id="nine-letter-subtag"),
        pytest.param("et; DROP", id="injection"),
        pytest.param("ru-\u0420\u0423", id="cyrillic-region"),
        pytest.param("en-GB-" + "x" * 30, id="over-35-characters"),
    ],
)
def test_locale_not_in_bcp_47_shape_is_refused(locale: str) -> None:
    errors = errors_of(**{**VALID, "locale": locale})
    assert errors.keys() == {("locale",)}
    assert errors[("locale",)] in {"string_pattern_mismatch", "string_too_long"}
