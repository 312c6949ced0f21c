"""`tugi dev` serves the portal's files as CloudFront serves them from S3 (infra/web_hosting.py): the same
path rule, the same not-found page, the same headers; `/v1/` stays the API."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra import web_hosting
from infra.local.platform import EmbeddedPlatform
from infra.local.server import make_server


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "console").mkdir()
    (tmp_path / "index.html").write_text("<h1>How can we help?</h1>")
    (tmp_path / "404.html").write_text("<h1>Page not found</h1>")
    (tmp_path / "console" / "index.html").write_text("<h1>Console</h1>")
    (tmp_path / "assets" / "portal.js").write_text("export {};")
    (tmp_path.parent / "secret.txt").write_text("outside the site")
    return tmp_path


@pytest.fixture
def port(platform: EmbeddedPlatform, site: Path) -> Iterator[int]:
    running = make_server(platform, 0, web_root=site)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    yield running.server_address[1]
    running.shutdown()
    running.server_close()


def _get(port: int, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_a_folder_is_its_index_page_with_the_sites_headers(port: int) -> None:
    status, headers, body = _get(port, "/?q=lost+card")
    assert (status, body) == (200, b"<h1>How can we help?</h1>")
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["content-security-policy"] == web_hosting.CONTENT_SECURITY_POLICY
    assert headers["cache-control"] == "no-cache", "a page is always revalidated"
    assert _get(port, "/console/")[2] == b"<h1>Console</h1>"


def test_assets_are_typed_and_cached_briefly(port: int) -> None:
    status, headers, _ = _get(port, "/assets/portal.js")
    assert status == 200
    assert headers["content-type"] == "text/javascript; charset=utf-8"
    assert headers["cache-control"] == "public, max-age=300"
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/nothing", "/console", "/../secret.txt", "/assets/../../secret.txt", "/%00"])
def test_anything_else_is_the_not_found_page(port: int, path: str) -> None:
    status, headers, body = _get(port, path)
    assert (status, body) == (404, b"<h1>Page not found</h1>")
    assert headers["content-security-policy"] == web_hosting.CONTENT_SECURITY_POLICY


def test_a_head_request_has_the_headers_and_no_body(port: int) -> None:
    status, headers, body = _get(port, "/", method="HEAD")
    assert (status, body) == (200, b"")
    assert int(headers["content-length"]) == len("<h1>How can we help?</h1>")


def test_the_api_is_still_the_api(port: int) -> None:
    assert _get(port, "/v1/health")[0] == 200
    status, headers, _ = _get(port, "/v1/nowhere")
    assert (status, headers["content-type"]) == (404, "application/json")
