"""Email intake throughput and latency through the real handler on moto, and Lambda import times.

Run: `make bench` (or `.venv/bin/python tests/bench/bench_intake.py --rounds 10`).
Prints figures, never asserts; the last line is
`intake emails_per_s=N p99_ms=N import_ms_max=N`.

Handler latency includes moto's own cost (its DynamoDB deep-copies the whole table on every
transaction, so it grows with the table). The time spent inside moto is measured and reported
apart, so our own cost per email is visible too.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_MESSAGE_ID = re.compile(rb"^(message-id:\s*<)", re.IGNORECASE | re.MULTILINE)


def import_ms(module: str, repeats: int) -> float:
    """Median wall time of importing the module in a fresh interpreter: our cold-start proxy."""
    code = f"import time; t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1000)"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
        "POWERTOOLS_TRACE_DISABLED": "true"
    }
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(repeats)
    ]
    return statistics.median(runs)


class MotoClock:
    """Time spent inside moto's request handling (every boto3 call of the handler lands there)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def install(self) -> None:
        from moto.core.botocore_stubber import BotocoreStubber

        original = BotocoreStubber.process_request
        clock = self

        def timed(stubber: object, request: object) -> object:
            started = time.perf_counter()
            try:
                return original(stubber, request)  # type: ignore[arg-type]
            finally:
                clock.seconds += time.perf_counter() - started

        BotocoreStubber.process_request = timed  # type: ignore[assignment,method-assign]


def variant(raw: bytes, round_no: int) -> bytes:
    """The same mail with a Message-ID of its own per round, so every round opens new cases."""
    marked = _MESSAGE_ID.sub(rb"\1bench" + str(round_no).encode() + b".", raw, count=1)
    return b"X-Bench-Round: " + str(round_no).encode() + b"\r\n" + marked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="passes over the 30 real emails (default 10)")
    parser.add_argument("--import-repeats", type=int, default=5)
    args = parser.parse_args()

    os.environ.update(
        {"POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR"}
    )
    sys.path.insert(0, str(REPO))
    from infra.build_lambda import ENTRY_MODULES
    from infra.local.events import LambdaContext, s3_put_sqs_event
    from infra.local.platform import EmbeddedPlatform

    imports = {m: import_ms(m, args.import_repeats) for m in ENTRY_MODULES}
    from tests.conftest import SHARED_DATA

    mails = [p.read_bytes() for p in sorted((SHARED_DATA / "emails").glob("*.eml"))]
    latencies: list[float] = []
    own: list[float] = []
    outcomes: dict[str, int] = {}
    moto = MotoClock()
    moto.install()
    with EmbeddedPlatform() as platform:
        from functions.email import intake

        keys = [platform.store_raw_mail(variant(raw, r)) for r in range(args.rounds) for raw in mails]
        started = time.perf_counter()
        for key in keys:
            t, in_moto = time.perf_counter(), moto.seconds
            response = intake.handler(s3_put_sqs_event(platform.settings.raw_mail_bucket, [key]), LambdaContext())
            latencies.append((time.perf_counter() - t) * 1000)
            own.append(latencies[-1] - (moto.seconds - in_moto) * 1000)
            assert not response["batchItemFailures"], key
        elapsed = time.perf_counter() - started
        from shared import bootstrap

        for key in keys:
            record = bootstrap.container().email_intake.intake_log.get(key)
            outcome = record.outcome if record else "missing"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1

    quantiles = statistics.quantiles(latencies, n=100)
    p50, p99 = statistics.median(latencies), quantiles[98]
    rate = len(keys) / elapsed
    print(f"emails: {len(keys)} ({args.rounds} rounds of {len(mails)} real messages) in {elapsed:.1f} s")
    print("outcomes: " + ", ".join(f"{k}={v}" for k, v in sorted(outcomes.items())))
    own_q = statistics.quantiles(own, n=100)
    print(f"handler latency on moto: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(latencies):.1f} ms")
    print(
        f"  of which our code (moto's time taken out): p50 {statistics.median(own):.1f} ms, p99 {own_q[98]:.1f} ms;"
        f" moto's share of all handler time {100 * (1 - sum(own) / sum(latencies)):.0f}%"
    )
    for module, ms in imports.items():
        print(f"import {module}: {ms:.0f} ms (median of {args.import_repeats} fresh interpreters)")
    print(f"intake emails_per_s={rate:.1f} p99_ms={p99:.1f} import_ms_max={max(imports.values()):.0f}")


if __name__ == "__main__":
    main()
