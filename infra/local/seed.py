"""Demo data for `tugi dev`: customers with history on email and the web form, open cases, and the
demo knowledge base (`demo_kb/`, also loaded into a running platform by `tugi seed`)."""

from __future__ import annotations

import time
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from cli.kb_files import ArticleFile, read_folder
from cli.kb_sync import ImportResult, Outcome, Send, import_article, invalid_file

if TYPE_CHECKING:  # `tugi seed` imports this module without starting (or importing) moto
    from infra.local.platform import EmbeddedPlatform

DEMO_KB = Path(__file__).resolve().parent / "demo_kb"

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
    seed returns once every case has been triaged (its SLA clocks run from then on). With the knowledge
    base on, its demo articles load next (new contacts are triaged against them; the demo cases were not).
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
    articles = 0
    if platform.with_knowledge:  # after triage: the demo cases are triaged the same way every start
        loaded = seed_knowledge_base(platform_sender(platform, supervisor))
        articles = loaded["articles"] - loaded["failed"]
    return {"cases": cases, "emails": len(mails), "web_forms": len(_WEB_FORM), "articles": articles}


def seed_knowledge_base(send: Send, folder: Path = DEMO_KB) -> dict[str, int]:
    """Import the demo knowledge base through `send` (as a supervisor); how many files ended how.

    Returns `articles` (files read) and one count per outcome: created, updated, unchanged, failed.
    """
    counts = {"articles": 0} | {outcome.value: 0 for outcome in Outcome}
    for item in read_folder(folder):
        result: ImportResult = import_article(item, send) if isinstance(item, ArticleFile) else invalid_file(item)
        counts["articles"] += 1
        counts[result.outcome.value] += 1
    return counts


def platform_sender(platform: EmbeddedPlatform, token: str) -> Send:
    """A transport for `cli.kb_sync` that calls the platform in process, as `token`'s user."""

    def send(method: str, path: str, json_body: Any = None) -> tuple[int, Any]:
        url = urlsplit(path)
        query = dict(parse_qsl(url.query)) or None
        response = platform.api(method, url.path, json_body=json_body, query=query, token=token)
        return response.status, response.json() if response.body else None

    return send


def _wait_until_triaged(platform: EmbeddedPlatform, token: str) -> None:
    deadline = time.monotonic() + _SETTLE_SECONDS
    while time.monotonic() < deadline:
        untouched = platform.api("GET", "/v1/cases", query={"queue": "general", "status": "new"}, token=token).json()
        if not untouched["items"]:
            return
        time.sleep(0.2)
