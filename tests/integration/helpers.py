"""Small drivers shared by the integration tests."""

from __future__ import annotations

import email
from email import policy
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from infra.local.platform import EmbeddedPlatform


def submit(platform: EmbeddedPlatform, *, visitor: str | None = None, **fields: str | None) -> dict[str, Any]:
    """The web form, as the portal sends it (`visitor`: its per-browser id header): its answer
    (`case_id`, `reference`) and the case's `customer_id`, as an agent reads it."""
    body = {"name": "Jüri Tamm", "email": "juri@example.ee", "subject": "Help", "message": "My card was blocked."}
    headers = {"x-tugi-visitor": visitor} if visitor else None
    response = platform.api("POST", "/v1/contacts", json_body=body | fields, headers=headers)
    assert response.status == 202, response.body
    result: dict[str, Any] = response.json()
    case = platform.api("GET", f"/v1/cases/{result['case_id']}", token=platform.token("agent"))
    return result | {"customer_id": case.json()["customer_id"]}


def sent_emails(platform: EmbeddedPlatform) -> list[Any]:
    """What SES (moto) has sent, oldest first."""
    return list(ses_backends[DEFAULT_ACCOUNT_ID][platform.settings.region].sent_messages)


def sent_texts(platform: EmbeddedPlatform) -> list[str]:
    """The plain-text bodies of what SES has sent, decoded, oldest first."""
    texts = []
    for sent in sent_emails(platform):
        mime = email.message_from_string(sent.raw_data, policy=policy.default)
        body = mime.get_body(preferencelist=("plain",))
        texts.append(body.get_content() if body is not None else "")
    return texts
