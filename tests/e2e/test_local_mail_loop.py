"""The email loop on a running `tugi dev`: `tugi email ingest` delivers into it as SES does, and `tugi outbox`
shows what it sent back, with links to this platform's own address."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.e2e.conftest import call, tugi
from tests.e2e.conftest import token as id_token

FIELDS = {"channel", "to", "subject", "text", "links", "status", "sent_at", "case_id", "reference"}


def _outbox(dev: dict[str, Any], address: str, want: int) -> list[dict[str, Any]]:
    deadline, entries = time.monotonic() + 90, []
    while time.monotonic() < deadline:
        run = tugi(dev["env"], "outbox", "--to", address, "--json")
        assert run.returncode == 0, run.stderr
        entries = [json.loads(line) for line in run.stdout.splitlines()]
        if len(entries) >= want:
            return entries
        time.sleep(0.5)
    raise AssertionError(f"the outbox held {len(entries)} messages to {address}, not {want}")


def test_mail_ingested_beside_tugi_dev_opens_a_case_there_and_its_answers_are_in_the_outbox(
    dev: dict[str, Any], tmp_path: Path
) -> None:
    address = "loop.lost.card@example.ee"
    mail = tmp_path / "lost-card.eml"
    mail.write_bytes(
        f"From: Loop Tester <{address}>\r\nTo: support@tugi.example\r\nSubject: Lost card\r\n"
        "Message-ID: <e2e-loop-1@mail.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "I lost my card. How do I block my lost card?\r\n".encode()
    )

    run = tugi(dev["env"], "email", "ingest", str(mail), "--json")

    assert run.returncode == 0, run.stderr
    [result] = [json.loads(line) for line in run.stdout.splitlines()]
    assert result["outcome"] == "new_case"
    status, case = call(f"{dev['url']}/v1/cases/{result['case_id']}", token=id_token(dev, "agent"))
    assert status == 200
    entries = _outbox(dev, address, want=2)  # the acknowledgement and the auto-answer
    assert all(set(e) >= FIELDS for e in entries)
    assert {(e["channel"], e["to"], e["case_id"], e["reference"]) for e in entries} == {
        ("email", address, case["case_id"], case["reference"])
    }
    assert [e["sent_at"] for e in entries] == sorted((e["sent_at"] for e in entries), reverse=True)
    links = [link for e in entries for link in e["links"]]
    assert links
    assert all(link.startswith(f"{dev['url']}/") for link in links), links


def test_the_outbox_of_another_address_is_empty_and_the_table_view_prints(dev: dict[str, Any]) -> None:
    assert tugi(dev["env"], "outbox", "--to", "nobody.loop@example.ee", "--json").stdout == ""
    run = tugi(dev["env"], "outbox")
    assert run.returncode == 0, run.stderr
    assert "channel" in run.stdout
