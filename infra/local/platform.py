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
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Self

import boto3
from moto import mock_aws

from infra.local import moto_patches
from infra.local.authorizer import CognitoAuthorizer
from infra.local.events import LambdaContext, rest_event, s3_put_sqs_event
from infra.local.resources import UserPool, create_buckets, create_table, verify_mail_domain
from infra.local.runtime_info import DEMO_PASSWORD, DEMO_USERS
from shared import bootstrap
from shared.errors import Unauthorized
from shared.ports import IntakeOutcomeRecord
from shared.settings import Settings, get_settings

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


_PUBLIC_ROUTES = ("/v1/contacts", "/v1/openapi.json", "/v1/health")
_AGENT_ROUTES = ("/v1/cases", "/v1/customers")


# Lambda runs one event at a time in an execution environment, and Powertools' resolver keeps the
# current event on the module's app: concurrent calls of one handler in one process would read each
# other's requests. Each function is one environment here.
_environments: dict[str, threading.Lock] = {}
_environments_lock = threading.Lock()


@contextlib.contextmanager
def _invocation(function: str) -> Iterator[None]:
    """One event at a time per function; what it prints (EMF metrics) goes to stderr, as to CloudWatch."""
    with _environments_lock:
        lock = _environments.setdefault(function, threading.Lock())
    with lock, contextlib.redirect_stdout(sys.stderr):
        yield


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


class EmbeddedPlatform:
    """moto backends with the resources, and the real handlers.

    In-process by default (tests, the CLI). With `moto_server=True`, moto also listens on a local
    port, so other processes (`tugi token`, a browser's sign-in) reach the same backends.
    """

    def __init__(self, env: dict[str, str] | None = None, *, moto_server: bool = False) -> None:
        self.env = BASE_ENV | (env or {})
        self.moto_server = moto_server
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
        if self.moto_server:
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
            self._mock = mock_aws()
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

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        os.environ.clear()
        os.environ.update(self._saved_env)
        bootstrap.reset()

    # --- drivers ---------------------------------------------------------------------------

    def token(self, role: str) -> str:
        username, _ = DEMO_USERS[role]
        return self.users.id_token(username, DEMO_PASSWORD)

    def store_raw_mail(self, raw: bytes, key: str | None = None) -> str:
        """Put a raw message where SES's receipt rule would; the key defaults to its content hash."""
        key = key or f"inbound/{hashlib.sha256(raw).hexdigest()}"
        self.s3.put_object(Bucket=self.settings.raw_mail_bucket, Key=key, Body=raw)
        return key

    def ingest_email(self, raw: bytes, key: str | None = None) -> IntakeOutcomeRecord:
        """Run one raw message through the real intake handler, as SES → S3 → SQS → Lambda would."""
        from functions.email import intake  # noqa: PLC0415 - handlers are imported once the platform is up

        key = self.store_raw_mail(raw, key)
        with _invocation("email-intake"):
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
        if path.startswith(_PUBLIC_ROUTES):
            handler, claims = public.handler, None
        elif path.startswith(_AGENT_ROUTES):
            try:
                claims = self.authorizer.claims(headers.get("authorization"))
            except Unauthorized:
                return ApiResponse(401, {"content-type": "application/json"}, json.dumps({"message": "Unauthorized"}))
            handler = agent.handler
        else:
            return ApiResponse(403, {}, json.dumps({"message": "Missing Authentication Token"}))
        event = rest_event(method, path, body=body, headers=headers, query=query, claims=claims)
        with _invocation(handler.__module__):
            result = handler(event, LambdaContext())
        return ApiResponse(result["statusCode"], result.get("headers") or {}, result.get("body") or "")

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
