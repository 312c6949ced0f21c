"""Identities: email and phone normalisation, so that one person on one channel is one key."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from shared.domain.identity import (
    Identity,
    IdentityKind,
    InvalidEmail,
    InvalidPhone,
    normalise_email,
    normalise_phone,
)

# --- email ---------------------------------------------------------------------------------------------------


def test_email_domain_is_idna_encoded_and_local_part_case_folded() -> None:
    assert normalise_email("Jüri@Näide.EE") == "jüri@xn--nide-loa.ee"


def test_email_in_mixed_case_is_folded_to_lower_case() -> None:
    assert normalise_email("Mari.Maasikas@Example.COM") == "mari.maasikas@example.com"


def test_email_loses_surrounding_whitespace_and_the_trailing_dot_of_its_domain() -> None:
    assert normalise_email("  Mari@Example.ee.\n") == "mari@example.ee"


def test_email_keeps_plus_tags_and_dots_in_the_local_part() -> None:
    assert normalise_email("Mari.M+tugi@example.ee") == "mari.m+tugi@example.ee"


def test_email_with_an_at_sign_in_a_quoted_local_part_splits_at_the_last_at() -> None:
    assert normalise_email('"a@b"@Example.ee') == '"a@b"@example.ee'


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="only-whitespace"),
        pytest.param("mari.example.ee", id="no-at"),
        pytest.param("@example.ee", id="empty-local-part"),
        pytest.param("mari@", id="empty-domain"),
        pytest.param("mari maasikas@example.ee", id="space-in-local-part"),
        pytest.param("mari@exa mple.ee", id="space-in-domain"),
        pytest.param("mari@example\t.ee", id="tab-inside"),
        pytest.param("mari@localhost", id="domain-without-dot"),
        pytest.param("mari@.", id="domain-only-a-dot"),
        pytest.param("mari@exa..mple.ee", id="empty-domain-label"),
        pytest.param("mari@exa_mple.ee", id="underscore-in-domain"),
        pytest.param("mari@" + "a" * 64 + ".ee", id="domain-label-over-63"),
        pytest.param("a" * 64 + "@" + "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + "." + "e" * 7, id="255-characters"),
    ],
)
def test_invalid_email_is_refused_with_code_invalid_email(raw: str) -> None:
    with pytest.raises(InvalidEmail) as caught:
        normalise_email(raw)
    assert caught.value.instance_code == "invalid_email"
    assert caught.value.http_status == 422


def test_email_of_exactly_254_characters_is_accepted() -> None:
    raw = "a" * 64 + "@" + "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + "." + "e" * 6
    assert len(raw) == 254
    assert normalise_email(raw) == raw


def test_email_whose_normalised_form_is_over_long_is_refused() -> None:
    # 245 characters but 485 UTF-8 octets; case folding makes each "ΐ" three characters, so the
    # stored value would be 725 characters: longer than any email address and than an identity may be.
    raw = "\u0390" * 240 + "@a.ee"
    with pytest.raises(InvalidEmail):
        normalise_email(raw)


# Characters whose upper and lower case map back and forth one to one (not sharp s, dotless i or dotted capital I).
_CASE_STABLE = string.ascii_letters + string.digits + "äöõüšžÄÖÕÜŠŽéÉñÑ"
# Dot-atoms (RFC 5322): no dot first, last or twice in a row.
_local_parts = st.text(alphabet=_CASE_STABLE + "._+-", min_size=1, max_size=30).filter(
    lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s
)
_labels = st.text(alphabet=_CASE_STABLE, min_size=1, max_size=20)
_addresses = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    _local_parts,
    st.lists(_labels, min_size=1, max_size=3),
    st.text(alphabet=string.ascii_letters, min_size=2, max_size=6),
)


@settings(max_examples=50)
@given(_addresses)
def test_email_spellings_differing_only_in_case_normalise_equal(address: str) -> None:
    assert normalise_email(address.upper()) == normalise_email(address.lower()) == normalise_email(address)


_any_local_part = st.text(
    alphabet=st.characters(exclude_categories=("Zs", "Zl", "Zp", "Cc", "Cs"), exclude_characters="@"),
    min_size=1,
    max_size=20,
)
_any_domain_label = st.text(alphabet=st.characters(categories=("Lu", "Ll", "Lo", "Nd")), min_size=1, max_size=15)


@settings(max_examples=50)
@given(_any_local_part, _any_domain_label, st.sampled_from(["ee", "com", "EE", "xn--p1ai"]), st.sampled_from(["", "."]))
def test_normalising_an_already_normalised_email_changes_nothing(
    local: str, domain: str, tld: str, trailing: str
) -> None:
    try:
        once = normalise_email(f"{local}@{domain}.{tld}{trailing}")
    except InvalidEmail:
        reject()
    assert normalise_email(once) == once


@settings(max_examples=50)
@given(_addresses)
def test_normalised_email_is_ascii_after_the_at_sign(address: str) -> None:
    normalised = normalise_email(address)
    assert normalised.rpartition("@")[2].isascii()


# --- phone ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        pytest.param("5123 4567", "EE", "+37251234567", id="estonian-mobile-national"),
        pytest.param("+372 5123 4567", "EE", "+37251234567", id="estonian-mobile-international"),
        pytest.param("00372 5123 4567", "EE", "+37251234567", id="international-prefix-00"),
        pytest.param("+44 20 7946 0958", "EE", "+442079460958", id="uk-with-plus-in-ee"),
        pytest.param("+44 20 7946 0958", "US", "+442079460958", id="uk-with-plus-in-us"),
        pytest.param("+44 (0)20 7946-0958", "EE", "+442079460958", id="uk-punctuated-with-trunk-zero"),
        pytest.param("020 7946 0958", "GB", "+442079460958", id="uk-national-in-gb"),
        pytest.param("+3725123456 7", "ZZ", "+37251234567", id="unknown-region-with-plus"),
    ],
)
def test_phone_is_normalised_to_e164(raw: str, region: str, expected: str) -> None:
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        pytest.param("", "EE", id="empty"),
        pytest.param("call me", "EE", id="words"),
        pytest.param("!!!", "EE", id="punctuation"),
        pytest.param("123", "EE", id="too-short"),
        pytest.param("+372 51", "EE", id="too-short-with-country-code"),
        pytest.param("5123 4567 8901 2345 6789", "EE", id="too-long"),
        pytest.param("+999 5123 4567", "EE", id="unknown-country-code"),
        pytest.param("5123 4567", "ZZ", id="national-number-without-region"),
    ],
)
def test_invalid_phone_is_refused_with_code_invalid_phone(raw: str, region: str) -> None:
    with pytest.raises(InvalidPhone) as caught:
        normalise_phone(raw, region)
    assert caught.value.instance_code == "invalid_phone"
    assert caught.value.http_status == 422


@pytest.mark.parametrize("region", ["EE", "GB", "US", "ZZ"])
@pytest.mark.parametrize("e164", ["+37251234567", "+442079460958"])
def test_normalising_an_e164_phone_again_changes_nothing_in_any_region(e164: str, region: str) -> None:
    assert normalise_phone(e164, region) == e164


# --- identity ------------------------------------------------------------------------------------------------


def test_email_identity_key_is_kind_and_normalised_value() -> None:
    assert Identity.email("Jüri@Näide.EE").key == "email#jüri@xn--nide-loa.ee"


def test_phone_identity_key_is_kind_and_e164_number() -> None:
    identity = Identity.phone("5123 4567", "EE")
    assert identity.kind is IdentityKind.PHONE
    assert identity.key == "phone#+37251234567"


def test_two_spellings_of_one_email_are_one_identity() -> None:
    first = Identity.email("Mari@Example.ee")
    second = Identity.email(" mari@EXAMPLE.EE. ")
    assert first == second
    assert hash(first) == hash(second)
    assert first.key == second.key


def test_identity_email_refuses_an_invalid_address() -> None:
    with pytest.raises(InvalidEmail):
        Identity.email("not an address")
