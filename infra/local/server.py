"""The local API Gateway: HTTP requests on 127.0.0.1 become REST proxy events for the real handlers."""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from infra.local.platform import EmbeddedPlatform
from infra.local.runtime_info import DEMO_USERS, RuntimeInfo

# API Gateway refuses larger payloads before any Lambda runs.
_MAX_BODY_BYTES = 10 * 1024 * 1024


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


def make_server(platform: EmbeddedPlatform, port: int) -> ThreadingHTTPServer:
    """A threaded HTTP server on 127.0.0.1:port; each function still takes one event at a time."""

    class Gateway(BaseHTTPRequestHandler):
        server_version = "tugi-local"

        def do_GET(self) -> None:
            self._forward()

        def do_POST(self) -> None:
            self._forward()

        def do_PATCH(self) -> None:
            self._forward()

        def do_PUT(self) -> None:
            self._forward()

        def do_DELETE(self) -> None:
            self._forward()

        def _forward(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            if length > _MAX_BODY_BYTES:
                self._answer(413, {"content-type": "application/json"}, json.dumps({"message": "Request Too Long"}))
                return
            body = self.rfile.read(length) if length else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            query = dict(parse_qsl(url.query, keep_blank_values=True)) or None
            response = platform.api(self.command, url.path, body=body, headers=headers, query=query)
            self._answer(response.status, response.headers, response.body)

        def _answer(self, status: int, headers: dict[str, str], body: str) -> None:
            data = body.encode()
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            sys.stderr.write(f"{self.command} {urlsplit(self.path).path} -> {args[1] if len(args) > 1 else ''}\n")

    return ThreadingHTTPServer(("127.0.0.1", port), Gateway)
