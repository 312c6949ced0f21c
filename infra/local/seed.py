"""Demo data for `tugi dev`: customers with history on email and the web form, and open cases."""

from __future__ import annotations

from email.message import EmailMessage

from infra.local.platform import EmbeddedPlatform

_WEB_FORM = [
    {
        "name": "Mari Maasikas",
        "email": "mari.maasikas@example.ee",
        "phone": "+372 5123 4567",
        "locale": "et",
        "subject": "Kaart ei ole kohale jõudnud",
        "message": "Tellisin uue kaardi kaks nädalat tagasi, aga see pole veel kohale jõudnud.",
    },
    {
        "name": "Kati Karu",
        "phone": "+372 5555 0101",
        "locale": "et",
        "subject": "Internetipank ei avane",
        "message": "Internetipank annab sisselogimisel vea. Palun helistage mulle.",
    },
    {
        "name": "John Smith",
        "email": "john.smith@example.com",
        "locale": "en",
        "subject": "Wrong fee on my statement",
        "message": "I was charged a monthly fee that my plan should not have.",
    },
]


def _mail(sender: str, name: str, subject: str, body: str, message_id: str, *, in_reply_to: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = "support@tugi.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = f"<{in_reply_to}>"
    message.set_content(body)
    return bytes(message)


def seed_demo(platform: EmbeddedPlatform) -> dict[str, int]:
    """Load the demo; returns what was created. Mari writes by email too, so her timeline spans channels."""
    cases = 0
    for form in _WEB_FORM:
        response = platform.api("POST", "/v1/contacts", json_body=form)
        cases += response.status == 202
    mails = [
        _mail(
            "mari.maasikas@example.ee",
            "Mari Maasikas",
            "Uus aadress",
            "Palun muutke mu postiaadress.",
            "demo-1@example.ee",
        ),
        _mail(
            "liis.kask@example.ee",
            "Liis Kask",
            "Card blocked abroad",
            "My card was blocked in Spain. Help!",
            "demo-2@example.ee",
        ),
        _mail(
            "liis.kask@example.ee",
            "Liis Kask",
            "Re: Card blocked abroad",
            "It works again, thanks.\n\n> My card",
            "demo-3@example.ee",
            in_reply_to="demo-2@example.ee",
        ),
    ]
    for raw in mails:
        cases += platform.ingest_email(raw).outcome == "new_case"
    token = platform.token("agent")
    listed = platform.api("GET", "/v1/cases", query={"queue": "general", "limit": "100"}, token=token).json()
    first = listed["items"][0]["case_id"]
    platform.api(
        "POST", f"/v1/cases/{first}/notes", json_body={"text": "Called the courier; card is on its way."}, token=token
    )
    return {"cases": cases, "emails": len(mails), "web_forms": len(_WEB_FORM)}
