"""Outbound email: the subject carries the case reference so that the customer's reply threads back."""

from __future__ import annotations

import email
import email.policy
import re
import unicodedata
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.ids import CaseReference, new_reference
from shared.domain.outbound_mail import SUBJECT_CHARS, OutboundEmail, UnbuildableEmail, find_reference, reply_subject

REF = CaseReference("TG-7K3P9Q")
# The alphabet `new_reference` promises: Crockford base32 without the look-alikes I, L, O, U, 0 and 1.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_SHAPE = re.compile(rf"TG-[{ALPHABET}]{{6}}")

references = st.text(alphabet=ALPHABET, min_size=6, max_size=6).map(lambda body: CaseReference(f"TG-{body}"))
# Subjects people and mail clients write: any text, reply and forward prefixes, our tokens and bits of them.
subjects = st.lists(
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(["Re: ", "RE:", "Fwd: ", "AW: ", "[", "]", "TG-", "tg-", " "]),
        references.map(lambda reference: f"[{reference}]"),
    ),
    max_size=8,
).map("".join)


# --- reply_subject -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        pytest.param("Order missing", "Re: Order missing [TG-7K3P9Q]", id="plain"),
        pytest.param("Re: Order missing", "Re: Order missing [TG-7K3P9Q]", id="one-re"),
        pytest.param("Re: Re: Fwd: x [TG-7K3P9Q]", "Re: x [TG-7K3P9Q]", id="stacked-prefixes-and-token"),
        pytest.param("RE: AW: SV: VS: FW: x", "Re: x [TG-7K3P9Q]", id="prefixes-in-any-language-and-case"),
        pytest.param("Re : x", "Re: x [TG-7K3P9Q]", id="space-before-colon"),
        pytest.param("Re: x [tg-7k3p9q]", "Re: x [TG-7K3P9Q]", id="lower-case-token"),
        pytest.param("Re: x [TG-AAAAAA]", "Re: x [TG-7K3P9Q]", id="another-token-replaced"),
        pytest.param("Refund please", "Re: Refund please [TG-7K3P9Q]", id="re-inside-a-word-kept"),
    ],
)
def test_reply_subject_has_one_re_and_one_token(subject: str, expected: str) -> None:
    assert reply_subject(subject, REF, "TG") == expected


@pytest.mark.parametrize("subject", ["", "   ", "Re:", "Re: Fwd:", "[TG-7K3P9Q]", "Re: [TG-7K3P9Q]"])
def test_reply_subject_without_any_text_of_its_own_says_your_request(subject: str) -> None:
    assert reply_subject(subject, REF, "TG") == "Re: Your request [TG-7K3P9Q]"


def test_reply_subject_moves_a_token_from_the_middle_to_the_end() -> None:
    subject = reply_subject("Tellimus [TG-7K3P9Q] puudub", REF, "TG")
    assert subject.startswith("Re: Tellimus")
    assert subject.endswith("puudub [TG-7K3P9Q]")
    assert subject.count("TG-7K3P9Q") == 1


def test_replying_to_our_own_reply_again_gives_the_same_subject() -> None:
    once = reply_subject("Order missing", REF, "TG")
    assert reply_subject(f"Re: {once}", REF, "TG") == once


def test_reply_subject_does_not_leave_a_stale_token_made_by_removing_a_nested_one() -> None:
    # Removing the inner token in one pass joins the outer text into a new, different token.
    subject = reply_subject("[TG-[TG-AAAAAA]BBBBBB]", REF, "TG")
    assert find_reference(subject, "TG") == REF
    assert subject.count("[TG-") == 1


# --- find_reference ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject",
    ["Re: x [TG-7K3P9Q]", "re: x [tg-7k3p9q]", "[Tg-7K3p9Q] first", "AW:[TG-7K3P9Q]", "a\n[TG-7K3P9Q]\tb"],
)
def test_find_reference_finds_the_token_in_any_case(subject: str) -> None:
    assert find_reference(subject, "TG") == REF


@pytest.mark.parametrize("look_alike", ["I", "L", "O", "U", "0", "1", "i", "l", "o", "u"])
def test_find_reference_refuses_letters_outside_the_reference_alphabet(look_alike: str) -> None:
    assert find_reference(f"Re: x [TG-7K3P9{look_alike}]", "TG") is None


@pytest.mark.parametrize(
    "subject",
    [
        pytest.param("Re: x TG-7K3P9Q", id="no-brackets"),
        pytest.param("Re: x [TG-7K3P9]", id="five-characters"),
        pytest.param("Re: x [TG-7K3P9QQ]", id="seven-characters"),
        pytest.param("Re: x [XX-7K3P9Q]", id="other-prefix"),
        pytest.param("Re: x [TG 7K3P9Q]", id="no-dash"),
        pytest.param("", id="empty"),
    ],
)
def test_find_reference_needs_the_exact_bracketed_token(subject: str) -> None:
    assert find_reference(subject, "TG") is None


@pytest.mark.parametrize(
    "look_alike",
    [
        pytest.param("\u212a", id="kelvin-sign-for-K"),
        pytest.param("\u017f", id="long-s-for-S"),
    ],
)
def test_find_reference_only_returns_references_in_the_alphabet(look_alike: str) -> None:
    # Unicode case-insensitive matching lets the Kelvin sign and the long s match K and S.
    found = find_reference(f"Re: x [TG-{look_alike}AAAAA]", "TG")
    assert found is None or REFERENCE_SHAPE.fullmatch(found)


def test_new_references_are_in_the_alphabet_the_round_trip_below_draws_from() -> None:
    for _ in range(200):
        assert REFERENCE_SHAPE.fullmatch(new_reference("TG"))


@settings(max_examples=50)
@given(references, subjects)
def test_reference_in_a_reply_subject_is_found_again(reference: CaseReference, subject: str) -> None:
    assert find_reference(reply_subject(subject, reference, "TG"), "TG") == reference


@settings(max_examples=50)
@given(references, references, st.text(max_size=60))
def test_reply_subject_replaces_an_older_reference_with_the_case_reference(
    old: CaseReference, reference: CaseReference, text: str
) -> None:
    subject = reply_subject(f"Re: {text} [{old}]", reference, "TG")
    assert find_reference(subject, "TG") == reference
    assert subject.startswith("Re: ")
    assert not subject.startswith("Re: Re:")


# --- MIME ----------------------------------------------------------------------------------------------------


def parsed(outbound: OutboundEmail) -> EmailMessage:
    message = email.message_from_bytes(outbound.to_mime(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def make_email(**overrides: object) -> OutboundEmail:
    fields: dict[str, object] = {
        "from_name": "Tugi Support",
        "from_address": "support@tugi.example",
        "to": ["mari@example.ee"],
        "subject": "Re: Tellimus puudub [TG-7K3P9Q]",
        "text": "Tere, Mari!\n\nSaadetis on teel.\n",
        "message_id": "msg_01@tugi.example",
        "in_reply_to": "CAF1x@mail.example.ee",
        "references": ["first@mail.example.ee", "CAF1x@mail.example.ee"],
    }
    fields.update(overrides)
    return OutboundEmail.model_validate(fields)


def test_mime_threads_with_message_id_in_reply_to_and_references_in_angle_brackets() -> None:
    message = parsed(make_email())
    assert message["Message-ID"] == "<msg_01@tugi.example>"
    assert message["In-Reply-To"] == "<CAF1x@mail.example.ee>"
    assert message["References"] == "<first@mail.example.ee> <CAF1x@mail.example.ee>"


def test_mime_is_marked_not_auto_submitted_so_auto_responders_may_answer() -> None:
    assert parsed(make_email())["Auto-Submitted"] == "no"


def test_mime_carries_the_body_subject_sender_and_recipients() -> None:
    message = parsed(make_email(to=["mari@example.ee", "juri@example.ee"]))
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n") == "Tere, Mari!\n\nSaadetis on teel.\n"  # CRLF on the wire
    assert message["Subject"] == "Re: Tellimus puudub [TG-7K3P9Q]"
    assert message["From"].addresses[0].display_name == "Tugi Support"
    assert message["From"].addresses[0].addr_spec == "support@tugi.example"
    assert [a.addr_spec for a in message["To"].addresses] == ["mari@example.ee", "juri@example.ee"]
    assert message["Date"] is not None


def test_mime_keeps_non_ascii_subject_name_and_body_intact() -> None:
    message = parsed(
        make_email(from_name="Tõnu, Tugi", subject="Re: Tänan väga [TG-7K3P9Q]", text="Aitäh! Šokolaad ja žürii.\n")
    )
    assert message["Subject"] == "Re: Tänan väga [TG-7K3P9Q]"
    assert message["From"].addresses[0].display_name == "Tõnu, Tugi"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n") == "Aitäh! Šokolaad ja žürii.\n"


def test_first_message_of_a_thread_has_no_in_reply_to_or_references() -> None:
    message = parsed(make_email(in_reply_to=None, references=[]))
    assert message["In-Reply-To"] is None
    assert message["References"] is None
    assert message["Message-ID"] == "<msg_01@tugi.example>"


def test_a_long_message_id_is_never_folded_into_encoded_words() -> None:
    ses_id = "0100018c" + "a" * 60 + "-000000@eu-west-1.amazonses.com"
    mail = OutboundEmail(
        from_name="Tugi Support",
        from_address="support@tugi.example",
        to=["kati@example.ee"],
        subject="Re: x [TG-7K3P9Q]",
        text="Hello",
        message_id="msg_01@tugi.example",
        in_reply_to=ses_id,
        references=[ses_id],
    )

    parsed = email.message_from_bytes(mail.to_mime(), policy=email.policy.default)

    assert parsed["In-Reply-To"] == f"<{ses_id}>"
    assert b"=?utf-8?" not in mail.to_mime()


# --- header-unsafe text --------------------------------------------------------------------------------------

HEADERS = {"From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Auto-Submitted",
           "Content-Type", "Content-Transfer-Encoding", "MIME-Version"}  # fmt: skip


@settings(max_examples=200)
@given(st.text(max_size=300), st.text(max_size=80))
def test_any_subject_and_sender_name_make_exactly_our_headers_each_on_one_line(subject: str, name: str) -> None:
    message = parsed(make_email(subject=reply_subject(subject, REF, "TG"), from_name=name))

    assert set(message.keys()) == HEADERS
    assert not {unicodedata.category(c) for c in message["Subject"]} & {"Cc", "Zl", "Zp", "Cs"}
    assert message["Subject"].endswith(f"[{REF}]")
    assert message["From"].addresses[0].addr_spec == "support@tugi.example"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        pytest.param("Broken\r\nBcc: evil@example.com", "Broken Bcc: evil@example.com", id="crlf"),
        pytest.param("a\x00b", "a b", id="nul"),
        pytest.param("a\u2028b\u2029c\x85d\x0be\x0cf", "a b c d e f", id="unicode-line-breaks"),
        pytest.param("a\x1b[31mb\x7f", "a [31mb", id="escape-and-delete"),
        pytest.param("a\ud800b", "a\ufffdb", id="lone-surrogate"),
        pytest.param("  a \t\t b  ", "a b", id="runs-of-white-space"),
    ],
)
def test_header_unsafe_text_is_folded_onto_one_printable_line(subject: str, expected: str) -> None:
    assert make_email(subject=subject).subject == expected


def test_a_very_long_subject_is_cut_and_still_ends_with_the_reference() -> None:
    subject = reply_subject("word " * 400, REF, "TG")
    assert len(subject) <= SUBJECT_CHARS + len(" [TG-7K3P9Q]") + len("Re: ")
    assert subject.endswith("… [TG-7K3P9Q]")


@pytest.mark.parametrize(
    "to",
    [
        pytest.param("jüri@example.ee", id="non-ascii-local-part"),
        pytest.param("mari@example.ee, evil@example.com", id="two-in-one"),
        pytest.param("mari@example.ee\r\nBcc: evil@example.com", id="line-break"),
        pytest.param("<mari@example.ee>", id="angle-brackets"),
        pytest.param("mari", id="no-domain"),
    ],
)
def test_an_address_that_cannot_be_written_as_it_is_makes_no_mail(to: str) -> None:
    with pytest.raises(UnbuildableEmail) as raised:
        make_email(to=[to]).to_mime()
    assert (raised.value.instance_code, raised.value.http_status) == ("email_unbuildable", 422)


def test_a_body_that_cannot_be_encoded_makes_no_mail() -> None:
    with pytest.raises(UnbuildableEmail):
        make_email(text="broken \ud800 text").to_mime()


def test_a_message_id_from_a_customer_that_is_no_msg_id_is_left_out_of_the_threading_headers() -> None:
    message = parsed(make_email(in_reply_to="bad id@x", references=["ok@mail.example.ee", "a\x00b@x", "<x>@y"]))
    assert message["In-Reply-To"] is None
    assert message["References"] == "<ok@mail.example.ee>"
