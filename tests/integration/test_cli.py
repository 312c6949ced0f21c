"""`tugi email ingest` as a user runs it: a subprocess, JSON lines on stdout."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import EMAILS, REPO


def test_email_ingest_prints_one_json_object_per_file_and_threads_share_a_case() -> None:
    files = [EMAILS / f"thread{n}-mail-rfc2822_example0{n + 4}.eml" for n in (1, 2, 3)]
    files += [EMAILS / "autoreply-sisimai-rfc3834-01.eml", EMAILS / "thread1-mail-rfc2822_example05.eml"]

    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "email", "ingest", *map(str, files), "missing.eml", "--json", "--embedded"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["outcome"] for line in lines] == [
        "new_case",
        "added_to_case",
        "added_to_case",
        "auto_reply",
        "duplicate",
        "rejected",
    ]
    assert all(set(line) == {"file", "outcome", "case_id", "customer_id", "reason"} for line in lines)
    assert len({line["case_id"] for line in lines[:3]}) == 1
    assert lines[4]["case_id"] == lines[0]["case_id"]
    assert lines[5]["file"] == "missing.eml"


def test_email_ingest_without_files_explains_itself() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "email", "ingest"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert run.returncode == 2
    assert "Missing argument" in run.stderr
