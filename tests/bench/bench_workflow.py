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
from shared.domain.case import CaseStatus  # noqa: E402
from tests.integration.workflow_helpers import (  # noqa: E402
    ALWAYS_OPEN,
    BILLING_QUESTION,
    PASSWORD_QUESTION,
    RULES_FILE,
    SCALE,
    URGENT_AND_ANSWERABLE,
    case,
    change_case,
    execution,
    in_status,
    make_agent_available,
    wait_for,
)

# Standard workflows: USD 0.025 per 1,000 state transitions (AWS's published price, all regions
# alike at the time of writing; the monthly free tier of 4,000 is left out).
USD_PER_TRANSITION = 0.025 / 1000
ENV = {
    "TUGI_BUSINESS_CALENDAR": ALWAYS_OPEN,
    "TUGI_LANGUAGES": '["en", "et"]',
    "TUGI_SLA_MAX_SLEEP_SECONDS": "1800",
    "TUGI_AUTO_ANSWER_TIMEOUT_SECONDS": str(24 * 3600),
    "TUGI_ANSWER_RULES_FILE": str(RULES_FILE),  # the workflow's cost, not answer quality (bench_kb_banking77)
    "TUGI_AUTO_ANSWER_MIN_CONFIDENCE": "0.75",
}
PATHS = ("answer_accepted", "answer_rejected", "agent_resolves", "escalated", "urgent_answered")
_PATIENCE = 120  # seconds a step may take with many cases in flight


class Run:
    def __init__(self, platform: EmbeddedPlatform) -> None:
        self.platform = platform
        self.agent = platform.token("agent")

    def wait(self, probe: Callable[[], Any]) -> Any:
        return wait_for(probe, timeout=_PATIENCE, what="the workflow")

    def submit(self, n: int, question: dict[str, str]) -> str:
        body = {"name": f"Bench {n}", "email": f"bench{n}@example.ee"} | question
        response = self.platform.api("POST", "/v1/contacts", json_body=body)
        assert response.status == 202, response.body
        return str(response.json()["case_id"])

    def verdict(self, case_id: str, solved: bool) -> None:
        answered = self.wait(lambda: in_status(case_id, CaseStatus.AUTO_ANSWERED))
        path = f"/v1/answers/{answered.answer_id}/{'solved' if solved else 'not-solved'}"
        assert self.platform.api("POST", path).status == 200

    def one(self, n: int, path: str) -> dict[str, Any]:
        """Run one case down `path` to its execution's end; that execution, described."""
        if path == "answer_accepted":
            case_id = self.submit(n, PASSWORD_QUESTION)
            self.verdict(case_id, solved=True)
        elif path == "answer_rejected":
            case_id = self.submit(n, PASSWORD_QUESTION)
            self.verdict(case_id, solved=False)
            self.wait(lambda: case(case_id).routed_at)
            change_case(self.platform, case_id, status="resolved")
        elif path == "agent_resolves":
            case_id = self.submit(n, BILLING_QUESTION)
            self.wait(lambda: in_status(case_id, CaseStatus.OPEN))
            reply = {"text": "The second line is the card fee."}
            sent = self.platform.api("POST", f"/v1/cases/{case_id}/replies", json_body=reply, token=self.agent)
            assert sent.status == 201, sent.body
            change_case(self.platform, case_id, status="resolved")
        elif path == "urgent_answered":  # routed at once, the answer alongside; the customer says solved
            case_id = self.submit(n, URGENT_AND_ANSWERABLE)
            routed = self.wait(lambda: (c := case(case_id)).routed_at and c)
            assert self.platform.api("POST", f"/v1/answers/{routed.answer_id}/solved").status == 200
        else:
            case_id = self.submit(n, BILLING_QUESTION)
            self.wait(lambda: in_status(case_id, CaseStatus.ESCALATED))
            change_case(self.platform, case_id, status="resolved")
        return self.wait(lambda: (e := execution(self.platform, case_id))["status"] != "RUNNING" and e)

    def transitions(self, execution_arn: str) -> int:
        sfn = self.platform._client("stepfunctions")
        events: list[dict[str, Any]] = []
        for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
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
        make_agent_available(platform, "agent", ["general"])
        run = Run(platform)
        run.one(0, "agent_resolves")  # warm-up: imports, the language model
        plan = [(n, PATHS[n % len(PATHS)]) for n in range(1, args.cases + 1)]
        started = time.perf_counter()
        with ThreadPoolExecutor(args.parallel) as pool:
            done = list(pool.map(lambda item: (item[1], run.one(*item)), plan))
        elapsed = time.perf_counter() - started
        by_path: dict[str, list[int]] = defaultdict(list)
        failed = 0
        for path, ended in done:
            by_path[path].append(run.transitions(ended["executionArn"]))
            failed += ended["status"] != "SUCCEEDED"

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
