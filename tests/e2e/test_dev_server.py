"""`tugi dev` as a person runs it: a subprocess, reached over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.e2e.conftest import call, start_dev, tugi
from tests.e2e.conftest import token as id_token


def test_a_web_form_contact_shows_on_the_customers_timeline_for_an_agent(dev: dict[str, Any]) -> None:
    status, accepted = call(
        f"{dev['url']}/v1/contacts",
        data={
            "name": "Eva End",
            "email": "eva.end@example.ee",
            "subject": "Limit",
            "message": "Please raise my card limit.",
        },
    )
    assert status == 202

    token = id_token(dev, "agent")
    _, case = call(f"{dev['url']}/v1/cases/{accepted['reference']}", token=token)
    status, timeline = call(f"{dev['url']}/v1/customers/{case['customer_id']}/timeline", token=token)

    assert status == 200
    inbound = [e["message"] for e in timeline["items"] if e["type"] == "message"]
    assert [m["text"] for m in inbound if m["direction"] == "inbound"] == ["Please raise my card limit."]


def test_a_contact_is_triaged_and_acknowledged_by_the_workflow(dev: dict[str, Any]) -> None:
    status, accepted = call(
        f"{dev['url']}/v1/contacts",
        data={"name": "Olev Org", "email": "olev@example.ee", "subject": "Arve", "message": "Kus on minu arve?"},
    )
    assert status == 202
    token = id_token(dev, "agent")

    def acknowledged() -> dict[str, Any] | None:
        _, case = call(f"{dev['url']}/v1/cases/{accepted['case_id']}", token=token)
        notices = [e["data"].get("notice") for e in case["events"] if e["kind"] == "notice_sent"]
        return case if case["status"] != "new" and "acknowledgement" in notices else None

    deadline, case = time.monotonic() + 60, None
    while case is None and time.monotonic() < deadline:
        case = acknowledged()
        time.sleep(0.3)
    assert case is not None, "not triaged and acknowledged within 60 s"
    assert case["language"] == "et"
    assert "triaged" in [e["kind"] for e in case["events"]]
    status, timeline = call(f"{dev['url']}/v1/customers/{case['customer_id']}/timeline", token=token)
    assert status == 200
    outbound = [
        e["message"] for e in timeline["items"] if e["type"] == "message" and e["message"]["direction"] == "outbound"
    ]
    assert any(case["reference"] in m["text"] for m in outbound), "the acknowledgement carries the case reference"


def test_the_demo_data_is_there_and_agent_routes_need_a_token(dev: dict[str, Any]) -> None:
    assert call(f"{dev['url']}/v1/cases")[0] == 401

    status, cases = call(f"{dev['url']}/v1/cases?limit=100", token=id_token(dev, "supervisor"))

    assert status == 200
    assert len(cases["items"]) >= 5
    status, mari = call(f"{dev['url']}/v1/customers?email=mari.maasikas@example.ee", token=id_token(dev, "agent"))
    assert status == 200
    assert {i["identity"]["kind"] for i in mari["identities"]} == {"email", "phone"}


def test_stopping_removes_the_runtime_file(tmp_path: Path) -> None:
    running = start_dev(tmp_path)
    process, runtime, env = running["process"], running["runtime"], running["env"]
    assert runtime.exists()

    process.terminate()

    assert process.wait(timeout=30) == 0
    assert not runtime.exists()
    run = tugi(env, "token", "agent")
    assert run.returncode == 1
    assert "make dev" in run.stderr


def test_cli_lists_and_shows_cases_of_the_running_platform(dev: dict[str, Any]) -> None:
    listed = tugi(dev["env"], "cases", "list", "--json")

    assert listed.returncode == 0, listed.stderr
    cases = json.loads(listed.stdout)["items"]
    assert len(cases) >= 5
    shown = tugi(dev["env"], "cases", "show", cases[0]["case_id"], "--json")
    assert json.loads(shown.stdout)["reference"] == cases[0]["reference"]
    quoted = tugi(dev["env"], "cases", "show", cases[0]["reference"].lower(), "--json")
    assert quoted.returncode == 0, quoted.stderr
    assert json.loads(quoted.stdout)["case_id"] == cases[0]["case_id"]
    missing = tugi(dev["env"], "cases", "show", "case_nope")
    assert missing.returncode == 1
    assert "case_not_found" in missing.stderr


def test_cli_shows_one_customer_across_channels(dev: dict[str, Any]) -> None:
    shown = tugi(dev["env"], "customers", "show", "mari.maasikas@example.ee", "--json")

    assert shown.returncode == 0, shown.stderr
    customer = json.loads(shown.stdout)
    assert {i["identity"]["kind"] for i in customer["identities"]} == {"email", "phone"}
    channels = {e["message"]["channel"] for e in customer["timeline"] if e["type"] == "message"}
    assert {"web_form", "email"} <= channels
