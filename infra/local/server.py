"""The local API Gateway: HTTP requests on 127.0.0.1 become REST proxy events for the real handlers."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from infra import web_hosting
from infra.gateway import MAX_PAYLOAD_BYTES, PAYLOAD_TOO_LARGE, UNREADABLE_REQUEST, GatewayResponse
from infra.local.platform import EmbeddedPlatform, gateway_answer
from infra.local.runtime_info import DEMO_USERS, RuntimeInfo


def runtime_info(platform: EmbeddedPlatform, api_url: str) -> RuntimeInfo:
    if platform.endpoint_url is None:
        raise ValueError("the platform must run moto as a server for other processes to reach it")
    return RuntimeInfo(
        api_url=api_url,
        moto_endpoint=platform.endpoint_url,
        region=platform.settings.region,
        user_pool_id=platform.users.pool_id,
        user_pool_client_id=platform.users.client_id,
        users={role: username for role, (username, _) in DEMO_USERS.items()},
    )


def make_server(platform: EmbeddedPlatform, port: int, web_root: Path = web_hosting.WEB_ROOT) -> ThreadingHTTPServer:
    """A threaded HTTP server on 127.0.0.1:port, answering as API Gateway does: every method reaches the gateway's
    routing (an unknown one is no route, in the error shape), bodies pass byte for byte, and a burst of
    connections waits in the listen queue instead of being reset. Each function still takes one event at a time.
    Other paths are the site's pages and assets from `web_root`, as CloudFront serves them from S3.
    """

    class Gateway(BaseHTTPRequestHandler):
        server_version = "tugi-local"

        def __getattr__(self, name: str) -> Callable[[], None]:
            """`do_<METHOD>` for every method (the standard library answers the ones it lacks with a 501 page)."""
            if name.startswith("do_"):
                return self._forward
            raise AttributeError(name)

        def _forward(self) -> None:
            url = urlsplit(self.path)
            if not url.path.startswith(web_hosting.API_PREFIX) and self.command in {"GET", "HEAD"}:
                self._static(url.path)
                return
            body, refusal = self._body()
            if refusal is not None:
                self.close_connection = True  # an unread body must not be taken for the next request
                refused = gateway_answer(refusal)
                self._answer(refused.status, refused.headers, refused.body)
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            query = dict(parse_qsl(url.query, keep_blank_values=True)) or None
            response = platform.api(self.command, url.path, body=body, headers=headers, query=query)
            self._answer(response.status, response.headers, response.body)

        def _body(self) -> tuple[bytes | None, GatewayResponse | None]:
            """The body as sent (a chunked one put together), or the gateway's refusal of the request."""
            if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
                return self._chunked()
            try:
                length = int(self.headers.get("content-length") or 0)
            except ValueError:
                return None, UNREADABLE_REQUEST
            if length < 0:
                return None, UNREADABLE_REQUEST
            if length > MAX_PAYLOAD_BYTES:
                return None, PAYLOAD_TOO_LARGE
            return (self.rfile.read(length) if length else None), None

        def _chunked(self) -> tuple[bytes | None, GatewayResponse | None]:
            chunks: list[bytes] = []
            size = 0
            while True:
                try:
                    chunk = int(self.rfile.readline(66).split(b";")[0].strip(), 16)
                except ValueError:
                    return None, UNREADABLE_REQUEST
                if chunk < 0:
                    return None, UNREADABLE_REQUEST
                size += chunk
                if size > MAX_PAYLOAD_BYTES:
                    return None, PAYLOAD_TOO_LARGE
                if chunk == 0:
                    while self.rfile.readline(8192) not in {b"\r\n", b"\n", b""}:
                        pass  # trailers
                    return b"".join(chunks) or None, None
                chunks.append(self.rfile.read(chunk))
                self.rfile.readline(3)  # the CRLF after the chunk

        def _static(self, path: str) -> None:
            """What CloudFront answers from the site's bucket: the object, else the not-found page."""
            key, status = web_hosting.object_key(path), 200
            if key is None or not (web_root / key).is_file():
                key, status = web_hosting.NOT_FOUND_PAGE, 404
            file = web_root / key
            if not file.is_file():
                self._answer(404, {"content-type": "text/plain; charset=utf-8"}, "build/web is missing: run `make web`")
                return
            headers = web_hosting.SECURITY_HEADERS | {
                "content-type": web_hosting.content_type(key),
                "cache-control": web_hosting.cache_control(key),
            }
            self._answer(status, headers, file.read_bytes())

        def _answer(self, status: int, headers: dict[str, str], body: str | bytes) -> None:
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":  # a HEAD answer has the headers of the full answer, never its body
                self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            sys.stderr.write(f"{self.command} {urlsplit(self.path).path} -> {args[1] if len(args) > 1 else ''}\n")

    class Server(ThreadingHTTPServer):
        request_queue_size = socket.SOMAXCONN  # the default 5 resets connections when 20 clients arrive at once

    return Server(("127.0.0.1", port), Gateway)
