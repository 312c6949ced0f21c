"""parse_email against the real emails in ../shared/data/emails plus a few synthetic edge cases."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.domain.mail import BounceAction, MailKind, ParsedEmail
from shared.domain.mail_parser import parse_email
from tests.conftest import SHARED_DATA

EMAILS = SHARED_DATA / "emails"
EMAIL_NAMES = sorted(path.name for path in EMAILS.glob("*.eml"))
MALFORMED_NAMES = [name for name in EMAIL_NAMES if name.startswith("malformed-")]


@cache
def raw_email(name: str) -> bytes:
    return (EMAILS / name).read_bytes()


@cache
def parsed(name: str) -> ParsedEmail:
    return parse_email(raw_email(name))


def synthetic(headers: str, body: bytes = b"Hello", content_type: str = "text/plain; charset=utf-8") -> bytes:
    head = f"From: Customer <customer@example.com>\r\nMessage-ID: <synthetic@example.com>\r\n{headers}"
    return f"{head}Content-Type: {content_type}\r\n\r\n".encode() + body


def expected_kind(name: str) -> MailKind:
    category = name.split("-", 1)[0]
    return {"bounce": MailKind.BOUNCE, "autoreply": MailKind.AUTO_REPLY}.get(category, MailKind.REGULAR)


# --- every real email ----------------------------------------------------------------------------------------


def test_the_real_email_corpus_is_there() -> None:
    assert len(EMAIL_NAMES) >= 30


@pytest.mark.parametrize("name", EMAIL_NAMES)
def test_every_real_email_parses_into_the_kind_its_file_name_says(name: str) -> None:
    result = parsed(name)

    assert result.kind == expected_kind(name)
    assert result.message_id
    assert (result.bounce is not None) == (result.kind == MailKind.BOUNCE)
    assert (result.auto_reply_reason is not None) == (result.kind == MailKind.AUTO_REPLY)


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("bounce-mail-report_422.eml", BounceAction.DELAYED),
        ("bounce-cpython-msg_16.txt.eml", BounceAction.FAILED),
        ("bounce-chatwoot-bounced_gmail.eml", BounceAction.FAILED),
        ("bounce-sisimai-lhost-amazonses-01.eml", BounceAction.FAILED),
    ],
)
def test_bounce_action_comes_from_the_delivery_status_part(name: str, action: BounceAction) -> None:
    bounce = parsed(name).bounce

    assert bounce is not None
    assert bounce.action == action


# --- bounces ------------------------------------------------------------------------------------------------


def test_delay_warning_is_a_bounce_although_it_carries_auto_submitted() -> None:
    result = parsed("bounce-mail-report_422.eml")

    assert result.kind == MailKind.BOUNCE
    assert result.auto_reply_reason is None
    assert result.bounce is not None
    assert result.bounce.status == "4.2.2"
    assert result.bounce.recipients == ["fraser@oooooooo.com.au"]
    assert result.bounce.diagnostic == "452 4.2.2 <fraser@oooooooo.com.au>... Mailbox full"
    # The returned original is only its headers here (text/rfc822-headers).
    assert result.bounce.original_message_ids == ["15655788.13.1200472642578.JavaMail.Administrator@mail.ttttt.com.au"]


def test_gmail_bounce_finds_the_returned_message_and_what_it_replied_to() -> None:
    bounce = parsed("bounce-chatwoot-bounced_gmail.eml").bounce

    assert bounce is not None
    assert bounce.original_message_ids == [
        "conversation/93775311-9416-4428-964b-862001f8a8b2/messages/27855337@gmail.com",
        "account/1/conversation/93775311-9416-4428-964b-862001f8a8b2@gmail.com",
    ]
    # Gmail's delivery-status part is empty; X-Failed-Recipients names the recipient and says it failed.
    assert bounce.recipients == ["alex.jones@fictionalcorp.com"]
    assert bounce.status is None


def test_amazon_ses_bounce_reads_recipient_status_diagnostic_and_original_id() -> None:
    bounce = parsed("bounce-sisimai-lhost-amazonses-01.eml").bounce

    assert bounce is not None
    assert bounce.recipients == ["shironeko@example.co.jp"]
    assert bounce.status == "5.0.0"
    assert bounce.diagnostic is not None
    assert bounce.diagnostic.startswith("5.1.0 - Unknown address error 550-'5.7.1")
    assert bounce.original_message_ids == [
        "000001321defbd2a-788e31c8-2be1-422f-a8d4-cf7765cc9ed7-000000@email.amazonses.com"
    ]


def test_report_without_report_type_is_a_bounce_when_it_has_a_delivery_status_part() -> None:
    # CPython's msg_16 (a PMDF DSN) says only "multipart/report", without report-type=delivery-status, and it
    # came through a mailing list (Precedence: bulk). By the letter of the report-type rule it would be an
    # auto-reply; on the merits it is a DSN (message/delivery-status part, Action: failed), so it is a bounce.
    result = parsed("bounce-cpython-msg_16.txt.eml")

    assert result.kind == MailKind.BOUNCE
    assert result.bounce is not None
    assert result.bounce.recipients == ["jangel1@cougar.noc.ucla.edu"]
    assert result.bounce.status == "5.0.0"
    assert result.bounce.original_message_ids == ["002001c144a6$8752e060$56104586@oxy.edu"]


def test_multipart_report_of_another_type_is_not_a_bounce() -> None:
    raw = synthetic(
        "Subject: Read: hello\r\n",
        b"--B\r\nContent-Type: text/plain\r\n\r\nRead.\r\n--B--\r\n",
        content_type='multipart/report; report-type=disposition-notification; boundary="B"',
    )

    assert parse_email(raw).kind == MailKind.REGULAR


# --- auto-replies ---------------------------------------------------------------------------------------------


def test_rfc3834_vacation_reply_is_an_auto_reply_named_by_its_header() -> None:
    result = parsed("autoreply-sisimai-rfc3834-01.eml")

    assert result.auto_reply_reason == "Auto-Submitted: auto-replied"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: auto-generated\r\n", "Auto-Submitted: auto-generated"),
        ("X-Autoreply: yes\r\n", "X-Autoreply: yes"),
        ("X-Autorespond: Out of office\r\n", "X-Autorespond: Out of office"),
        ("Precedence: junk\r\n", "Precedence: junk"),
        ("Precedence: list\r\n", "Precedence: list"),
        ("Subject: Automatic reply: Your order\r\n", "Subject: Automatic reply:"),
        ("Subject: OUT OF OFFICE until Monday\r\n", "Subject: OUT OF OFFICE"),
        ("Subject: Abwesenheitsnotiz: Anfrage\r\n", "Subject: Abwesenheitsnotiz"),
        ("Subject: Automaattne vastus: tellimus\r\n", "Subject: Automaattne vastus"),
        ("Subject: =?utf-8?q?R=C3=A9ponse_automatique?=\r\n", "Subject: Réponse automatique"),
        (
            "X-Auto-Response-Suppress: DR, OOF\r\nSubject: RE: [EXT] Automatic reply: invoice\r\n",
            "X-Auto-Response-Suppress: DR, OOF with subject 'automatic reply:'",
        ),
    ],
)
def test_auto_reply_signals_are_recognised_and_named(headers: str, reason: str) -> None:
    result = parse_email(synthetic(headers))

    assert result.kind == MailKind.AUTO_REPLY
    assert result.auto_reply_reason == reason


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: no\r\n",
        "Precedence: first-class\r\n",
        "X-Auto-Response-Suppress: All\r\nSubject: Invoice question\r\n",
        "Subject: Re: my out of office question\r\n",
    ],
)
def test_ordinary_mail_is_not_an_auto_reply(headers: str) -> None:
    assert parse_email(synthetic(headers)).kind == MailKind.REGULAR


# --- threading ------------------------------------------------------------------------------------------------


def test_rfc2822_thread_ids_chain_from_message_to_reply_to_reply() -> None:
    first = parsed("thread1-mail-rfc2822_example05.eml")
    reply = parsed("thread2-mail-rfc2822_example06.eml")
    reply_to_reply = parsed("thread3-mail-rfc2822_example07.eml")

    assert (first.message_id, first.in_reply_to, first.references) == ("1234@local.machine.example", [], [])
    assert reply.message_id == "3456@example.net"
    assert reply.in_reply_to == reply.references == [first.message_id]
    assert reply_to_reply.message_id == "abcd.1234@local.machine.tld"
    assert reply_to_reply.in_reply_to == [reply.message_id]
    assert reply_to_reply.references == [first.message_id, reply.message_id]
    assert all(r.has_message_id for r in (first, reply, reply_to_reply))


def test_reply_to_header_gives_the_first_address() -> None:
    assert parsed("thread2-mail-rfc2822_example06.eml").reply_to == "smith@home.example"


def test_folded_in_reply_to_with_two_ids_gives_both() -> None:
    result = parsed("reply-chatwoot-multiple_in_reply_to.eml")

    assert result.in_reply_to == [
        "4e6e35f5a38b4_479f13bb90078171@small-app-01.mail",
        "4e6e35f5a38b4_479f13bb90078131@small-app-01.mail",
    ]
    assert result.references == ["4e6e35f5a38b4_479f13bb90078178@small-app-01.mail"]


def test_repeated_in_reply_to_id_is_listed_once_and_empty_header_gives_none() -> None:
    assert parsed("autoreply-chatwoot-non_utf_encoded_mail.eml").in_reply_to == [
        "4e6e35f5a38b4_479f13bb90078178@small-app-01.mail"
    ]
    assert parsed("html_only-chatwoot-only_html.eml").in_reply_to == []


def test_missing_message_id_becomes_a_deterministic_hash_of_the_raw_bytes() -> None:
    raw = raw_email("malformed-relay-duplicate_mime_version_incoming.eml")

    result = parse_email(raw)

    assert result.has_message_id is False
    assert result.message_id == "sha256:" + hashlib.sha256(raw).hexdigest()
    assert parse_email(raw).message_id == result.message_id
    assert parse_email(raw + b"\n").message_id != result.message_id


def test_empty_message_id_is_treated_as_missing() -> None:
    raw = b"From: a@example.com\r\nMessage-ID: <>\r\n\r\nhi"

    result = parse_email(raw)

    assert result.has_message_id is False
    assert result.message_id.startswith("sha256:")


# --- reply text -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "new_text", "quoted_text"),
    [
        ("reply-talon-gmail.eml", "Hello", "Megan One <xxx@gmail.com> wrote:"),
        ("reply-talon-outlook.eml", "Hello", "The manager's comment"),
        ("reply-talon-iphone.eml", "Hello", "bob <bob@example.com> wrote:"),
        (
            "reply-chatwoot-mail_with_quote.eml",
            "Yes, I am providing you step how to reproduce this issue",
            "Any update on this?",
        ),
    ],
)
def test_reply_text_keeps_only_the_new_part(name: str, new_text: str, quoted_text: str) -> None:
    result = parsed(name)

    assert new_text in result.reply_text
    assert quoted_text not in result.reply_text
    assert quoted_text in result.text  # the full text keeps the history


def test_reply_text_of_a_message_without_quote_is_the_whole_text() -> None:
    result = parsed("plain-mail-basic_email.eml")

    assert result.reply_text == result.text == "Plain email.\n\nHope it works well!\n\nMikel"


# --- html -----------------------------------------------------------------------------------------------------


def test_html_only_mail_gets_its_text_from_the_html() -> None:
    result = parsed("html_only-chatwoot-only_html.eml")

    assert result.text == "This is html only mail"
    assert result.html is not None
    assert "<h1>" in result.html
    assert "<html>" not in result.html


def test_html_is_sanitised_but_keeps_cid_images() -> None:
    html = (
        b'<html><head><title>Title</title><style>p {color: red}</style></head><body onload="steal()">'
        b'<p onclick="steal()">Hi <b>there</b></p><script>alert("x")</script>'
        b'<a href="javascript:steal()">link</a><img src="cid:logo@example.com"></body></html>'
    )

    result = parse_email(synthetic("Subject: html\r\n", html, content_type="text/html; charset=utf-8"))

    assert result.html is not None
    for removed in ("<script", "alert", "onclick", "onload", "javascript:", "Title", "color: red"):
        assert removed not in result.html
    assert "<b>there</b>" in result.html
    assert 'src="cid:logo@example.com"' in result.html
    assert result.text == "Hi there\nlink"


def test_html_to_text_keeps_line_breaks_and_decodes_entities() -> None:
    html = b"<div>One &amp; only</div><p>Two<br>Three</p><ul><li>Four</li></ul>"

    result = parse_email(synthetic("", html, content_type="text/html; charset=utf-8"))

    assert result.text == "One & only\n\nTwo\nThree\n\nFour"


def test_plain_text_is_preferred_over_html() -> None:
    result = parsed("reply-talon-outlook.eml")

    assert result.text.startswith("Hello")
    assert "Allo! Follow up MIME!" not in result.text  # only in the HTML alternative
    assert result.html is not None
    assert "Allo! Follow up MIME!" in result.html


# --- charsets and headers -------------------------------------------------------------------------------------


def test_shift_jis_body_is_decoded() -> None:
    assert "このメールはテスト用のメールです。" in parsed("charset-mail-japanese_shift_jis.eml").text


def test_ks_c_5601_1987_body_is_decoded_as_cp949() -> None:
    assert parsed("charset-mail-ks_c_5601-1987.eml").text == "스티해"


def test_windows_1251_sender_name_is_decoded_and_broken_boundary_is_recovered() -> None:
    result = parsed("charset-mail-raw_email_bad_time_windows-1251.eml")

    assert result.from_name == "Атиковa"  # noqa: RUF001 - Cyrillic on purpose (the last letter is a Latin a)
    # policy.default reads the unquoted boundary "----=_NextPart..." as "----"; compat32 recovers the parts.
    assert "This message has been scanned for viruses" in result.text
    assert result.html is not None
    assert "MailScanner" in result.html
    assert "StartBoundaryNotFoundDefect" in result.defects
    assert result.date == datetime.fromisoformat("3609-06-30T15:33:50+06:00")  # nonsense year, kept as written


def test_cpython_charset_sample_has_empty_parts_and_known_charsets() -> None:
    # msg_08 declares us-ascii, iso-8859-1, iso-8859-2 and koi8-r parts, but every part is empty upstream.
    result = parsed("charset-cpython-msg_08.txt.eml")

    assert result.text == ""
    assert result.defects == []


@pytest.mark.parametrize(
    ("charset", "codec", "words"),
    [
        ("koi8-r", "koi8-r", "Привет, мир"),
        ("windows-1251", "cp1251", "Здравствуйте"),
        ("iso-2022-jp", "iso-2022-jp", "こんにちは"),
        ("euc-kr", "euc-kr", "안녕하세요"),
        ("ks_c_5601-1987", "cp949", "안녕하세요"),
        ("iso-8859-2", "iso-8859-2", "Zażółć gęślą jaźń"),
        ("iso-8859-15", "iso-8859-15", "Prix 10 €"),
    ],
)
def test_legacy_charsets_are_decoded(charset: str, codec: str, words: str) -> None:
    raw = synthetic("Subject: charset\r\n", words.encode(codec), content_type=f'text/plain; charset="{charset}"')

    result = parse_email(raw)

    assert result.text == words
    assert result.defects == []


def test_unknown_charset_is_read_as_utf8_with_replacement_and_noted() -> None:
    raw = synthetic("", "naïve €".encode() + b" \xff", content_type="text/plain; charset=x-klingon")

    result = parse_email(raw)

    assert result.text == "naïve € \ufffd"
    assert result.malformed
    assert any(d.startswith("CharsetError") for d in result.defects)


def test_split_encoded_words_in_sender_and_subject_are_joined() -> None:
    result = parsed("encoded_headers-mail-bad_subject.eml")

    assert result.from_name == "MySurvey.com & Carol Adams"
    assert result.from_address == "carol@mysurvey.com"
    assert result.reply_to == "carol@reply.mysurvey.com"
    assert result.subject == "MySurvey.com:  You have a survey waiting!  91123105"


def test_raw_utf8_and_rfc2047_subjects_are_decoded() -> None:
    assert parsed("attachment-mail-attachment_pdf.eml").subject == "Another PDF with 🎉 Unicode chars in it 🍿"
    assert parsed("attachment-mail-attachment_with_quoted_filename.eml").subject == "Eelanalüüsi päring"
    assert parsed("autoreply-chatwoot-non_utf_encoded_mail.eml").subject == "أهلين عميلنا الكريم"


def test_legacy_8bit_header_bytes_are_read_as_windows_1252_and_noted() -> None:
    result = parse_email(b"From: J\xe9r\xf4me <j@example.com>\r\nSubject: Caf\xe9\r\n\r\nhi")

    assert result.subject == "Café"
    assert result.from_name == "Jérôme"
    assert any(d.startswith("UndecodableBytesDefect") for d in result.defects)


def test_address_lists_give_addr_specs_and_garbage_gives_none() -> None:
    raw = (
        b'From: "Doe, Jane" <jane@example.com>\r\nTo: a@example.com, B <b@example.com>\r\n'
        b"Cc: c@example.com\r\nCc: not an address\r\n\r\nhi"
    )

    result = parse_email(raw)

    assert (result.from_name, result.from_address) == ("Doe, Jane", "jane@example.com")
    assert result.to == ["a@example.com", "b@example.com"]
    assert result.cc == ["c@example.com"]
    assert parse_email(b"From: <<<@>>>\r\n\r\nhi").from_address is None


def test_dates_are_aware_and_nonsense_dates_are_none() -> None:
    assert parsed("thread1-mail-rfc2822_example05.eml").date == datetime.fromisoformat("1997-11-21T09:55:06-06:00")
    assert parse_email(b"Date: Fri, 21 Nov 1997 09:55:06 -0000\r\n\r\nx").date == datetime(
        1997, 11, 21, 9, 55, 6, tzinfo=UTC
    )
    nonsense = parse_email(b"Date: the day after tomorrow\r\n\r\nx")
    assert nonsense.date is None
    assert any(d.startswith("InvalidDateDefect") for d in nonsense.defects)


# --- attachments ----------------------------------------------------------------------------------------------


def test_rfc2231_filename_is_decoded() -> None:
    (attachment,) = parsed("attachment-mail-attachment_with_quoted_filename.eml").attachments

    assert attachment.filename == "Eelanalüüsi päring.jpg"
    assert attachment.content_type == "image/jpeg"
    assert attachment.size == len(attachment.content) == 1952
    assert attachment.content.startswith(b"\xff\xd8")  # JPEG start-of-image
    assert attachment.inline is False  # inline disposition but no Content-ID: nothing in a body refers to it


def test_pdf_attachment_is_decoded_from_base64() -> None:
    result = parsed("attachment-mail-attachment_pdf.eml")

    (attachment,) = result.attachments
    assert (attachment.filename, attachment.content_type) == ("broken.pdf", "application/pdf")
    assert attachment.size == len(attachment.content) == 1026
    assert attachment.content.startswith(b"%PDF-1.4")
    assert result.text.startswith("Just attaching another PDF")


def test_forwarded_message_is_an_eml_attachment_named_after_its_subject() -> None:
    result = parsed("attachment-mail-attachment_message_rfc822.eml")

    (forwarded,) = result.attachments
    assert forwarded.content_type == "message/rfc822"
    assert forwarded.filename == "Another PDF.eml"  # inner subject, not the generic declared "ForwardedMessage.eml"
    assert forwarded.size == len(forwarded.content)
    assert result.text == "This is the first part."  # the forwarded body is not mixed into ours
    inner = parse_email(forwarded.content)
    assert inner.subject == "Another PDF"
    assert [a.filename for a in inner.attachments] == ["broken.pdf"]


def test_forwarded_message_without_subject_gets_a_numbered_name() -> None:
    raw = synthetic(
        "",
        b"--B\r\nContent-Type: text/plain\r\n\r\nSee below\r\n--B\r\nContent-Type: message/rfc822\r\n\r\n"
        b"From: x@example.com\r\n\r\nold\r\n--B--\r\n",
        content_type='multipart/mixed; boundary="B"',
    )

    (forwarded,) = parse_email(raw).attachments

    assert forwarded.filename == "forwarded-message-1.eml"


def test_inline_image_keeps_its_content_id_and_the_html_its_cid_source() -> None:
    result = parsed("multipart_related-relay-inline_image_incoming.eml")

    (image,) = result.attachments
    assert (image.filename, image.content_type) == ("clock-purple.png", "image/png")
    assert image.content_id == "0A0AD2F8-6672-45A8-8248-0AC6C7282970"
    assert image.inline is True
    assert image.content.startswith(b"\x89PNG")
    assert result.html is not None
    assert 'src="cid:0A0AD2F8-6672-45A8-8248-0AC6C7282970"' in result.html
    assert result.text == "Here is an inline image:\n\n– Your Friend"  # noqa: RUF001 - the en dash is in the mail


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("..%2F..%2Fetc%2Fpasswd", "passwd"),
        ("C%3A%5CUsers%5Cme%5Cinvoice.pdf", "invoice.pdf"),
        ("bell%07and%0Dreturn.txt", "bellandreturn.txt"),
        ("%E2%80%AEfdp.exe", "fdp.exe"),  # right-to-left override
        ("a%3Cb%3Ec%7Cd.txt", "a_b_c_d.txt"),
        ("%C3%BCn%C3%AF%20c%C3%B8d%C3%A9.txt", "ünï cødé.txt"),
        ("...", "attachment-1.bin"),
    ],
)
def test_attachment_filenames_are_safe_for_s3_keys(declared: str, expected: str) -> None:
    raw = synthetic(
        "",
        b"data",
        content_type=f"application/octet-stream\r\nContent-Disposition: attachment; filename*=utf-8''{declared}",
    )

    (attachment,) = parse_email(raw).attachments

    assert attachment.filename == expected


def test_long_filename_is_cut_to_200_chars_keeping_the_extension() -> None:
    raw = synthetic("", b"data", content_type=f'application/pdf; name="{"x" * 300}.pdf"')

    (attachment,) = parse_email(raw).attachments

    assert len(attachment.filename) == 200
    assert attachment.filename.endswith("x.pdf")


# --- malformed ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MALFORMED_NAMES)
def test_malformed_emails_are_flagged_with_their_defects(name: str) -> None:
    result = parsed(name)

    assert result.malformed is True
    assert result.defects


def test_outlook_express_mail_with_reused_boundary_keeps_subject_sender_and_text() -> None:
    result = parsed("malformed-cpython-msg_15.txt.eml")

    assert (result.subject, result.from_address) == ("XX", "xx@xx.dk")
    assert result.to == []  # "To: XX" is no address
    assert result.text == "Some removed test."
    assert "StartBoundaryNotFoundDefect" in result.defects


def test_header_only_mail_with_unknown_charset_subject_does_not_raise() -> None:
    # The README calls it "no body", but the upstream file does have a body line: "TEST".
    result = parsed("malformed-mail-bad_encoded_subject.eml")

    assert (result.from_address, result.from_name) == (None, None)
    assert result.subject == "TEST"
    assert result.text == "TEST"
    assert result.has_message_id is False
    assert "CharsetError: Subject: unknown charset 'none'" in result.defects


def test_raw_8bit_subject_and_invalid_date_zone_are_read() -> None:
    result = parsed("malformed-mail-trademark_character_in_subject.eml")

    # The raw bytes are C3 B4: valid UTF-8 (RFC 6532) for "ô", so only the "H0500" zone is a defect.
    assert result.subject == "GA.comô has a lead for you"
    assert result.date == datetime(2010, 10, 12, 16, 21, 5, tzinfo=UTC)
    assert result.defects == ["InvalidDateDefect: Date: unknown time zone, read as UTC"]


def test_duplicate_mime_version_is_noted_and_the_body_still_read() -> None:
    result = parsed("malformed-relay-duplicate_mime_version_incoming.eml")

    assert result.defects == ["DuplicateHeaderDefect: MIME-Version appears 2 times"]
    assert result.text.startswith("This email has two MIME-Version headers.")


def test_clean_email_has_no_defects() -> None:
    result = parsed("plain-mail-basic_email.eml")

    assert (result.malformed, result.defects, result.truncated) == (False, [], False)


# --- limits ---------------------------------------------------------------------------------------------------


def test_text_and_html_are_cut_to_the_limits() -> None:
    html = b"<p>" + b"word " * 2000 + b"<b>bold</b></p>"
    raw = synthetic("", html, content_type="text/html; charset=utf-8")

    result = parse_email(raw, max_text_chars=100, max_html_chars=300)

    assert result.truncated is True
    assert len(result.text) == 100
    assert result.html is not None
    assert len(result.html) <= 300
    assert result.html.startswith("<p>word word")
    assert result.html.endswith("</p>")  # cut, then sanitised again: no half-open tag


def test_short_mail_is_not_truncated() -> None:
    assert parse_email(synthetic("", b"short"), max_text_chars=5).truncated is False


# --- never raises ---------------------------------------------------------------------------------------------


def assert_usable(result: ParsedEmail) -> None:
    assert result.message_id
    assert result.malformed == bool(result.defects)
    # Valid Unicode everywhere (no surrogates from 8-bit bytes), so it can be stored as JSON.
    result.model_dump_json(exclude={"attachments": {"__all__": {"content"}}})


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    assert_usable(parse_email(raw))


@FUZZ
@given(st.sampled_from(EMAIL_NAMES), st.floats(min_value=0, max_value=1))
def test_truncated_real_emails_never_raise(name: str, fraction: float) -> None:
    raw = raw_email(name)

    assert_usable(parse_email(raw[: int(len(raw) * fraction)]))


@FUZZ
@given(st.sampled_from(EMAIL_NAMES), st.floats(min_value=0, max_value=1), st.binary(min_size=1, max_size=40))
def test_real_emails_with_junk_spliced_in_never_raise(name: str, fraction: float, junk: bytes) -> None:
    raw = raw_email(name)
    cut = int(len(raw) * fraction)

    assert_usable(parse_email(raw[:cut] + junk + raw[cut:]))
