"""Captured AWS events (shared/data/webhooks/aws) drive the real handlers."""

from __future__ import annotations

import copy
import json
from typing import Any

from infra.local.events import LambdaContext
from infra.local.platform import EmbeddedPlatform
from tests.conftest import AWS_EVENTS, EMAILS


def _load(relative: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((AWS_EVENTS / relative).read_text())
    return event


def _rest(
    event: dict[str, Any], method: str, path: str, body: str | None, claims: dict[str, str] | None
) -> dict[str, Any]:
    """The captured REST proxy event, pointed at one of our routes."""
    adapted = copy.deepcopy(event)
    adapted.update(
        {
            "httpMethod": method,
            "path": path,
            "resource": path,
            "body": body,
            "isBase64Encoded": False,
            "queryStringParameters": None,
            "multiValueQueryStringParameters": None,
            "pathParameters": None,
        }
    )
    adapted["requestContext"]["authorizer"] = {"claims": claims} if claims else None
    return adapted


def test_captured_rest_event_submits_the_web_form(platform: EmbeddedPlatform) -> None:
    from functions.api import public

    body = json.dumps({"name": "Ann", "email": "ann@example.com", "subject": "Hi", "message": "Hello there"})
    event = _rest(_load("apigateway/rest_v1_proxy.aws-lambda-go.json"), "POST", "/v1/contacts", body, None)

    response = public.handler(event, LambdaContext())

    assert response["statusCode"] == 202
    assert set(json.loads(response["body"])) == {"case_id", "reference"}


def test_captured_rest_event_with_cognito_claims_reaches_the_agent_routes(platform: EmbeddedPlatform) -> None:
    from functions.api import agent

    claims = platform.authorizer.claims(f"Bearer {platform.token('agent')}")
    event = _rest(_load("apigateway/rest_v1_proxy.powertools.json"), "GET", "/v1/cases", None, claims)

    response = agent.handler(event, LambdaContext())

    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"items": [], "next_cursor": None}


def test_captured_rest_event_for_an_unknown_route_is_a_coded_404(platform: EmbeddedPlatform) -> None:
    from functions.api import agent

    response = agent.handler(_load("apigateway/rest_v1_proxy.powertools.json"), LambdaContext())

    assert response["statusCode"] == 404
    assert json.loads(response["body"])["error"]["code"] == "route_not_found"


def test_s3_notification_through_sqs_runs_the_email_intake(platform: EmbeddedPlatform) -> None:
    from functions.email import intake

    key = platform.store_raw_mail((EMAILS / "plain-mail-basic_email.eml").read_bytes(), "inbound/ses-message-id")
    notification = _load("s3/s3_object_created.powertools.json")
    notification["Records"][0]["s3"]["bucket"]["name"] = platform.settings.raw_mail_bucket
    notification["Records"][0]["s3"]["object"]["key"] = key
    batch = _load("sqs/sqs_event.powertools.json")
    batch["Records"] = batch["Records"][:1]
    batch["Records"][0]["body"] = json.dumps(notification)

    response = intake.handler(batch, LambdaContext())

    assert response == {"batchItemFailures": []}
    outcome = platform.ingest_email((EMAILS / "plain-mail-basic_email.eml").read_bytes(), key)
    assert outcome.outcome == "duplicate"


def test_queue_messages_that_are_not_s3_notifications_are_reported_failed_not_lost(platform: EmbeddedPlatform) -> None:
    from functions.email import intake

    batch = _load("sqs/sqs_event.powertools.json")  # bodies are plain text

    response = intake.handler(batch, LambdaContext())

    assert {f["itemIdentifier"] for f in response["batchItemFailures"]} == {r["messageId"] for r in batch["Records"]}


def test_the_s3_test_event_is_accepted_and_ignored(platform: EmbeddedPlatform) -> None:
    from functions.email import intake

    batch = _load("sqs/sqs_event.powertools.json")
    batch["Records"] = batch["Records"][:1]
    batch["Records"][0]["body"] = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "raw"})

    assert intake.handler(batch, LambdaContext()) == {"batchItemFailures": []}
