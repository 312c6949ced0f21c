"""FunctionsConstruct: Tugi's three API and intake Lambdas, the code and settings all functions share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs.data import DataConstruct
from infra.constructs.email_intake import INBOUND_PREFIX
from infra.constructs.tugi_function import TugiFunction

REJECTED_PREFIX = "rejected/"
ATTACHMENTS_PREFIX = "messages/"  # shared/services/email_intake.py keys attachments there
# The build's .pyc files ship: /var/task is read-only, so without them every cold start compiles every module.
ASSET_EXCLUDES = [".deps-stamp"]


@dataclass(frozen=True)
class FunctionSettings:
    """The Tugi settings (shared/settings.py) that differ per deployment."""

    support_address: str
    mail_domain: str
    default_phone_region: str
    portal_url: str
    api_timeout: Duration
    intake_timeout: Duration


class FunctionsConstruct(Construct):
    """The public API, agent API and email intake functions.

    `code` (the one Lambda code asset) and `environment` (the common Tugi settings) are what
    every other Tugi function is built from too (e.g. the contact workflow's functions).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        asset_dir: Path,
        settings: FunctionSettings,
        data: DataConstruct,
        raw_mail_bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        self.code = lambda_.Code.from_asset(str(_checked_asset_dir(asset_dir)), exclude=ASSET_EXCLUDES)
        self.environment: Mapping[str, str] = {
            "TUGI_TABLE_NAME": data.table.table_name,
            "TUGI_RAW_MAIL_BUCKET": raw_mail_bucket.bucket_name,
            "TUGI_ATTACHMENTS_BUCKET": data.attachments_bucket.bucket_name,
            "TUGI_SUPPORT_ADDRESS": settings.support_address,
            "TUGI_MAIL_DOMAIN": settings.mail_domain,
            "TUGI_DEFAULT_PHONE_REGION": settings.default_phone_region,
            "TUGI_PORTAL_URL": settings.portal_url,
        }
        self.public_api = TugiFunction(
            self,
            "PublicApi",
            code=self.code,
            handler="functions.api.public.handler",
            description="Tugi public API: web contact form and OpenAPI document",
            environment=self.environment,
            timeout=settings.api_timeout,
        )
        self.agent_api = TugiFunction(
            self,
            "AgentApi",
            code=self.code,
            handler="functions.api.agent.handler",
            description="Tugi agent API: cases and customers (Cognito users)",
            environment=self.environment,
            timeout=settings.api_timeout,
        )
        self.intake = TugiFunction(
            self,
            "EmailIntake",
            code=self.code,
            handler="functions.email.intake.handler",
            description="Tugi email intake: raw mail from SQS into cases",
            environment=self.environment,
            timeout=settings.intake_timeout,
            memory_size=1024,  # MIME parsing and HTML sanitising of large mail
        )
        self._grant(data, raw_mail_bucket, settings.mail_domain)

    def _grant(self, data: DataConstruct, raw_mail_bucket: s3.IBucket, mail_domain: str) -> None:
        for function in (self.public_api, self.agent_api, self.intake):
            data.grant_data_access(function.role)
        self.public_api.allow_objects(
            raw_mail_bucket,
            actions=["s3:PutObject"],
            key_pattern=f"{REJECTED_PREFIX}*",
            reason="Stores rejected web-form input under rejected/, one generated key per request.",
        )
        self.agent_api.allow_objects(
            data.attachments_bucket,
            actions=["s3:GetObject"],
            key_pattern=f"{ATTACHMENTS_PREFIX}*",
            reason="Agents open the attachments of any case they can see; keys come from the case's messages.",
        )
        self.agent_api.allow_sending_mail_as(mail_domain)
        self.intake.allow_objects(
            raw_mail_bucket,
            actions=["s3:GetObject"],
            key_pattern=f"{INBOUND_PREFIX}*",
            reason="Reads the mail SES stored under inbound/; the key arrives in the S3 event.",
        )
        self.intake.allow_objects(
            data.attachments_bucket,
            actions=["s3:PutObject"],
            key_pattern=f"{ATTACHMENTS_PREFIX}*",
            reason="Writes each attachment of an inbound message under a key derived from the raw object.",
        )


def _checked_asset_dir(asset_dir: Path) -> Path:
    """The asset folder, or a clear error instead of CDK's when it was never built."""
    if not (asset_dir / "functions").is_dir():
        raise FileNotFoundError(
            f"no Lambda code in {asset_dir}: run `make lambda-build` (or pass -c lambda_asset_dir=)"
        )
    return asset_dir
