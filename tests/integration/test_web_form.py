"""POST /v1/contacts through the real public handler on moto."""

from __future__ import annotations

import io
import json
import logging

import pytest

from infra.local.platform import EmbeddedPlatform
from shared.bootstrap import container
from shared.observability import logger
from tests.integration.helpers import submit

VALID = {
    "name": "Mari Maasikas",
    "email": "Mari.Maasikas@Näide.EE",
    "phone": "5123 4567",
    "subject": "Card not arrived",
    "message": "I ordered a card two weeks ago and it has not arrived.",
    "locale": "et",
}


def test_valid_submission_opens_a_case_and_returns_its_reference(platform: EmbeddedPlatform) -> None:
    response = platform.api("POST", "/v1/contacts", json_body=VALID)

    assert response.status == 202
    body = response.json()
    assert set(body) == {"case_id", "reference"}
    assert body["reference"].startswith("TG-")
    case = platform.api("GET", f"/v1/cases/{body['case_id']}", token=platform.token("agent")).json()
    assert case["channel"] == "web_form"
    assert case["status"] == "new"
    assert case["messages"][0]["text"] == VALID["message"]


def test_second_submission_from_same_address_lands_on_same_customer(platform: EmbeddedPlatform) -> None:
    first = submit(platform, **VALID)
    again = submit(platform, **VALID | {"email": "mari.maasikas@xn--nide-loa.ee", "message": "Any news?"})

    assert again["customer_id"] == first["customer_id"]
    assert again["case_id"] != first["case_id"]


def test_the_answer_tells_nobody_whether_an_address_is_a_customer_or_since_when(platform: EmbeddedPlatform) -> None:
    """A known address and a new one get answers of one shape, with nothing about the customer."""
    submit(platform, **VALID)

    known = platform.api("POST", "/v1/contacts", json_body=VALID | {"message": "Is this a customer?"})
    new = platform.api("POST", "/v1/contacts", json_body=VALID | {"email": "stranger@example.ee", "phone": None})

    assert (known.status, new.status) == (202, 202)
    assert set(known.json()) == set(new.json()) == {"case_id", "reference"}
    assert "cus_" not in known.body


def test_identities_are_stored_normalised(platform: EmbeddedPlatform) -> None:
    customer_id = submit(platform, **VALID)["customer_id"]

    view = platform.api("GET", f"/v1/customers/{customer_id}", token=platform.token("agent")).json()

    assert {(i["identity"]["kind"], i["identity"]["value"]) for i in view["identities"]} == {
        ("email", "mari.maasikas@xn--nide-loa.ee"),
        ("phone", "+37251234567"),
    }


BIG = "x" * (1024 * 1024)

CASES = [
    # (name, body, content type, status, error code, field codes)
    ("malformed JSON", '{"name": "Mari", ', "application/json", 400, "malformed_request", None),
    ("not an object", "[1, 2]", "application/json", 422, "validation_failed", None),
    (
        "missing fields",
        json.dumps({"name": "Mari"}),
        "application/json",
        422,
        "validation_failed",
        {"subject": "missing", "message": "missing"},
    ),
    (
        "invalid email",
        json.dumps(VALID | {"email": "mari@", "phone": None}),
        "application/json",
        422,
        "validation_failed",
        {"email": "invalid_email"},
    ),
    (
        "invalid phone",
        json.dumps(VALID | {"phone": "12", "email": None}),
        "application/json",
        422,
        "validation_failed",
        {"phone": "invalid_phone"},
    ),
    (
        "neither email nor phone",
        json.dumps(VALID | {"email": None, "phone": None}),
        "application/json",
        422,
        "validation_failed",
        {"body": "contact_required"},
    ),
    (
        "unknown field",
        json.dumps(VALID | {"admin": True}),
        "application/json",
        422,
        "validation_failed",
        {"admin": "extra_forbidden"},
    ),
    (
        "bad locale",
        json.dumps(VALID | {"locale": "not a locale"}),
        "application/json",
        422,
        "validation_failed",
        {"locale": "string_pattern_mismatch"},
    ),
    ("1 MB body", json.dumps(VALID | {"message": BIG}), "application/json", 413, "payload_too_large", None),
    (
        "form-encoded",
        "name=Mari&email=mari%40example.ee",
        "application/x-www-form-urlencoded",
        415,
        "unsupported_media_type",
        None,
    ),
    ("no content type", json.dumps(VALID), None, 415, "unsupported_media_type", None),
    ("text/plain", json.dumps(VALID), "text/plain", 415, "unsupported_media_type", None),
]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code", "fields"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_gets_a_4xx_with_a_machine_readable_code_and_is_kept(
    platform: EmbeddedPlatform,
    body: str,
    content_type: str | None,
    status: int,
    code: str,
    fields: dict[str, str] | None,
) -> None:
    headers = {"content-type": content_type} if content_type else {}

    response = platform.api("POST", "/v1/contacts", body=body, headers=headers)

    assert response.status == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["request_id"]
    if fields:
        assert {d["field"]: d["code"] for d in error["details"]} | fields == {
            d["field"]: d["code"] for d in error["details"]
        }
    kept = platform.s3.list_objects_v2(Bucket=platform.settings.raw_mail_bucket, Prefix="rejected/web_form/")
    bodies = [o["Key"] for o in kept.get("Contents", []) if o["Key"].endswith(".body")]
    assert len(bodies) == 1
    stored = platform.s3.get_object(Bucket=platform.settings.raw_mail_bucket, Key=bodies[0])["Body"].read()
    assert stored == body.encode()[: platform.settings.rejected_input_max_bytes]


def test_the_same_submission_twice_is_one_case(platform: EmbeddedPlatform) -> None:
    first = platform.api("POST", "/v1/contacts", json_body=VALID)
    double_click = platform.api("POST", "/v1/contacts", json_body=VALID)
    changed = platform.api("POST", "/v1/contacts", json_body=VALID | {"message": "One more thing."})

    assert first.status == double_click.status == changed.status == 202
    assert double_click.json() == first.json()
    assert changed.json()["case_id"] != first.json()["case_id"]
    agent = platform.token("agent")
    cases = [platform.api("GET", f"/v1/cases/{r.json()['case_id']}", token=agent).json() for r in (first, changed)]
    assert cases[0]["customer_id"] == cases[1]["customer_id"]


def test_a_warm_function_does_not_slow_down_with_every_submission(platform: EmbeddedPlatform) -> None:
    """Each submission once hooked the idempotency store into the shared DynamoDB client anew, and every
    later request of a warm Lambda ran all the hooks (a GetItem took 4 ms instead of 1.5 after 400)."""

    def hooks() -> int:  # botocore keeps no public list of a client's event handlers
        emitter = container().dynamodb.meta.events._emitter
        return len(list(emitter._handlers.prefix_search("request-created.dynamodb.GetItem")))

    assert platform.api("POST", "/v1/contacts", json_body=VALID).status == 202
    first = hooks()
    for n in range(5):
        body = VALID | {"email": f"warm{n}@example.ee", "phone": None}
        assert platform.api("POST", "/v1/contacts", json_body=body).status == 202

    assert hooks() == first


def test_an_aws_failure_is_a_5xx_with_a_request_id_and_no_personal_data_logged(platform: EmbeddedPlatform) -> None:
    platform.dynamodb.delete_table(TableName=platform.settings.table_name)
    logs = io.StringIO()
    handler = logging.StreamHandler(logs)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    try:
        response = platform.api("POST", "/v1/contacts", json_body=VALID)
    finally:
        logger.removeHandler(handler)

    assert response.status == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert response.json()["error"]["request_id"]
    logged = logs.getvalue()
    assert "request failed" in logged
    assert "error_type" in logged
    assert "maasikas" not in logged.lower()
    assert "5123" not in logged
