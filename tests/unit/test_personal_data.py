"""Personal data scrubbing: learned phrasings and search logs keep the words, never the customer's numbers."""

from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.personal_data import Finding, PersonalDataKind, find, scrub, scrub_known
from tests.datasets import banking77

# --- valid numbers, built with the published algorithms ------------------------------------------------------


def baltic_id_code(born: date, serial: int, *, female: bool = False) -> str:
    """An Estonian isikukood (the Lithuanian asmens kodas is built the same way)."""
    first = (born.year - 1800) // 100 * 2 + 1 + female
    body = f"{first}{born:%y%m%d}{serial:03d}"
    digits = [int(char) for char in body]
    for weights in ((1, 2, 3, 4, 5, 6, 7, 8, 9, 1), (3, 4, 5, 6, 7, 8, 9, 1, 2, 3)):
        remainder = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11
        if remainder < 10:
            return body + str(remainder)
    return body + "0"


def finnish_id_code(born: date, individual: int) -> str:
    sign = {18: "+", 19: "-", 20: "A"}[born.year // 100]
    number = f"{born:%d%m%y}{individual:03d}"
    return f"{number[:6]}{sign}{number[6:]}" + "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(number) % 31]


def luhn_completed(payload: str) -> str:
    """`payload` with the check digit that makes it pass the Luhn check."""
    for check in string.digits:
        digits = [int(char) for char in payload + check]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(reversed(digits)))
        if total % 10 == 0:
            return payload + check
    raise AssertionError("unreachable: one of ten digits always completes a Luhn number")


def iban(country: str, bban: str) -> str:
    """The compact IBAN for a country and a domestic account number (ISO 13616 check digits)."""
    numeric = "".join(str(int(char, 36)) for char in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def grouped(number: str, separator: str = " ", size: int = 4) -> str:
    return separator.join(number[i : i + size] for i in range(0, len(number), size))


def test_the_builders_reproduce_published_examples() -> None:
    assert baltic_id_code(date(1976, 5, 3), 29) == "37605030299"
    assert finnish_id_code(date(1952, 10, 13), 308) == "131052-308T"
    assert iban("EE", "2200221020145685") == "EE382200221020145685"
    assert iban("GB", "WEST12345698765432") == "GB82WEST12345698765432"
    assert luhn_completed("411111111111111") == "4111111111111111"


# --- ID codes --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("37605030299", id="published-estonian"),
        pytest.param(baltic_id_code(date(1990, 1, 1), 700), id="estonian-1990s-man"),
        pytest.param(baltic_id_code(date(2004, 2, 29), 15, female=True), id="estonian-leap-day-2000s-woman"),
        pytest.param(baltic_id_code(date(1899, 12, 31), 1, female=True), id="estonian-1800s"),
        pytest.param("33309240064", id="published-lithuanian"),
    ],
)
def test_valid_estonian_id_code_is_removed(code: str) -> None:
    assert scrub(f"Minu isikukood on {code}.") == "Minu isikukood on [id-code]."


def test_estonian_id_code_needing_the_second_weight_set_is_removed() -> None:
    # The first weights leave a remainder of 10 for some serials; the check digit then comes from the second set.
    body = next(
        f"3900101{serial:03d}"
        for serial in range(1000)
        if sum(w * int(d) for w, d in zip((1, 2, 3, 4, 5, 6, 7, 8, 9, 1), f"3900101{serial:03d}", strict=True)) % 11
        == 10
    )
    code = baltic_id_code(date(1990, 1, 1), int(body[7:]))

    assert scrub(code) == "[id-code]"


def test_estonian_id_code_with_wrong_check_digit_is_kept() -> None:
    code = baltic_id_code(date(1990, 1, 1), 700)
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)

    assert scrub(f"kood {wrong}") == f"kood {wrong}"


def test_eleven_digits_with_an_impossible_birth_date_are_kept() -> None:
    # A check digit that fits, but 31 February 1990 never happened.
    body = "3900231700"
    digits = [int(char) for char in body]
    check = sum(w * d for w, d in zip((1, 2, 3, 4, 5, 6, 7, 8, 9, 1), digits, strict=True)) % 11 % 10

    assert scrub(f"number {body}{check}") == f"number {body}{check}"


def test_estonian_id_code_glued_to_letters_is_kept() -> None:
    assert scrub("ref37605030299x") == "ref37605030299x"


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("131052-308T", id="published-1900s"),
        pytest.param(finnish_id_code(date(2005, 7, 1), 24), id="2000s"),
        pytest.param(finnish_id_code(date(1899, 3, 9), 900), id="1800s"),
        pytest.param("131052y308t", id="new-1900s-sign-lower-case"),
    ],
)
def test_valid_finnish_henkilotunnus_is_removed(code: str) -> None:
    assert scrub(f"Henkilötunnukseni on {code}, kiitos") == "Henkilötunnukseni on [id-code], kiitos"


def test_finnish_henkilotunnus_with_wrong_check_character_is_kept() -> None:
    assert scrub("131052-308U") == "131052-308U"


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("161175-19997", id="old-with-hyphen"),
        pytest.param("16117519997", id="old-without-hyphen"),
        pytest.param("321234-56789", id="new-with-hyphen"),
        pytest.param("32123456789", id="new-without-hyphen"),
    ],
)
def test_valid_latvian_personas_kods_is_removed(code: str) -> None:
    assert scrub(f"Mans personas kods ir {code}") == "Mans personas kods ir [id-code]"


def test_old_latvian_personas_kods_with_wrong_check_digit_is_kept() -> None:
    assert scrub("161175-19990") == "161175-19990"


# --- cards -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "card",
    [
        pytest.param("4111 1111 1111 1111", id="visa-spaces"),
        pytest.param("4111-1111-1111-1111", id="visa-dashes"),
        pytest.param("4111111111111111", id="visa-compact"),
        pytest.param("3782 822463 10005", id="amex-grouping"),
        pytest.param(grouped(luhn_completed("677189098765432101")), id="19-digit-maestro"),
        pytest.param(luhn_completed("422222222222"), id="13-digit"),
    ],
)
def test_card_number_passing_luhn_is_removed(card: str) -> None:
    assert scrub(f"My card {card} was charged twice") == "My card [card] was charged twice"


def test_card_number_failing_luhn_is_kept() -> None:
    assert scrub("My card 4111 1111 1111 1112 was declined") == "My card 4111 1111 1111 1112 was declined"


def test_card_is_never_half_matched_as_a_phone_number() -> None:
    assert find("+372 4111 1111 1111 1111") == [Finding(kind=PersonalDataKind.CARD, start=5, end=24)]


def test_order_number_next_to_a_card_is_kept() -> None:
    assert scrub("order 48213 4111 1111 1111 1111") == "order 48213 [card]"


def test_card_digits_inside_a_longer_number_are_kept() -> None:
    longer = "4111111111111111" + "0" * 5

    assert scrub(f"tracking {longer}") == f"tracking {longer}"


# --- IBANs -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "account",
    [
        pytest.param("EE38 2200 2210 2014 5685", id="estonian-grouped"),
        pytest.param("GB82 WEST 1234 5698 7654 32", id="british-grouped-short-last-group"),
        pytest.param("DE89370400440532013000", id="german-compact"),
        pytest.param("ee38 2200 2210 2014 5685", id="lower-case"),
        pytest.param(grouped(iban("LV", "HABA0551012345678")), id="latvian-computed"),
    ],
)
def test_valid_iban_is_removed(account: str) -> None:
    assert scrub(f"Kandke raha kontole {account} palun") == "Kandke raha kontole [iban] palun"


def test_iban_with_wrong_check_digits_is_kept() -> None:
    assert scrub("EE39 2200 2210 2014 5685") == "EE39 2200 2210 2014 5685"


def test_iban_followed_by_a_short_word_keeps_the_word() -> None:
    assert scrub("EE38 2200 2210 2014 5685 pls help") == "[iban] pls help"


# --- emails and phones -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("mari@example.ee", id="plain"),
        pytest.param("Mari.Maasikas+tugi@mail.example.co.uk", id="plus-tag-and-subdomains"),
        pytest.param("jüri.õun@näide.ee", id="non-ascii-letters"),
        pytest.param("4111111111111111@example.com", id="digits-in-local-part"),
    ],
)
def test_email_address_is_removed(address: str) -> None:
    assert scrub(f"Write to {address}.") == "Write to [email]."


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("follow @tugi on social media", id="handle"),
        pytest.param("upgrade from v1.2@3.4 failed", id="version-string"),
        pytest.param("meet me @ 5", id="lone-at-sign"),
    ],
)
def test_at_signs_that_are_not_addresses_are_kept(text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        pytest.param("call +372 5123 4567 now", "EE", "call [phone] now", id="estonian-international"),
        pytest.param("helista 5123 4567", "EE", "helista [phone]", id="estonian-mobile-local"),
        pytest.param("ring +44 20 7946 0958", "EE", "ring [phone]", id="british-international-in-estonia"),
        pytest.param("ring (020) 7946 0958", "GB", "ring [phone]", id="british-national-in-britain"),
    ],
)
def test_valid_phone_number_is_removed(text: str, region: str, expected: str) -> None:
    assert scrub(text, default_region=region) == expected


def test_phone_number_glued_to_letters_is_kept() -> None:
    assert scrub("kood51234567õ") == "kood51234567õ"


# --- what must survive -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("I paid 25.50 EUR on 12.03.2026 for order 48213", id="amount-date-order"),
        pytest.param("Since 2026 my order 12345 has not arrived", id="year-and-order"),
        pytest.param("Makse 1 250,00 € 03/12/2026 kell 14:35, viide 1234567890", id="estonian-payment"),
        pytest.param("Card ending 1111 expires 09/27, CVV not shown", id="card-fragments"),
    ],
)
def test_dates_and_amounts_are_kept(text: str) -> None:
    assert scrub(text) == text


def test_text_without_personal_data_is_returned_exactly_unchanged() -> None:
    text = "  Tere!\tKuidas   muuta PIN-koodi?\n\nÕhtul 20:00\u201322:00 ei saa (vist) 3x järjest…  "

    assert scrub(text) == text


def test_mixed_sentence_has_every_kind_replaced() -> None:
    text = (
        "I'm Mari (37605030299), mari@example.ee or +372 5123 4567; "
        "refund 19.99 to EE38 2200 2210 2014 5685, not card 4111-1111-1111-1111."
    )

    assert scrub(text) == ("I'm Mari ([id-code]), [email] or [phone]; refund 19.99 to [iban], not card [card].")


def test_estonian_message_has_id_code_and_phone_replaced() -> None:
    code = baltic_id_code(date(1990, 1, 1), 700)

    assert scrub(f"Minu isikukood on {code}, helista 5123 4567") == "Minu isikukood on [id-code], helista [phone]"


def test_findings_say_what_and_where_in_reading_order() -> None:
    text = "5123 4567 or mari@example.ee"

    assert find(text) == [
        Finding(kind=PersonalDataKind.PHONE, start=0, end=9),
        Finding(kind=PersonalDataKind.EMAIL, start=13, end=28),
    ]


def test_banking77_queries_are_almost_never_changed() -> None:
    queries = [text for text, _ in banking77()]

    changed = sum(scrub(query) != query for query in queries)

    assert changed < len(queries) / 100


# --- properties ------------------------------------------------------------------------------------------------

_words = st.lists(st.text(alphabet=string.ascii_letters + "õäöüšž", min_size=1, max_size=8), max_size=6)

_estonian_codes = st.builds(
    baltic_id_code, st.dates(date(1800, 1, 1), date(2099, 12, 31)), st.integers(0, 999), female=st.booleans()
)
_cards = st.builds(
    lambda first, rest, separator: grouped(luhn_completed(first + rest), separator),
    st.sampled_from("123456789"),
    st.integers(11, 17).flatmap(lambda n: st.text(alphabet=string.digits, min_size=n, max_size=n)),
    st.sampled_from(["", " ", "-"]),
)
_ibans = st.builds(
    lambda country, bban, spaced, lower: (grouped(iban(country, bban)) if spaced else iban(country, bban)).translate(
        str.maketrans(string.ascii_uppercase, string.ascii_lowercase) if lower else {}
    ),
    st.sampled_from(["EE", "LV", "LT", "FI", "DE", "GB", "NO"]),
    st.text(alphabet=string.digits + string.ascii_uppercase, min_size=11, max_size=30),
    st.booleans(),
    st.booleans(),
)


@given(
    before=_words,
    after=_words,
    item=st.one_of(
        _estonian_codes.map(lambda code: (code, "[id-code]")),
        _cards.map(lambda card: (card, "[card]")),
        _ibans.map(lambda account: (account, "[iban]")),
    ),
)
def test_embedded_valid_number_never_survives_scrubbing(
    before: list[str], after: list[str], item: tuple[str, str]
) -> None:
    number, placeholder = item
    compact = number.replace(" ", "").replace("-", "")

    scrubbed = scrub(" ".join([*before, number, *after]))

    assert placeholder in scrubbed
    assert number not in scrubbed
    assert compact not in scrubbed
    assert scrub(scrubbed) == scrubbed


@given(
    st.text(
        alphabet=st.sampled_from(
            [*string.digits, " ", " ", "-", "+", "(", ")", ".", "@", "e", "E", "a", "x", "õ", "\n"]
        ),
        max_size=60,
    )
)
def test_scrubbing_twice_changes_nothing_more(text: str) -> None:
    once = scrub(text)

    assert scrub(once) == once


# --- what the platform knows of the writer ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am Kristjan Saarepuu, lost my card", "I am [name] [name], lost my card"),
        ("Kristjani kaart, saatke Saarepuule", "[name] kaart, saatke [name]"),  # Estonian case endings
        ("KRISTJAN saarepuu", "[name] [name]"),
        ("Jüri here, Juri Tamm", "[name] here, [name] [name]"),  # with or without diacritics
        ("my address kristjan.saarepuu at gmail", "my address [name].[name] at gmail"),  # an identity's words
        ("Kristo and Saare are not me", "Kristo and Saare are not me"),  # shorter words are other people's
    ],
)
def test_what_is_known_of_the_writer_is_removed_from_their_words(text: str, expected: str) -> None:
    known = ["Kristjan Saarepuu", "Jüri Tamm", "kristjan.saarepuu@gmail.com"]

    assert scrub_known(text, known) == expected


def test_nothing_known_changes_nothing() -> None:
    assert scrub_known("I am Kristjan", ["", "+37251234567"]) == "I am Kristjan"
