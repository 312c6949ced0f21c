"""Builds the services from settings and adapters, lazily: nothing is created at import time.

Each piece is imported when first asked for, so a Lambda loads only what it uses (the web form
never loads the mail parser). Handlers call `container()` inside the handler; tests and the local
runtime call `reset()` after changing the environment so the next call builds everything anew.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from shared.settings import Settings, get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_ses.client import SESClient

    from shared.adapters.dynamo.agents import DynamoAgentStore
    from shared.adapters.dynamo.answers import DynamoAnswerStore
    from shared.adapters.dynamo.articles import DynamoArticleStore
    from shared.adapters.dynamo.cases import DynamoCaseStore
    from shared.adapters.dynamo.customers import DynamoCustomerStore
    from shared.adapters.dynamo.learned_words import DynamoLearnedWords
    from shared.adapters.dynamo.table import DynamoTable
    from shared.adapters.idempotency import PowertoolsOnce
    from shared.adapters.s3_blobs import S3BlobStore
    from shared.adapters.step_functions import StepFunctionsWorkflow
    from shared.domain.knowledge import SearchIndex
    from shared.domain.triage import AnswerFinder
    from shared.ports import SearchLog
    from shared.services.agents import AgentDirectory
    from shared.services.answers import AnswerVerdicts
    from shared.services.articles import ArticleEditor
    from shared.services.case_stream import CaseStream
    from shared.services.cases import CaseService
    from shared.services.contacts import ContactForm
    from shared.services.customers import CustomerService
    from shared.services.email_intake import EmailIntake
    from shared.services.kb_indexer import KnowledgeIndexer
    from shared.services.kb_learning import KnowledgeLearning
    from shared.services.kb_reports import KnowledgeReports
    from shared.services.notices import CustomerNotices
    from shared.services.rejections import RejectedInputArchive
    from shared.services.self_service import SelfService
    from shared.services.workflow import WorkflowService
    from shared.services.workflow_sweep import WorkflowSweep

# ruff: noqa: PLC0415 - the imports below are deferred on purpose (see the module docstring)


class Container:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _client(self, service: str) -> Any:
        from shared.adapters.aws_clients import make_client

        return make_client(service, region=self.settings.region, endpoint_url=self.settings.aws_endpoint_url)

    @cached_property
    def dynamodb(self) -> DynamoDBClient:
        client: DynamoDBClient = self._client("dynamodb")
        return client

    @cached_property
    def s3(self) -> S3Client:
        client: S3Client = self._client("s3")
        return client

    @cached_property
    def ses(self) -> SESClient:
        client: SESClient = self._client("ses")
        return client

    @cached_property
    def table(self) -> DynamoTable:
        from shared.adapters.dynamo.table import DynamoTable

        return DynamoTable(self.dynamodb, self.settings.table_name)

    @cached_property
    def customer_store(self) -> DynamoCustomerStore:
        from shared.adapters.dynamo.customers import DynamoCustomerStore

        return DynamoCustomerStore(self.table)

    @cached_property
    def case_store(self) -> DynamoCaseStore:
        from shared.adapters.dynamo.cases import DynamoCaseStore

        return DynamoCaseStore(self.table)

    @cached_property
    def raw_mail(self) -> S3BlobStore:
        from shared.adapters.s3_blobs import S3BlobStore

        return S3BlobStore(self.s3, self.settings.raw_mail_bucket)

    @cached_property
    def attachments(self) -> S3BlobStore:
        from shared.adapters.s3_blobs import S3BlobStore

        return S3BlobStore(self.s3, self.settings.attachments_bucket)

    @cached_property
    def rejected_input(self) -> RejectedInputArchive:
        from shared.services.rejections import RejectedInputArchive

        return RejectedInputArchive(self.raw_mail, max_bytes=self.settings.rejected_input_max_bytes)

    @cached_property
    def customers(self) -> CustomerService:
        from shared.services.customers import CustomerService

        return CustomerService(self.customer_store, self.case_store)

    @cached_property
    def cases(self) -> CaseService:
        from shared.adapters.ses_sender import SesEmailSender
        from shared.services.cases import CaseService

        sender = SesEmailSender(self.ses)
        return CaseService(self.case_store, self.customer_store, sender, self.settings, self.article_store)

    @cached_property
    def once(self) -> PowertoolsOnce:
        from shared.adapters.idempotency import PowertoolsOnce

        return PowertoolsOnce(
            self.dynamodb, self.settings.table_name, window_seconds=self.settings.web_form_dedup_seconds
        )

    @cached_property
    def contact_form(self) -> ContactForm:
        from shared.services.contacts import ContactForm

        return ContactForm(self.customers, self.cases, self.once, self.search_log)

    @cached_property
    def email_intake(self) -> EmailIntake:
        from shared.adapters.dynamo.intake_log import DynamoIntakeLog
        from shared.services.email_intake import EmailIntake

        return EmailIntake(
            raw_mail=self.raw_mail,
            attachments=self.attachments,
            cases=self.case_store,
            customers=self.customer_store,
            intake_log=DynamoIntakeLog(self.table),
            case_service=self.cases,
            customer_service=self.customers,
            settings=self.settings,
        )

    # --- the contact workflow ----------------------------------------------------------------

    @cached_property
    def agent_store(self) -> DynamoAgentStore:
        from shared.adapters.dynamo.agents import DynamoAgentStore

        return DynamoAgentStore(self.table)

    @cached_property
    def answer_store(self) -> DynamoAnswerStore:
        from shared.adapters.dynamo.answers import DynamoAnswerStore

        return DynamoAnswerStore(self.table)

    @cached_property
    def workflow_engine(self) -> StepFunctionsWorkflow:
        from shared.adapters.step_functions import StepFunctionsWorkflow

        return StepFunctionsWorkflow(self._client("stepfunctions"), self.settings.contact_workflow_arn)

    @cached_property
    def workflow(self) -> WorkflowService:
        from shared.adapters.language import LinguaLanguageDetector
        from shared.adapters.sentiment import LexiconSentiment
        from shared.services.workflow import WorkflowService

        return WorkflowService(
            cases=self.cases,
            notices=self.notices,
            case_store=self.case_store,
            customers=self.customer_store,
            agents=self.agent_store,
            answers=self.answer_store,
            detector=LinguaLanguageDetector(self.settings.languages),
            sentiment=LexiconSentiment(),
            finder=self.answer_finder,
            settings=self.settings,
        )

    @cached_property
    def case_stream(self) -> CaseStream:
        from shared.services.case_stream import CaseStream

        return CaseStream(
            engine=self.workflow_engine,
            agents=self.agent_store,
            answers=self.answer_store,
            notices=self.notices,
            needs_attention_queue=self.settings.needs_attention_queue,
            learning=self.kb_learning,
        )

    @cached_property
    def notices(self) -> CustomerNotices:
        from shared.services.notices import CustomerNotices

        return CustomerNotices(self.cases, self.customer_store, self.settings)

    @cached_property
    def workflow_sweep(self) -> WorkflowSweep:
        from shared.services.workflow_sweep import WorkflowSweep

        return WorkflowSweep(self.case_store, self.workflow_engine, self.settings)

    @cached_property
    def agent_directory(self) -> AgentDirectory:
        from shared.services.agents import AgentDirectory

        return AgentDirectory(self.agent_store)

    @cached_property
    def answer_verdicts(self) -> AnswerVerdicts:
        from shared.services.answers import AnswerVerdicts

        return AnswerVerdicts(self.answer_store, self.case_store, self.workflow_engine, self.settings.kb_locale_for)

    # --- the knowledge base --------------------------------------------------------------------

    @cached_property
    def article_store(self) -> DynamoArticleStore:
        from shared.adapters.dynamo.articles import DynamoArticleStore

        return DynamoArticleStore(self.table)

    @cached_property
    def learned_words(self) -> DynamoLearnedWords:
        from shared.adapters.dynamo.learned_words import DynamoLearnedWords

        return DynamoLearnedWords(self.table)

    @cached_property
    def search_index(self) -> SearchIndex:
        """OpenSearch when `opensearch_url` is set; else the embedded index, in this process (in memory unless
        `search_path` names a folder)."""
        if self.settings.opensearch_url:
            from shared.adapters.search.opensearch import OpenSearchSearchIndex

            return OpenSearchSearchIndex.from_url(
                self.settings.opensearch_url,
                service=self.settings.opensearch_service,
                region=self.settings.region,
                prefix=self.settings.opensearch_index_prefix,
            )
        from pathlib import Path

        from shared.adapters.search.embedded import EmbeddedSearchIndex

        return EmbeddedSearchIndex(Path(self.settings.search_path) if self.settings.search_path else None)

    @cached_property
    def article_editor(self) -> ArticleEditor:
        from shared.services.articles import ArticleEditor

        return ArticleEditor(self.article_store, self.settings)

    @cached_property
    def kb_indexer(self) -> KnowledgeIndexer:
        from shared.services.kb_indexer import KnowledgeIndexer

        return KnowledgeIndexer(self.article_store, self.learned_words, self.search_index)

    @cached_property
    def kb_learning(self) -> KnowledgeLearning:
        from shared.services.kb_learning import KnowledgeLearning

        return KnowledgeLearning(
            self.article_store,
            self.case_store,
            self.customer_store,
            self.search_log,
            self.settings,
            words=self.learned_words,
        )

    @cached_property
    def answer_finder(self) -> AnswerFinder:
        """The knowledge base; `answer_rules_file` keeps the keyword rules instead (no index needed)."""
        if self.settings.answer_rules_file:
            from pathlib import Path

            from shared.adapters.rule_answers import RuleBasedAnswers

            return RuleBasedAnswers(Path(self.settings.answer_rules_file))
        from shared.services.kb_answers import KnowledgeBaseAnswers

        return KnowledgeBaseAnswers(self.search_index, self.settings)

    @cached_property
    def search_log(self) -> SearchLog:
        from shared.adapters.dynamo.search_log import DynamoSearchLog

        return DynamoSearchLog(self.table, self.settings.search_log_days)

    @cached_property
    def self_service(self) -> SelfService:
        from shared.services.self_service import SelfService

        return SelfService(self.article_store, self.search_index, self.search_log, self.settings)

    @cached_property
    def kb_reports(self) -> KnowledgeReports:
        from shared.services.kb_reports import KnowledgeReports

        return KnowledgeReports(self.search_log, self.article_store, self.settings)


@lru_cache(maxsize=1)
def container() -> Container:
    return Container(get_settings())


def reset() -> None:
    """Forget settings and clients (tests and the local runtime change the environment)."""
    get_settings.cache_clear()
    container.cache_clear()
