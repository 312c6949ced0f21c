"""What we tell customers without an agent writing it, in their language (English when we lack it).

Texts are plain, short and carry the case reference, so a reply threads back to the case. They
never repeat what the customer wrote: an email can be forwarded, a notice should not leak.
"""

from __future__ import annotations

from enum import StrEnum


class Notice(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    AUTO_ANSWER = "auto_answer"
    NOT_SOLVED = "not_solved"
    RESOLVED = "resolved"
    STILL_WORKING = "still_working"


_TEXTS: dict[str, dict[Notice, str]] = {
    "en": {
        Notice.ACKNOWLEDGEMENT: (
            "Hello,\n\nThank you for contacting us. We received your message and opened case {reference}.\n"
            "We will get back to you as soon as we can. To add anything, reply to this email."
        ),
        Notice.AUTO_ANSWER: (
            "Hello,\n\nThis may answer your question (case {reference}):\n\n{short_answer}\n\nRead more: {url}\n\n"
            "Did this solve your problem? Tell us here: {answer_link}\n"
            "If it did not, a person from our team will take over; you can also simply reply to this email."
        ),
        Notice.NOT_SOLVED: ("Hello,\n\nA person from our team will look at case {reference} and get back to you."),
        Notice.RESOLVED: (
            "Hello,\n\nWe have marked case {reference} as resolved. If anything is still open, reply to this "
            "email and we will pick it up again."
        ),
        Notice.STILL_WORKING: (
            "Hello,\n\nWe are still working on case {reference}. Thank you for your patience; "
            "we will write as soon as we have news."
        ),
    },
    "et": {
        Notice.ACKNOWLEDGEMENT: (
            "Tere!\n\nTäname pöördumise eest. Saime teie kirja kätte ja avasime juhtumi {reference}.\n"
            "Vastame teile niipea kui võimalik. Kui soovite midagi lisada, vastake sellele kirjale."
        ),
        Notice.AUTO_ANSWER: (
            "Tere!\n\nSee võib vastata teie küsimusele (juhtum {reference}):\n\n{short_answer}\n\n"
            "Loe lähemalt: {url}\n\nKas see lahendas teie mure? Andke teada siin: {answer_link}\n"
            "Kui mitte, võtab asja üle meie töötaja; võite ka lihtsalt sellele kirjale vastata."
        ),
        Notice.NOT_SOLVED: ("Tere!\n\nMeie töötaja vaatab juhtumi {reference} üle ja võtab teiega ühendust."),
        Notice.RESOLVED: (
            "Tere!\n\nMärkisime juhtumi {reference} lahendatuks. Kui midagi jäi veel lahtiseks, vastake sellele "
            "kirjale ja tegeleme sellega edasi."
        ),
        Notice.STILL_WORKING: (
            "Tere!\n\nTegeleme endiselt juhtumiga {reference}. Täname kannatlikkuse eest; kirjutame kohe, "
            "kui on uudiseid."
        ),
    },
}


def render(notice: Notice, language: str | None, **fields: str) -> str:
    texts = _TEXTS.get(language or "en", _TEXTS["en"])
    return texts[notice].format(**fields)
