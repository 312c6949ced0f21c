"""The embedded platform: moto backends, the resources, and the real handlers, in one process.

Integration tests, the CLI and (next) `tugi dev` use the same wiring. Start it before importing
handler modules' services; it sets the environment the handlers read and restores it on stop.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import uuid
import warnings
from dataclasses import dataclass
from functools import cache
from typing import Any, Self

import boto3
from moto import mock_aws
from moto.core.config import default_user_config

from infra.gateway import AGENT_PROXY_PATHS, METHODS, ROUTE_NOT_FOUND, UNAUTHORIZED, GatewayResponse
from infra.local import moto_patches
from infra.local.authorizer import CognitoAuthorizer
from infra.local.events import LambdaContext, rest_event, s3_put_sqs_event
from infra.local.invocation import invocation, invoke
from infra.local.mailbox import IntakeQueue, Mailbox, create_intake_queue
from infra.local.queues import QueuePoller
from infra.local.resources import UserPool, create_buckets, create_table, verify_mail_domain
from infra.local.runtime_info import DEMO_PASSWORD, DEMO_USERS
from infra.local.streams import StreamPoller, Subscription
from infra.local.workflow import Schedule, WorkflowResources, create_workflow
from infra.stream_consumers import CASE_STREAM, KB_INDEXER
from infra.workflows import SWEEP_HANDLER
from shared import bootstrap
from shared.domain.clock import ManualClock, scaled_clock, use_time_source
from shared.errors import Unauthorized
from shared.ports import IntakeOutcomeRecord
from shared.settings import Settings, get_settings

_INTAKE_HANDLER = "functions.email.intake.handler"
BASE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-north-1",
    "AWS_REGION": "eu-north-1",
    "POWERTOOLS_SERVICE_NAME": "tugi",
    "POWERTOOLS_METRICS_NAMESPACE": "Tugi",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


@cache
def _routes() -> tuple[list[tuple[re.Pattern[str], dict[str, bool]]], list[re.Pattern[str]]]:
    """The resources of the OpenAPI document as API Gateway routes them, a fixed segment before a path variable:
    (path pattern, method → needs an agent), where an operation with a security requirement is an agent route
    behind the Cognito authorizer; and the agent resources' `ANY` proxies, which take whatever is left."""
    from functions.api.openapi import openapi_document  # noqa: PLC0415 - imports every router

    paths = json.loads(openapi_document())["paths"]
    resources = [(re.compile("/v1/openapi.json"), {"GET": False})]
    for path in sorted(paths, key=lambda p: p.count("{")):
        pattern = re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)))
        resources.append((pattern, {method.upper(): bool(op.get("security")) for method, op in paths[path].items()}))
    return resources, [re.compile(proxy) for proxy in AGENT_PROXY_PATHS]


def _route(method: str, path: str) -> bool | None:
    """True for an agent route, False for a public one, None when API Gateway has no such route."""
    resources, proxies = _routes()
    methods = next((methods for pattern, methods in resources if pattern.fullmatch(path)), {})
    if method in methods:
        return methods[method]
    return True if method in METHODS and any(proxy.fullmatch(path) for proxy in proxies) else None


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def gateway_answer(response: GatewayResponse) -> ApiResponse:
    """What API Gateway answers itself, with a request id of its own."""
    status = response.status or 500  # the local gateway only gives the fixed-status answers
    return ApiResponse(status, {"content-type": "application/json"}, response.body(str(uuid.uuid4())))


class EmbeddedPlatform:
    """moto backends with the resources, and the real handlers.

    In-process by default (tests, the CLI). With `moto_server=True`, moto also listens on a local
    port, so other processes (`tugi token`, a browser's sign-in) reach the same backends. With
    `email_queue=True`, mail arrives as in AWS: S3's notification on the intake queue, which a
    poller hands to the intake handler (`tugi dev`, so `tugi email ingest` reaches it).

    Platform time is real time, `time_scale` times faster, or (`clock`, for tests) a `ManualClock`
    that moves only when the test advances it; then the sweep runs only when the test calls it.
    """

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        moto_server: bool = False,
        workflow: bool = False,
        knowledge: bool = False,
        time_scale: float = 1.0,
        email_queue: bool = False,
        clock: ManualClock | None = None,
    ) -> None:
        self.env = BASE_ENV | (env or {})
        self.moto_server = moto_server
        self.with_workflow = workflow
        self.with_knowledge = knowledge
        self.kb_dead_letter_queue_url: str | None = None
        self.time_scale = time_scale
        self.with_email_queue = email_queue
        self.intake_queue: IntakeQueue | None = None
        self.mailbox: Mailbox | None = None
        self._queue_poller: QueuePoller | None = None
        self.clock = clock
        self.workflow: WorkflowResources | None = None
        self._poller: StreamPoller | None = None
        self._schedule: Schedule | None = None
        self._saved_env: dict[str, str] = {}
        self._mock: Any = None
        self._server: Any = None
        self.endpoint_url: str | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self) -> None:
        self._saved_env = dict(os.environ)
        os.environ.update(self.env)
        moto_patches.apply()
        moto_patches.set_platform_clock(scale=self.time_scale, manual=self.clock is not None)
        if self.clock is not None:
            use_time_source(self.clock)
        elif self.time_scale != 1:
            use_time_source(scaled_clock(self.time_scale))
        if self.moto_server:
            default_user_config["stepfunctions"] = {"execute_state_machine": True}  # run the real ASL
            with warnings.catch_warnings():  # "install moto[server]": Flask is what it needs, and we have it
                warnings.simplefilter("ignore", UserWarning)
                from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: PLC0415

            logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per internal AWS call
            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            self._server.start()
            host, port = self._server.get_host_and_port()
            self.endpoint_url = f"http://{host}:{port}"
            os.environ.update({"AWS_ENDPOINT_URL": self.endpoint_url, "MOTO_PORT": str(port)})
        else:
            self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})  # the real ASL
            self._mock.start()
        bootstrap.reset()
        self.settings: Settings = get_settings()
        create_table(self.settings)
        create_buckets(self.settings)
        verify_mail_domain(self.settings)
        self.users = UserPool(self.settings)
        for username, groups in DEMO_USERS.values():
            self.users.add_user(username, DEMO_PASSWORD, groups)
        self.authorizer = CognitoAuthorizer(issuer=self.users.issuer, client_id=self.users.client_id)
        subscriptions = []
        if self.with_workflow:
            self._start_workflow()
            assert self.workflow is not None  # noqa: S101 - just created
            subscriptions.append(Subscription(CASE_STREAM, self.workflow.stream_dead_letter_queue_url))
        if self.with_knowledge:
            sqs = self._client("sqs")
            self.kb_dead_letter_queue_url = sqs.create_queue(QueueName="tugi-kb-indexer-dlq")["QueueUrl"]
            subscriptions.append(Subscription(KB_INDEXER, self.kb_dead_letter_queue_url))
        if subscriptions:
            self._poller = StreamPoller(
                self.settings.table_name, self.settings.region, self.endpoint_url, subscriptions
            )
            self._poller.start()
        if self.with_workflow and self.clock is None:
            self._schedule = Schedule()
            self._schedule.start()
        if self.with_email_queue:
            self._start_email_queue()

    def _start_email_queue(self) -> None:
        region, endpoint = self.settings.region, self.endpoint_url
        self.intake_queue = create_intake_queue(self.settings.raw_mail_bucket, region, endpoint)
        self._queue_poller = QueuePoller(
            self.intake_queue.url, _INTAKE_HANDLER, function_name="email-intake", region=region, endpoint_url=endpoint
        )
        self._queue_poller.start()
        bucket, table = self.settings.raw_mail_bucket, self.settings.table_name
        self.mailbox = Mailbox(s3=self.s3, dynamodb=self.dynamodb, bucket=bucket, table_name=table)

    def _start_workflow(self) -> None:
        self.workflow = create_workflow(self.settings.region, self.endpoint_url)
        os.environ["TUGI_CONTACT_WORKFLOW_ARN"] = self.workflow.state_machine_arn
        os.environ.setdefault("TUGI_PORTAL_URL", "http://127.0.0.1:8787")
        bootstrap.reset()
        self.settings = get_settings()

    def stop(self) -> None:
        self.stop_stream()
        if self._queue_poller is not None:
            self._queue_poller.stop()
            self._queue_poller = None
        if self._schedule is not None:
            self._schedule.stop()
            self._schedule = None
        self._stop_executions()
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        os.environ.clear()
        os.environ.update(self._saved_env)
        use_time_source(None)
        moto_patches.set_platform_clock()
        bootstrap.reset()

    def _stop_executions(self) -> None:
        """Stop running executions, so their threads end with the platform (waits are interruptible)."""
        if self.workflow is None:
            return
        sfn = self._client("stepfunctions")
        for page in sfn.get_paginator("list_executions").paginate(
            stateMachineArn=self.workflow.state_machine_arn, statusFilter="RUNNING"
        ):
            for execution in page["executions"]:
                with contextlib.suppress(Exception):
                    sfn.stop_execution(executionArn=execution["executionArn"])

    # --- drivers ---------------------------------------------------------------------------

    def token(self, role: str) -> str:
        username, _ = DEMO_USERS[role]
        return self.users.id_token(username, DEMO_PASSWORD)

    def stop_stream(self) -> None:
        """Stop delivering the table's stream, as an outage of Lambda's event source mapping would."""
        if self._poller is not None:
            self._poller.stop()
            self._poller = None

    def run_sweep(self) -> dict[str, int]:
        """Run the scheduled workflow sweep now, through its real handler."""
        result: dict[str, int] = invoke(SWEEP_HANDLER, {"source": "aws.events"}, function_name="sweep")
        return result

    def agent_id(self, role: str) -> str:
        """The agent id (Cognito sub) of a demo user."""
        return self.users.sub(DEMO_USERS[role][0])

    def store_raw_mail(self, raw: bytes, key: str | None = None) -> str:
        """Put a raw message where SES's receipt rule would; the key defaults to its content hash."""
        key = key or f"inbound/{hashlib.sha256(raw).hexdigest()}"
        self.s3.put_object(Bucket=self.settings.raw_mail_bucket, Key=key, Body=raw)
        return key

    def ingest_email(self, raw: bytes, key: str | None = None) -> IntakeOutcomeRecord:
        """Run one raw message through the real intake handler, as SES → S3 → SQS → Lambda would.

        With the email queue, that is the path it takes (under a key of its own, as SES gives each mail).
        """
        from functions.email import intake  # noqa: PLC0415 - handlers are imported once the platform is up

        if self.mailbox is not None:
            _, logged = self.mailbox.receive(raw)
            return logged or IntakeOutcomeRecord(outcome="rejected", reason="not processed in time; see the DLQ")

        key = self.store_raw_mail(raw, key)
        with invocation("email-intake"):
            response = intake.handler(s3_put_sqs_event(self.settings.raw_mail_bucket, [key]), LambdaContext())
        if response["batchItemFailures"]:
            errors = [info[0].__name__ for info in intake.processor.exceptions if info[0] is not None]
            reason = f"processing failed ({', '.join(errors) or 'unknown error'}); in AWS: retried, then the DLQ"
            return IntakeOutcomeRecord(outcome="rejected", reason=reason)
        # The log keeps the first run's outcome and the latest run's; this call is the latest run.
        logged = bootstrap.container().email_intake.intake_log.get(key)
        if logged is None:
            return IntakeOutcomeRecord(outcome="rejected", reason="no outcome was logged")
        if logged.last_outcome and logged.last_outcome != logged.outcome:
            return logged.model_copy(update={"outcome": logged.last_outcome, "reason": logged.last_reason or None})
        return logged

    def api(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        token: str | None = None,
    ) -> ApiResponse:
        """Send a request through API Gateway's part (routing, Cognito authorizer) to the real handler."""
        from functions.api import agent, public  # noqa: PLC0415

        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body)
            headers.setdefault("content-type", "application/json")
        if token:
            headers["authorization"] = f"Bearer {token}"
        agent_route = _route(method.upper(), path)
        if agent_route is None:
            return gateway_answer(ROUTE_NOT_FOUND)
        claims = None
        if agent_route:
            try:
                claims = self.authorizer.claims(headers.get("authorization"))
            except Unauthorized:
                return gateway_answer(UNAUTHORIZED)
        handler = agent.handler if agent_route else public.handler
        event = rest_event(method, path, body=body, headers=headers, query=query, claims=claims)
        with invocation(handler.__module__):
            result = handler(event, LambdaContext())
        # REST (v1) proxy answers may carry headers in either field; API Gateway merges both.
        multi = {name: ", ".join(values) for name, values in (result.get("multiValueHeaders") or {}).items()}
        return ApiResponse(result["statusCode"], multi | (result.get("headers") or {}), result.get("body") or "")

    @property
    def s3(self) -> Any:
        return self._client("s3")

    @property
    def ses_client(self) -> Any:
        return self._client("ses")

    @property
    def dynamodb(self) -> Any:
        return self._client("dynamodb")

    def _client(self, service: str) -> Any:
        return boto3.client(service, region_name=self.settings.region, endpoint_url=self.endpoint_url)  # type: ignore[call-overload]
