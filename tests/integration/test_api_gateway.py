"""API Gateway's own part, locally as in AWS: its refusals in the error shape, bodies byte for byte, every method,
bursts of connections; and what is kept of a refused body."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infra.gateway import MAX_PAYLOAD_BYTES
from infra.local.platform import ApiResponse, EmbeddedPlatform
from infra.local.server import make_server

CONTACT = {"name": "Mari", "email": "mari@example.ee", "subject": "Card", "message": "Where is my card?"}


def _error(response: ApiResponse | dict[str, Any]) -> dict[str, Any]:
    body = response.json() if isinstance(response, ApiResponse) else response
    error = body["error"]
    assert set(error) >= {"code", "message", "request_id"}
    assert error["message"]
    assert error["request_id"]
    return dict(error)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/nothing-here"),
        ("POST", "/v1/health"),
        ("HEAD", "/v1/health"),
        ("OPTIONS", "/v1/contacts"),
        ("GET", "/v1/kb/articles/card_lost/feedback"),
        ("BREW", "/v1/health"),
    ],
)
def test_a_request_api_gateway_has_no_route_for_is_a_404_in_the_error_shape(
    platform: EmbeddedPlatform, method: str, path: str
) -> None:
    response = platform.api(method, path)
    assert response.status == 404
    assert _error(response)["code"] == "route_not_found"


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic bWFyaTpzZWNyZXQ="])
@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/v1/cases"), ("DELETE", "/v1/cases/01ABC"), ("HEAD", "/v1/agents")]
)
def test_an_agent_route_without_a_valid_token_is_a_401_in_the_error_shape(
    platform: EmbeddedPlatform, authorization: str | None, method: str, path: str
) -> None:
    headers = {"authorization": authorization} if authorization else {}
    response = platform.api(method, path, headers=headers)
    assert response.status == 401
    assert _error(response)["code"] == "unauthorized"


def test_a_method_an_agent_resource_does_not_serve_reaches_the_function_and_is_a_404(
    platform: EmbeddedPlatform, agent_token: str
) -> None:
    response = platform.api("DELETE", "/v1/cases/01ABC", token=agent_token)
    assert response.status == 404
    assert _error(response)["code"] == "route_not_found"


def test_a_refused_body_is_kept_as_a_bounded_prefix_with_the_headers_that_matter(platform: EmbeddedPlatform) -> None:
    body = json.dumps(CONTACT | {"message": "x" * (10 * 1024 * 1024 - 200)}).encode()
    headers = {"content-type": "application/json", "authorization": "Bearer secret", "user-agent": "probe/1"}

    response = platform.api("POST", "/v1/contacts", body=body, headers=headers)

    assert response.status == 413
    bucket = platform.settings.raw_mail_bucket
    (key,) = [o["Key"] for o in platform.s3.list_objects_v2(Bucket=bucket, Prefix="rejected/")["Contents"]][:1]
    stem = key.rsplit(".", 1)[0]
    kept = platform.s3.get_object(Bucket=bucket, Key=f"{stem}.body")["Body"].read()
    meta = json.loads(platform.s3.get_object(Bucket=bucket, Key=f"{stem}.json")["Body"].read())
    assert kept == body[: platform.settings.rejected_input_max_bytes]
    assert platform.settings.rejected_input_max_bytes == 64 * 1024
    assert meta | {"received_at": None} == {
        "status": 413,
        "code": "payload_too_large",
        "received_at": None,
        "headers": {"content-type": "application/json", "user-agent": "probe/1"},
        "body_bytes": len(body),
        "truncated": True,
    }


def test_a_refused_request_without_a_body_keeps_nothing(platform: EmbeddedPlatform) -> None:
    assert platform.api("GET", "/v1/kb/search", query={"q": "card", "limit": "1000"}).status == 422
    assert "Contents" not in platform.s3.list_objects_v2(Bucket=platform.settings.raw_mail_bucket, Prefix="rejected/")


# --- over HTTP: the local server `tugi dev` runs ---------------------------------------------------------------


@pytest.fixture
def server(platform: EmbeddedPlatform) -> Iterator[int]:
    running = make_server(platform, 0)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running.server_address[1]
    running.shutdown()
    running.server_close()


def _http(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_twenty_simultaneous_requests_are_all_answered(server: int) -> None:
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda _: _http(server, "GET", "/v1/health")[0], range(20)))
    assert statuses == [200] * 20


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "TRACE", "BREW"])
def test_every_method_gets_the_gateway_answer_not_an_html_page(server: int, method: str) -> None:
    status, headers, body = _http(server, method, "/v1/health")
    assert status == 404
    assert headers["content-type"] == "application/json"
    if method == "HEAD":
        assert body == b""
        assert int(headers["content-length"]) > 0
    else:
        assert _error(json.loads(body))["code"] == "route_not_found"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        pytest.param(b'{"name": "Mari\xff"}', "application/json", 400, "malformed_request", id="invalid-utf-8"),
        pytest.param(b'{"name": "\\ud800"}', "application/json", 422, "validation_failed", id="lone-surrogate"),
        pytest.param(json.dumps(CONTACT).encode(), "application/json; charset=utf-16", 415, None, id="utf-16"),
        pytest.param(json.dumps(CONTACT).encode(), "APPLICATION/JSON", 202, None, id="upper-case-media-type"),
    ],
)
def test_bodies_reach_the_guard_byte_for_byte_over_http(
    server: int, body: bytes, content_type: str, status: int, code: str | None
) -> None:
    answer, _, raw = _http(server, "POST", "/v1/contacts", body, {"content-type": content_type})
    assert answer == status, raw
    if code is not None:
        assert _error(json.loads(raw))["code"] == code


def test_a_body_over_api_gateways_limit_is_a_413_in_the_error_shape(server: int) -> None:
    headers = {"content-type": "application/json", "content-length": str(MAX_PAYLOAD_BYTES + 1)}
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=60)
    connection.putrequest("POST", "/v1/contacts")
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    assert _error(json.loads(response.read()))["code"] == "payload_too_large"
    connection.close()


def _raw_request(port: int, head: bytes) -> tuple[int, bytes]:
    """Bytes as a client wrote them; (status, body) of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
        client.sendall(head)
        response = http.client.HTTPResponse(client)
        response.begin()
        return response.status, response.read()


@pytest.mark.parametrize("length", ["abc", "-1"])
def test_a_length_that_cannot_be_read_is_a_400_in_the_error_shape(server: int, length: str) -> None:
    status, body = _raw_request(
        server, f"POST /v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode()
    )
    assert status == 400
    assert _error(json.loads(body))["code"] == "malformed_request"


def test_a_chunked_body_reaches_the_function_whole(server: int) -> None:
    payload = json.dumps(CONTACT).encode()
    half = len(payload) // 2
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (payload[:half], payload[half:]))
    head = b"POST /v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    head += b"Transfer-Encoding: chunked\r\n\r\n"
    status, body = _raw_request(server, head + chunks + b"0\r\n\r\n")
    assert status == 202, body
