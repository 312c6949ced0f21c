"""Demo data for `tugi dev`: customers with history on email and the web form, and open cases."""

from __future__ import annotations

import time
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


DEMO_QUEUES = {"agent": ["general", "cards", "billing"], "supervisor": ["supervisors", "needs_attention"]}
_SETTLE_SECONDS = 60


def seed_demo(platform: EmbeddedPlatform) -> dict[str, int]:
    """Load the demo; returns what was created. Mari writes by email too, so her timeline spans channels.

    The demo agents are available in their queues first, so the workflow assigns the new cases; the
    seed returns once every case has been triaged (its SLA clocks run from then on).
    """
    supervisor = platform.token("supervisor")
    for role, queues in DEMO_QUEUES.items():
        platform.api(
            "PUT",
            f"/v1/agents/{platform.agent_id(role)}",
            json_body={"name": f"Demo {role}", "queues": queues, "available": True},
            token=supervisor,
        )
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
    if platform.workflow is not None:
        _wait_until_triaged(platform, token)
    listed = platform.api("GET", "/v1/cases", query={"queue": "general", "limit": "100"}, token=token).json()
    if listed["items"]:
        first = listed["items"][0]["case_id"]
        note = {"text": "Called the courier; card is on its way."}
        platform.api("POST", f"/v1/cases/{first}/notes", json_body=note, token=token)
    return {"cases": cases, "emails": len(mails), "web_forms": len(_WEB_FORM)}


def _wait_until_triaged(platform: EmbeddedPlatform, token: str) -> None:
    deadline = time.monotonic() + _SETTLE_SECONDS
    while time.monotonic() < deadline:
        untouched = platform.api("GET", "/v1/cases", query={"queue": "general", "status": "new"}, token=token).json()
        if not untouched["items"]:
            return
        time.sleep(0.2)
