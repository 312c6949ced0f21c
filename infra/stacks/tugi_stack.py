"""TugiStack: composes the constructs; every resource is defined in infra/constructs/."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, Stack
from constructs import Construct

from infra.config import TugiConfig
from infra.constructs.access_logs import AccessLogsConstruct
from infra.constructs.api import ApiConstruct, Throttle
from infra.constructs.data import DataConstruct
from infra.constructs.email_intake import EmailIntakeConstruct
from infra.constructs.functions import FunctionsConstruct, FunctionSettings
from infra.constructs.identity import IdentityConstruct
from infra.constructs.knowledge import KnowledgeConstruct, SearchDomainSettings
from infra.constructs.web import WebConstruct
from infra.constructs.workflow import WorkflowConstruct


class TugiStack(Stack):
    """The whole contact center in one stack."""

    def __init__(self, scope: Construct, construct_id: str, *, config: TugiConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        intake_timeout = Duration.seconds(config.intake_timeout_seconds)
        access_logs = AccessLogsConstruct(self, "AccessLogs")
        data = DataConstruct(self, "Data", access_logs_bucket=access_logs.bucket)
        email = EmailIntakeConstruct(
            self,
            "EmailIntake",
            access_logs_bucket=access_logs.bucket,
            recipients=config.recipients,
            raw_mail_retention_days=config.raw_mail_retention_days,
            intake_timeout=intake_timeout,
        )
        identity = IdentityConstruct(self, "Identity")
        functions = FunctionsConstruct(
            self,
            "Functions",
            asset_dir=config.lambda_asset_dir,
            settings=FunctionSettings(
                support_address=config.support_address,
                mail_domain=config.mail_domain,
                default_phone_region=config.default_phone_region,
                portal_url=config.portal_url,
                api_timeout=Duration.seconds(config.api_timeout_seconds),
                intake_timeout=intake_timeout,
            ),
            data=data,
            raw_mail_bucket=email.raw_mail_bucket,
        )
        email.deliver_to(functions.intake.function)
        workflow = WorkflowConstruct(
            self,
            "Workflow",
            code=functions.code,
            environment=functions.environment,
            data=data,
            mail_domain=config.mail_domain,
            supervisor_emails=config.supervisor_emails,
            nlp_layer_dir=config.nlp_layer_dir,
        )
        # The auto-answer's "solved / not solved" links resume the waiting execution.
        workflow.allow_task_responses(functions.public_api.role)
        knowledge = KnowledgeConstruct(
            self,
            "Knowledge",
            code=functions.code,
            environment=functions.environment,
            data=data,
            alarm_topic=workflow.topic,
            settings=SearchDomainSettings(
                domain_name=config.search_domain_name,
                instance_type=config.search_instance_type,
                instance_count=config.search_instance_count,
                volume_gib=config.search_volume_gib,
                removal_policy=config.search_removal_policy,
            ),
        )
        # Self-service search; reindex and agents' search; triage's answers from the knowledge base.
        knowledge.allow_search(functions.public_api)
        knowledge.allow_search(functions.agent_api, write=True)
        knowledge.allow_search(workflow.tasks_function)
        api = ApiConstruct(
            self,
            "Api",
            public_function=functions.public_api.function,
            agent_function=functions.agent_api.function,
            user_pool=identity.user_pool,
            stage_throttle=Throttle(rate=config.api_rate_limit, burst=config.api_burst_limit),
            contact_throttle=Throttle(rate=config.contact_rate_limit, burst=config.contact_burst_limit),
        )
        WebConstruct(
            self,
            "Web",
            asset_dir=config.web_asset_dir,
            access_logs_bucket=access_logs.bucket,
            rest_api=api.rest_api,
        )
