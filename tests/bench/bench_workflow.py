"""The contact workflow through the local platform: executions per minute, state transitions per
case on each path, and what Step Functions would charge for them.

Run: `make bench` (or `.venv/bin/python tests/bench/bench_workflow.py --cases 40`).
Prints figures, never asserts; the last line is
`workflow cases_per_min=N transitions_per_case=N usd_per_1000_cases=N`.

Each case runs the real ASL on moto's executor with the real handlers, end to end: a web-form
contact, then what the customer or an agent does on its path, until the execution ends. The
platform clock runs 3600x (an hour a second) on an around-the-clock calendar, so SLA waits take
seconds. Transitions are counted as AWS bills them: one per state entered.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from infra.local.platform import EmbeddedPlatform  # noqa: E402
from shared.bootstrap import container  # noqa: E402
from shared.domain.case import Case, CaseStatus  # noqa: E402

# Standard workflows: USD 0.025 per 1,000 state transitions (AWS's published price, all regions
# alike at the time of writing; the monthly free tier of 4,000 is left out).
USD_PER_TRANSITION = 0.025 / 1000
SCALE = 3600.0
ALWAYS_OPEN = {"time_zone": "UTC", "week": {str(d): [{"start": "00:00", "end": "00:00"}] for d in range(7)}}
ENV = {
    "TUGI_BUSINESS_CALENDAR": json.dumps(ALWAYS_OPEN),
    "TUGI_LANGUAGES": '["en", "et"]',
    "TUGI_SLA_MAX_SLEEP_SECONDS": "1800",
    "TUGI_AUTO_ANSWER_TIMEOUT_SECONDS": str(24 * 3600),
}
PASSWORD = {"subject": "Forgot my password", "message": "How do I reset my password? I cannot log in."}
INVOICE = {"subject": "Invoice", "message": "Please explain the second line of my last invoice."}
PATHS = ("answer_accepted", "answer_rejected", "agent_resolves", "escalated")


class Run:
    def __init__(self, platform: EmbeddedPlatform) -> None:
        self.platform = platform
        self.agent = platform.token("agent")

    def case(self, case_id: str) -> Case:
        found = container().case_store.get_case(case_id)
        assert found is not None
        return found

    def wait(self, probe: Callable[[], Any], timeout: float = 120) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = probe()
            if result:
                return result
            time.sleep(0.05)
        raise TimeoutError("the workflow did not get there in time")

    def submit(self, n: int, question: dict[str, str]) -> str:
        body = {"name": f"Bench {n}", "email": f"bench{n}@example.ee"} | question
        response = self.platform.api("POST", "/v1/contacts", json_body=body)
        assert response.status == 202, response.body
        return str(response.json()["case_id"])

    def status_is(self, case_id: str, *statuses: CaseStatus) -> Case | None:
        current = self.case(case_id)
        return current if current.status in statuses else None

    def resolve(self, case_id: str) -> None:
        """As an agent does: with the version just read, reading again when the workflow wrote meanwhile."""
        for _ in range(5):
            body = {"version": self.case(case_id).version, "status": "resolved"}
            response = self.platform.api("PATCH", f"/v1/cases/{case_id}", json_body=body, token=self.agent)
            if response.status != 409:
                assert response.status == 200, response.body
                return
        raise RuntimeError("the case kept changing")

    def verdict(self, case_id: str, solved: bool) -> None:
        answered = self.wait(lambda: self.status_is(case_id, CaseStatus.AUTO_ANSWERED))
        path = f"/v1/answers/{answered.answer_id}/{'solved' if solved else 'not-solved'}"
        assert self.platform.api("POST", path).status == 200

    def one(self, n: int, path: str) -> str:
        if path == "answer_accepted":
            case_id = self.submit(n, PASSWORD)
            self.verdict(case_id, solved=True)
        elif path == "answer_rejected":
            case_id = self.submit(n, PASSWORD)
            self.verdict(case_id, solved=False)
            self.wait(lambda: self.case(case_id).routed_at)
            self.resolve(case_id)
        elif path == "agent_resolves":
            case_id = self.submit(n, INVOICE)
            self.wait(lambda: self.status_is(case_id, CaseStatus.OPEN))
            reply = {"text": "The second line is the card fee."}
            assert (
                self.platform.api("POST", f"/v1/cases/{case_id}/replies", json_body=reply, token=self.agent).status
                == 201
            )
            self.resolve(case_id)
        else:
            case_id = self.submit(n, INVOICE)
            self.wait(lambda: self.status_is(case_id, CaseStatus.ESCALATED))
            self.resolve(case_id)
        self.wait(lambda: self.execution(case_id)["status"] != "RUNNING")
        return case_id

    def execution(self, case_id: str) -> dict[str, Any]:
        assert self.platform.workflow is not None
        arn = self.platform.workflow.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{case_id}"
        described: dict[str, Any] = self.platform._client("stepfunctions").describe_execution(executionArn=arn)
        return described

    def transitions(self, case_id: str) -> int:
        sfn = self.platform._client("stepfunctions")
        arn = self.execution(case_id)["executionArn"]
        events: list[dict[str, Any]] = []
        for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn):
            events += page["events"]
        return sum(1 for e in events if e["type"].endswith("StateEntered"))


def say(line: str) -> None:
    """To the real stdout: the local runtime sends handlers' prints to stderr while they run, in any thread."""
    print(line, file=sys.__stdout__, flush=True)


def first_detect_ms() -> float:
    """A cold tasks function pays this once: lingua loads each language's model on first use."""
    code = (
        "import time; from shared.adapters.language import LinguaLanguageDetector as D; "
        f"d = D({json.loads(ENV['TUGI_LANGUAGES'])!r}); t = time.perf_counter(); d.detect('Tere, kus on mu kaart?'); "
        "print((time.perf_counter() - t) * 1000)"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return float(run.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=40, help="cases in all, spread evenly over the paths")
    parser.add_argument("--parallel", type=int, default=8, help="cases in flight at once")
    args = parser.parse_args()

    languages = ENV["TUGI_LANGUAGES"]
    say(f"triage's first language detection (loads the models of {languages}): {first_detect_ms():.0f} ms")
    with EmbeddedPlatform(ENV, workflow=True, time_scale=SCALE) as platform:
        supervisor = platform.token("supervisor")
        agent_id = platform.agent_id("agent")
        body = {"name": "Bench agent", "queues": ["general"], "available": True}
        platform.api("PUT", f"/v1/agents/{agent_id}", json_body=body, token=supervisor)
        run = Run(platform)
        run.one(0, "agent_resolves")  # warm-up: imports, the language model
        plan = [(n, PATHS[n % len(PATHS)]) for n in range(1, args.cases + 1)]
        started = time.perf_counter()
        with ThreadPoolExecutor(args.parallel) as pool:
            done = list(pool.map(lambda item: (item[1], run.one(*item)), plan))
        elapsed = time.perf_counter() - started
        by_path: dict[str, list[int]] = defaultdict(list)
        failed = 0
        for path, case_id in done:
            by_path[path].append(run.transitions(case_id))
            failed += run.execution(case_id)["status"] != "SUCCEEDED"

    say(f"{len(done)} cases, {args.parallel} in flight, platform clock {SCALE:g}x, {failed} executions not succeeded")
    for path in PATHS:
        counts = by_path[path]
        mean_path = statistics.fmean(counts)
        say(f"  {path:<16} transitions per case mean {mean_path:.1f} (min {min(counts)}, max {max(counts)})")
    every = [c for counts in by_path.values() for c in counts]
    mean = statistics.fmean(every)
    per_min = len(done) / elapsed * 60
    usd = mean * USD_PER_TRANSITION * 1000
    say(f"  wall time {elapsed:.1f} s; Step Functions at USD 0.025 per 1,000 transitions")
    say(f"workflow cases_per_min={per_min:.0f} transitions_per_case={mean:.1f} usd_per_1000_cases={usd:.3f}")


if __name__ == "__main__":
    main()
