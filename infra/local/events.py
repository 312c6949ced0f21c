"""Lambda events and contexts as AWS delivers them, built for the local runtime and the tests."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus


@dataclass
class LambdaContext:
    function_name: str = "tugi-local"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-north-1:123456789012:function:tugi-local"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def rest_event(
    method: str,
    path: str,
    *,
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    claims: dict[str, str] | None = None,
    stage: str = "prod",
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event, shaped like the captured ones in shared/data/webhooks/aws.

    The body arrives base64-encoded, byte for byte, as the REST API's binary media types (`*/*`) make it do:
    the handler, not the gateway, decides whether it is UTF-8.
    """
    headers = headers or {}
    request_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    raw = body.encode("utf-8", errors="surrogatepass") if isinstance(body, str) else body
    return {
        "resource": path,
        "path": path,
        "httpMethod": method.upper(),
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "tugilocal",
            "stage": stage,
            "path": f"/{stage}{path}",
            "httpMethod": method.upper(),
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "protocol": "HTTP/1.1",
            "resourcePath": path,
            "identity": {"sourceIp": "127.0.0.1", "userAgent": headers.get("user-agent", "tugi-local")},
            "authorizer": {"claims": claims} if claims else None,
        },
        "body": base64.b64encode(raw).decode("ascii") if raw else None,
        "isBase64Encoded": bool(raw),
    }


def s3_put_sqs_event(bucket: str, keys: list[str], *, region: str = "eu-north-1") -> dict[str, Any]:
    """An SQS batch whose messages are S3 ObjectCreated notifications (one object each), as S3 sends them."""
    records = []
    for key in keys:
        notification = {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "awsRegion": region,
                    "eventTime": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                    "eventName": "ObjectCreated:Put",
                    "userIdentity": {"principalId": "AWS:SES"},
                    "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                    "responseElements": {"x-amz-request-id": "LOCAL", "x-amz-id-2": "LOCAL"},
                    "s3": {
                        "s3SchemaVersion": "1.0",
                        "configurationId": "email-intake",
                        "bucket": {
                            "name": bucket,
                            "ownerIdentity": {"principalId": "LOCAL"},
                            "arn": f"arn:aws:s3:::{bucket}",
                        },
                        "object": {"key": quote_plus(key, safe="/"), "size": 1, "eTag": "0", "sequencer": "0"},
                    },
                }
            ]
        }
        message_id = str(uuid.uuid4())
        records.append(
            {
                "messageId": message_id,
                "receiptHandle": message_id,
                "body": json.dumps(notification),
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": str(int(datetime.now(UTC).timestamp() * 1000)),
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": str(int(datetime.now(UTC).timestamp() * 1000)),
                },
                "messageAttributes": {},
                "md5OfBody": "0" * 32,
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{region}:123456789012:tugi-email-intake",
                "awsRegion": region,
            }
        )
    return {"Records": records}
