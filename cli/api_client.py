"""The CLI's way to the running platform: its HTTP API, with a demo agent's token, like any client."""

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
    def __init__(self, status: int, body: Any) -> None:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        super().__init__(f"{status} {error.get('code', '')}: {error.get('message', body)}")
        self.status = status


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
        url = f"{self.info.api_url}{path}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
        self._token = self._token or self.info.id_token(self.role)
        request = urllib.request.Request(url, headers={"authorization": f"Bearer {self._token}"})  # noqa: S310 - loopback
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise ApiError(error.code, json.loads(error.read() or b"{}")) from error
        except urllib.error.URLError as error:
            raise NotRunning from error
