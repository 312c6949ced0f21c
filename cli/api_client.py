"""The CLI's way to the running platform: its HTTP API, with a demo user's token (an agent's, or a supervisor's
for `tugi kb import`, `reindex` and `seed`), like any client."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from infra.local.runtime_info import DEFAULT_RUNTIME_FILE, RuntimeInfo


class NotRunning(Exception):
    """No `tugi dev` to talk to."""


class ApiError(Exception):
    """The API refused a request; `code` and `message` are its error's."""

    def __init__(self, status: int, body: Any) -> None:
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            code, message = str(error.get("code", "")), str(error.get("message", ""))
            details = error.get("details") or []
            if details:
                message += ": " + "; ".join(f"{d.get('field')}: {d.get('message')}" for d in details)
        else:  # API Gateway's own answers (401, 403) carry only a message
            code = f"http_{status}"
            message = str(body.get("message", body)) if isinstance(body, dict) else str(body or "")
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class LocalApi:
    def __init__(self, runtime_file: Path | None = None, role: str = "agent") -> None:
        try:
            self.info = RuntimeInfo.read(runtime_file or DEFAULT_RUNTIME_FILE)
        except FileNotFoundError as exc:
            raise NotRunning from exc
        self.role = role
        self._token: str | None = None

    def get(self, path: str, **query: str | int | None) -> Any:
        params = {k: str(v) for k, v in query.items() if v is not None}
        status, body = self.send("GET", path + (f"?{urllib.parse.urlencode(params)}" if params else ""))
        if status >= 400:
            raise ApiError(status, body)
        return body

    def send(self, method: str, path: str, json_body: Any = None) -> tuple[int, Any]:
        """One request (`path` may carry a query string): (status, parsed JSON body or None), errors included.

        Raises NotRunning only when nothing answers.
        """
        self._token = self._token or self.info.id_token(self.role)
        headers = {"authorization": f"Bearer {self._token}"}
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers["content-type"] = "application/json"
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{self.info.api_url}{path}", data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, _parsed(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _parsed(error.read())
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise NotRunning from error


def _parsed(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")
