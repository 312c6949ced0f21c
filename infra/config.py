"""Deployment knobs of the Tugi stack, read once from CDK context (`cdk synth -c key=value`).

Every field has a default, so `cdk synth` works with no context at all. Context values given on
the command line arrive as strings; `from_context` converts them to the field's type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from constructs import Node

from infra.web_hosting import WEB_ROOT

INFRA_DIR = Path(__file__).resolve().parent
REPO_ROOT = INFRA_DIR.parent
DEFAULT_LAMBDA_ASSET_DIR = REPO_ROOT / "build" / "lambda"
DEFAULT_NLP_LAYER_DIR = REPO_ROOT / "build" / "lambda-layers" / "nlp"
CDK_JSON = REPO_ROOT / "cdk.json"


@dataclass(frozen=True)
class TugiConfig:
    """What differs between deployments; the constructs take these as props."""

    # eu-west-1 receives mail through SES; many regions (eu-north-1 among them) cannot.
    region: str = "eu-west-1"
    lambda_asset_dir: Path = DEFAULT_LAMBDA_ASSET_DIR
    # The portal and the console, as `make web` builds them; CloudFront serves them (infra/constructs/web.py).
    web_asset_dir: Path = WEB_ROOT
    # Triage's language models and sentiment lexicon, a layer of the workflow tasks function only.
    nlp_layer_dir: Path = DEFAULT_NLP_LAYER_DIR
    support_address: str = "support@tugi.example"
    mail_domain: str = "tugi.example"
    default_phone_region: str = "EE"
    # Addresses or domains SES accepts mail for; empty means the support address.
    inbound_recipients: tuple[str, ...] = field(default_factory=tuple)
    raw_mail_retention_days: int = 365
    api_rate_limit: int = 50
    api_burst_limit: int = 100
    # The public contact form is the one unauthenticated write: it gets a tighter budget.
    contact_rate_limit: int = 5
    contact_burst_limit: int = 10
    api_timeout_seconds: int = 10
    intake_timeout_seconds: int = 60
    # The customer portal; emails link to it (e.g. the auto-answer's "solved / not solved"). It should be the
    # distribution's domain (output `WebPortalUrl…`) or a custom domain in front of it; the functions cannot
    # take it from the distribution, which depends on the API and so on them.
    portal_url: str = "https://support.tugi.example"
    # Who gets the contact workflow's escalations and alarms (an email subscription each).
    supervisor_emails: tuple[str, ...] = field(default_factory=tuple)
    # The knowledge base's OpenSearch Service domain (infra/constructs/knowledge.py): one small node by
    # default; two or more are spread over availability zones (2, or 3 when the count divides by 3).
    search_domain_name: str = "tugi-kb"
    search_instance_type: str = "t3.small.search"
    search_instance_count: int = 1
    search_volume_gib: int = 10
    # "retain" keeps the domain when the stack is deleted; "destroy" suits a dev stack (the index is
    # rebuilt from the table with `tugi kb reindex`).
    search_removal_policy: str = "retain"

    @property
    def recipients(self) -> tuple[str, ...]:
        """The SES receipt rule's recipients."""
        return self.inbound_recipients or (self.support_address,)

    @classmethod
    def from_context(cls, node: Node) -> TugiConfig:
        """Build the config from CDK context, falling back to the defaults above."""
        values: dict[str, Any] = {}
        for spec in fields(cls):
            raw = node.try_get_context(spec.name)
            if raw is not None:
                values[spec.name] = _convert(spec.name, raw)
        return cls(**values)


def _convert(name: str, raw: Any) -> Any:
    default = getattr(TugiConfig(), name)
    if isinstance(default, Path):
        return Path(raw).expanduser().resolve()
    if isinstance(default, tuple):
        items = raw.split(",") if isinstance(raw, str) else raw
        return tuple(item.strip() for item in items if item.strip())
    if isinstance(default, int):
        return int(raw)
    return str(raw)


def cdk_json_context() -> dict[str, Any]:
    """The context in cdk.json (feature flags), so tests synthesise what `cdk synth` does."""
    return dict(json.loads(CDK_JSON.read_text(encoding="utf-8")).get("context", {}))
