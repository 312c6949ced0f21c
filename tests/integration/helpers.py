"""Small drivers shared by the integration tests."""

from __future__ import annotations

from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from infra.local.platform import EmbeddedPlatform


def submit(platform: EmbeddedPlatform, **fields: str | None) -> dict[str, Any]:
    body = {"name": "Jüri Tamm", "email": "juri@example.ee", "subject": "Help", "message": "My card was blocked."}
    response = platform.api("POST", "/v1/contacts", json_body=body | fields)
    assert response.status == 202, response.body
    result: dict[str, Any] = response.json()
    return result


def sent_emails(platform: EmbeddedPlatform) -> list[Any]:
    """What SES (moto) has sent, oldest first."""
    return list(ses_backends[DEFAULT_ACCOUNT_ID][platform.settings.region].sent_messages)
