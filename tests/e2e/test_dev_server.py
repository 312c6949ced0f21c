"""`tugi dev` as a person runs it: a subprocess, reached over HTTP on 127.0.0.1."""

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
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _request(url: str, *, data: dict[str, Any] | None = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"content-type": "application/json"} if data is not None else {}
    if token:
        headers["authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if data is not None else "GET")  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _start_dev(folder: Path) -> dict[str, Any]:
    """`tugi dev` on a free port, its runtime file and its log in `folder`, once it answers /v1/health."""
    port = _free_port()
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
            if _request(f"{url}/v1/health")[0] == 200 and runtime.exists():
                return {"url": url, "env": env, "runtime": runtime, "process": process}
        except OSError:
            pass
        time.sleep(0.3)
    process.terminate()
    pytest.fail(f"tugi dev did not answer /v1/health within 90 s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    running = _start_dev(tmp_path_factory.mktemp("dev"))
    try:
        yield running
    finally:
        running["process"].terminate()
        running["process"].wait(timeout=30)


def _token(dev: dict[str, Any], role: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "token", role],
        cwd=REPO,
        env=dev["env"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return run.stdout.strip()


def test_a_web_form_contact_shows_on_the_customers_timeline_for_an_agent(dev: dict[str, Any]) -> None:
    status, accepted = _request(
        f"{dev['url']}/v1/contacts",
        data={
            "name": "Eva End",
            "email": "eva.end@example.ee",
            "subject": "Limit",
            "message": "Please raise my card limit.",
        },
    )
    assert status == 202

    token = _token(dev, "agent")
    status, timeline = _request(f"{dev['url']}/v1/customers/{accepted['customer_id']}/timeline", token=token)

    assert status == 200
    inbound = [e["message"] for e in timeline["items"] if e["type"] == "message"]
    assert [m["text"] for m in inbound if m["direction"] == "inbound"] == ["Please raise my card limit."]


def test_a_contact_is_triaged_and_acknowledged_by_the_workflow(dev: dict[str, Any]) -> None:
    status, accepted = _request(
        f"{dev['url']}/v1/contacts",
        data={"name": "Olev Org", "email": "olev@example.ee", "subject": "Arve", "message": "Kus on minu arve?"},
    )
    assert status == 202
    token = _token(dev, "agent")

    def acknowledged() -> dict[str, Any] | None:
        _, case = _request(f"{dev['url']}/v1/cases/{accepted['case_id']}", token=token)
        notices = [e["data"].get("notice") for e in case["events"] if e["kind"] == "notice_sent"]
        return case if case["status"] != "new" and "acknowledgement" in notices else None

    deadline, case = time.monotonic() + 60, None
    while case is None and time.monotonic() < deadline:
        case = acknowledged()
        time.sleep(0.3)
    assert case is not None, "not triaged and acknowledged within 60 s"
    assert case["language"] == "et"
    assert "triaged" in [e["kind"] for e in case["events"]]
    status, timeline = _request(f"{dev['url']}/v1/customers/{accepted['customer_id']}/timeline", token=token)
    assert status == 200
    outbound = [
        e["message"] for e in timeline["items"] if e["type"] == "message" and e["message"]["direction"] == "outbound"
    ]
    assert any(case["reference"] in m["text"] for m in outbound), "the acknowledgement carries the case reference"


def test_the_demo_data_is_there_and_agent_routes_need_a_token(dev: dict[str, Any]) -> None:
    assert _request(f"{dev['url']}/v1/cases")[0] == 401

    status, cases = _request(f"{dev['url']}/v1/cases?limit=100", token=_token(dev, "supervisor"))

    assert status == 200
    assert len(cases["items"]) >= 5
    status, mari = _request(f"{dev['url']}/v1/customers?email=mari.maasikas@example.ee", token=_token(dev, "agent"))
    assert status == 200
    assert {i["identity"]["kind"] for i in mari["identities"]} == {"email", "phone"}


def test_stopping_removes_the_runtime_file(tmp_path: Path) -> None:
    running = _start_dev(tmp_path)
    process, runtime, env = running["process"], running["runtime"], running["env"]
    assert runtime.exists()

    process.terminate()

    assert process.wait(timeout=30) == 0
    assert not runtime.exists()
    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "token", "agent"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1
    assert "make dev" in run.stderr


def _tugi(dev: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=REPO,
        env=dev["env"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_lists_and_shows_cases_of_the_running_platform(dev: dict[str, Any]) -> None:
    listed = _tugi(dev, "cases", "list", "--json")

    assert listed.returncode == 0, listed.stderr
    cases = json.loads(listed.stdout)["items"]
    assert len(cases) >= 5
    shown = _tugi(dev, "cases", "show", cases[0]["case_id"], "--json")
    assert json.loads(shown.stdout)["reference"] == cases[0]["reference"]
    missing = _tugi(dev, "cases", "show", "case_nope")
    assert missing.returncode == 1
    assert "case_not_found" in missing.stderr


def test_cli_shows_one_customer_across_channels(dev: dict[str, Any]) -> None:
    shown = _tugi(dev, "customers", "show", "mari.maasikas@example.ee", "--json")

    assert shown.returncode == 0, shown.stderr
    customer = json.loads(shown.stdout)
    assert {i["identity"]["kind"] for i in customer["identities"]} == {"email", "phone"}
    channels = {e["message"]["channel"] for e in customer["timeline"] if e["type"] == "message"}
    assert {"web_form", "email"} <= channels
