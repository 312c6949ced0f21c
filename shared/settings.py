"""Every setting Tugi reads, from the environment, in one place.

Nothing reads the environment at import time: `get_settings()` builds the object on first use
and caches it; tests call `get_settings.cache_clear()` after changing the environment.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.domain.business_hours import Calendar
from shared.domain.channels import Channel
from shared.domain.priority import Priority
from shared.domain.sla import SlaPolicies
from shared.domain.triage import PriorityRules, SpamRules


class RoutingRules(BaseModel):
    """Which queue a case goes to: by contact reason first, then by channel, else the default queue."""

    by_reason: dict[str, str] = {"card_lost": "cards", "card_stolen": "cards", "refund_status": "billing"}
    by_channel: dict[Channel, str] = {}


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
    rejected_input_max_bytes: int = Field(
        default=64 * 1024, ge=0, description="Of a refused body, this many first bytes are kept (a whole form fits)"
    )
    web_form_dedup_seconds: int = Field(default=3600, description="The same submission within this is one case")

    # Paging
    default_page_size: int = 25

    # Cases
    default_queue: str = "general"
    needs_attention_queue: str = Field(default="needs_attention", description="Cases a person must look at first")
    case_detail_budget_bytes: int = Field(
        default=4_000_000, description="Messages in GET /v1/cases/{id}, newest first; Lambda answers at most 6 MB"
    )

    # Contact workflow (infra/workflows/contact.asl.json). JSON values in the environment, e.g.
    # TUGI_PRIORITY_RULES='{"keywords": {"urgent": ["fraud"]}}'.
    contact_workflow_arn: str | None = None
    portal_url: str = Field(default="https://support.tugi.example", description="Base of links in customer emails")
    languages: tuple[str, ...] = Field(
        default=("en", "et", "ru"), description="Languages triage tells apart; each costs start-up time and memory"
    )
    default_language: str = "en"
    answer_rules_file: str | None = Field(
        default=None, description="Keyword rules (JSON) that answer instead of the knowledge base (tests, demos)"
    )
    auto_answer_channels: frozenset[Channel] = frozenset({Channel.EMAIL, Channel.WEB_FORM})
    auto_answer_min_confidence: float = Field(
        default=0.5, ge=0, le=1, description="Banking77: 0.5 answers 69 % of questions, 97.4 % of them right"
    )
    auto_answer_timeout_seconds: int = Field(default=3 * 24 * 3600, ge=60, description="Wait for solved/not solved")
    route_at_once_priority: Priority = Field(
        default=Priority.HIGH, description="From this priority up a case goes to a person at once, auto-answered or not"
    )
    priority_rules: PriorityRules = PriorityRules()
    spam_rules: SpamRules = SpamRules()
    spam_queue: str = "spam"
    supervisor_queue: str = "supervisors"
    routing: RoutingRules = RoutingRules()
    sla_policies: SlaPolicies = SlaPolicies()
    business_calendar: Calendar = Calendar()
    sla_escalate_at: float = Field(default=0.8, gt=0, lt=1, description="Escalate when this share of a target is used")
    sweep_after_seconds: int = Field(default=900, ge=60, description="A case `new` this long gets its workflow")
    sla_max_sleep_seconds: int = Field(default=3600, ge=1, description="The SLA watch looks again at least this often")

    # Knowledge base
    kb_locales: tuple[str, ...] = Field(default=("en", "et"), description="Locales articles are written in")
    kb_review_days: int = Field(default=180, ge=1, description="A published article is due for review after this")
    search_log_days: int = Field(default=400, ge=1, description="How long searches are kept (gaps, deflection)")
    kb_deflection_days: int = Field(
        default=7, ge=1, le=90, description="A search with no contact from its visitor this long after is deflected"
    )
    kb_report_max_searches: int = Field(
        default=10_000, ge=100, description="Searches one gaps report reads at most (newest first)"
    )
    search_path: str | None = Field(default=None, description="Embedded index folder; none keeps it in memory")
    opensearch_url: str | None = Field(default=None, description="OpenSearch endpoint; none: the embedded index")
    opensearch_service: Literal["es", "aoss"] = Field(
        default="es", description="SigV4 service of an https endpoint: es (a domain) or aoss (serverless)"
    )
    opensearch_index_prefix: str = Field(default="tugi-kb", description="OpenSearch indices are {prefix}-{locale}")

    def kb_locale_for(self, language: str | None) -> str:
        """The knowledge base's locale for a language (`en-GB` → `en`); the default language when it has none."""
        base = (language or "").lower().replace("_", "-").split("-")[0]
        return base if base in self.kb_locales else self.default_language

    # Local runtime only; never set in AWS.
    aws_endpoint_url: str | None = Field(default=None, validation_alias="AWS_ENDPOINT_URL")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment once."""
    return Settings()
