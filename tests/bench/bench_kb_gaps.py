"""How long the gaps report takes to group unanswered questions by wording (shared/domain/kb_gaps.py).

Run: `make bench` (or `.venv/bin/python tests/bench/bench_kb_gaps.py`).
Prints figures, never asserts; the last line is
`kb_gaps group_s_5000=N group_s_20000=N groups_20000=N`.

The worst case for grouping: every question worded differently. Banking77's queries are all distinct
and all about a bank's few topics (cards, transfers, top-ups), so common stems bring many groups
together as candidates; the second copy of each query gets a word of its own to stay distinct. The
report runs in the agent API's Lambda (10 s timeout), which has a fraction of a core.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from shared.domain.kb_gaps import GapSignal, GapSource, group_gaps  # noqa: E402
from tests.datasets import BANKING77, banking77  # noqa: E402

SIZES = (1_000, 5_000, 10_000, 20_000)


def signals(count: int) -> list[GapSignal]:
    queries = [text for text, _ in banking77(BANKING77)]
    texts = [
        queries[i % len(queries)] + (f" variant{i // len(queries)}" if i >= len(queries) else "") for i in range(count)
    ]
    now = datetime.now(UTC)
    return [GapSignal(source=GapSource.SEARCH, text=text, locale="en", at=now) for text in texts]


def main() -> None:
    seconds: dict[int, float] = {}
    groups = 0
    for size in SIZES:
        batch = signals(size)
        started = time.perf_counter()
        found = group_gaps(batch, limit=size)
        seconds[size] = time.perf_counter() - started
        groups = len(found)
        print(f"  {size:>6} distinct wordings: {seconds[size]:.2f} s, {groups} groups, largest {found[0].count}")
    print(f"kb_gaps group_s_5000={seconds[5_000]:.2f} group_s_20000={seconds[20_000]:.2f} groups_20000={groups}")


if __name__ == "__main__":
    main()
