"""`tugi dev` as a person runs it, once for the whole e2e session: a subprocess reached over HTTP on
127.0.0.1. Tests that write use ids of their own, so they can share it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call(url: str, method: str | None = None, *, data: Any = None, token: str | None = None) -> tuple[int, Any]:
    """One JSON request to the local API (a GET, or a POST when there is `data`): (status, parsed body)."""
    headers = {"accept": "application/json"} | ({"content-type": "application/json"} if data is not None else {})
    if token:
        headers["authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers, method=method or ("POST" if body else "GET"))  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def start_dev(folder: Path) -> dict[str, Any]:
    """`tugi dev` on a free port, its runtime file and its log in `folder`, once it answers /v1/health."""
    port = free_port()
    runtime = folder / "runtime.json"
    log = folder / "tugi-dev.log"
    env = os.environ | {"TUGI_PORT": str(port), "TUGI_RUNTIME_FILE": str(runtime)}
    with log.open("w") as sink:  # a file, not a pipe: an unread pipe would block the server once full
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "dev"], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=sink
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if call(f"{url}/v1/health")[0] == 200 and runtime.exists():
                return {"url": url, "env": env, "runtime": runtime, "process": process}
        except OSError:
            pass
        time.sleep(0.3)
    process.terminate()
    pytest.fail(f"tugi dev did not answer /v1/health within 90 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    running = start_dev(tmp_path_factory.mktemp("dev"))
    try:
        yield running
    finally:
        running["process"].terminate()
        running["process"].wait(timeout=30)


def tugi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The `tugi` command as typed beside `tugi dev` (its runtime file in `env`)."""
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def token(dev: dict[str, Any], role: str) -> str:
    """An ID token of a demo user, from `tugi token` as a person gets one."""
    run = tugi(dev["env"], "token", role)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium (Playwright never downloads one), once for the session; each test opens its own context."""
    assert CHROMIUM.exists(), "Debian's chromium is missing: `make e2e` installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def browser_context(browser: Browser, **options: Any) -> Iterator[Page]:
    """A page in a fresh context (its own storage: a new visitor) with Playwright's context options."""
    context = browser.new_context(**options)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def browser_page(browser: Browser) -> Iterator[Page]:
    with browser_context(browser, locale="en-GB") as page:
        yield page


def console_errors(page: Page) -> list[str]:
    """The page's console errors from now on (a CSP violation is one): a list that fills as they come."""
    errors: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", keep)
    return errors


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now (run in the page, CSP untouched)."""
    page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
