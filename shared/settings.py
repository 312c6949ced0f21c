"""Every setting Tugi reads, from the environment, in one place.

Nothing reads the environment at import time: `get_settings()` builds the object on first use
and caches it; tests call `get_settings.cache_clear()` after changing the environment.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Deployment settings. Environment variables carry the `TUGI_` prefix (e.g. `TUGI_TABLE_NAME`)."""

    model_config = SettingsConfigDict(env_prefix="TUGI_", frozen=True, extra="ignore")

    table_name: str = "tugi"
    raw_mail_bucket: str = "tugi-raw-mail"
    attachments_bucket: str = "tugi-attachments"
    region: str = Field(default="eu-north-1", validation_alias="AWS_REGION")

    # Identity
    default_phone_region: str = Field(default="EE", description="ISO 3166 region for phone numbers without +CC")

    # Email
    support_address: str = "support@tugi.example"
    support_name: str = "Tugi Support"
    mail_domain: str = Field(default="tugi.example", description="Domain of the Message-IDs we generate")
    reference_prefix: str = Field(default="TG", description="Prefix of case references, as in [TG-7K3P9Q]")
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_attachments_per_message: int = 20
    blocked_attachment_types: tuple[str, ...] = (
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-sh",
        "application/java-archive",
        "application/vnd.microsoft.portable-executable",
    )
    blocked_attachment_extensions: tuple[str, ...] = (".exe", ".bat", ".cmd", ".com", ".js", ".jar", ".scr", ".vbs")
    max_text_chars: int = 200_000

    # Web form
    max_request_bytes: int = 256 * 1024
    web_form_dedup_seconds: int = Field(default=3600, description="The same submission within this is one case")

    # Paging
    default_page_size: int = 25

    # Cases
    default_queue: str = "general"
    needs_attention_queue: str = Field(default="needs_attention", description="Cases a person must look at first")
    case_detail_budget_bytes: int = Field(
        default=4_000_000, description="Messages in GET /v1/cases/{id}, newest first; Lambda answers at most 6 MB"
    )

    # Local runtime only; never set in AWS.
    aws_endpoint_url: str | None = Field(default=None, validation_alias="AWS_ENDPOINT_URL")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment once."""
    return Settings()
