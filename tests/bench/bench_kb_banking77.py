"""How well the knowledge base's search answers real customer questions, and how it learns.

Run: `make bench` (or `.venv/bin/python tests/bench/bench_kb_banking77.py [--train CSV --test CSV]`).
Prints figures, never asserts; the last line is
`banking77 top1=N top3=N precision_at_70=N p99_ms=N`.

One article per Banking77 intent, titled from the intent's name, on the embedded adapter (tantivy
with Snowball stemming). Each training row becomes a learned phrasing of its intent's article;
every test query is then searched. The learning curve shows top-1/top-3 accuracy with 0, 10, 30
and all learned phrasings per article. Auto-answer precision is measured at 50/70/90 % coverage:
queries are ranked by the confidence of their best hit (how far its score leads the second's), and
the most confident share is answered. The default split is fixed: every fifth row of
`../shared/data/banking77/train.csv` (by position within its intent) is a test query.

Not yet measured here: phrasings arrive through the case-resolution loop with personal data
removed (issue #5 item 6); this slice adds them to the index directly.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from shared.adapters.search.embedded import EmbeddedSearchIndex  # noqa: E402
from shared.domain.knowledge import SearchDocument, SearchHit  # noqa: E402
from tests.datasets import BANKING77, banking77, buerokratt  # noqa: E402

Rows = list[tuple[str, str]]
CURVE = (0, 10, 30, None)  # None: all learned phrasings
COVERAGES = (0.5, 0.7, 0.9)


def fixed_split(rows: Rows, every: int = 5) -> tuple[Rows, Rows]:
    """Every `every`-th row of each intent (by position) is a test query; the rest train."""
    seen: dict[str, int] = defaultdict(int)
    train, test = [], []
    for text, intent in rows:
        (test if seen[intent] % every == every - 1 else train).append((text, intent))
        seen[intent] += 1
    return train, test


def title(intent: str) -> str:
    """`card_payment_wrong_exchange_rate` → `Card payment wrong exchange rate`."""
    return intent.replace("_", " ").strip().capitalize()


def build(train: Rows, locale: str, per_article: int | None) -> EmbeddedSearchIndex:
    phrasings: dict[str, list[str]] = defaultdict(list)
    for text, intent in train:
        phrasings[intent].append(text)
    index = EmbeddedSearchIndex()
    with index.batch():
        for intent, texts in sorted(phrasings.items()):
            learned = texts if per_article is None else texts[:per_article]
            index.upsert(SearchDocument(article_id=intent, locale=locale, title=title(intent), phrasings=learned))
    return index


def confidence(hits: list[SearchHit]) -> float:
    """What the workflow's auto-answer decision uses (TUGI_AUTO_ANSWER_MIN_CONFIDENCE)."""
    return hits[0].confidence if hits else 0.0


class Result:
    def __init__(self, index: EmbeddedSearchIndex, test: Rows, locale: str) -> None:
        self.ranked: list[tuple[float, bool]] = []  # (confidence, top-1 right) per query
        self.top1 = self.top3 = 0
        self.latencies_ms: list[float] = []
        for text, intent in test:
            started = time.perf_counter()
            hits = index.search(text, locale, limit=3)
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
            ids = [h.article_id for h in hits]
            self.top1 += ids[:1] == [intent]
            self.top3 += intent in ids
            self.ranked.append((confidence(hits), ids[:1] == [intent]))
        self.n = len(test)

    def precision_at(self, coverage: float) -> float:
        answered = sorted(self.ranked, key=lambda r: r[0], reverse=True)[: max(1, round(self.n * coverage))]
        return sum(right for _, right in answered) / len(answered)

    def at_threshold(self, threshold: float) -> tuple[float, float]:
        """(coverage, precision) when every query whose confidence reaches `threshold` is auto-answered."""
        answered = [right for conf, right in self.ranked if conf >= threshold]
        return len(answered) / self.n, (sum(answered) / len(answered) if answered else 1.0)

    def threshold_for(self, precision: float) -> float:
        """The lowest threshold whose answered share is right at least `precision` of the time."""
        best = 1.0
        for candidate in sorted({round(conf, 3) for conf, _ in self.ranked}, reverse=True):
            if self.at_threshold(candidate)[1] < precision:
                break
            best = candidate
        return best

    def p(self, quantile: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


def curve(train: Rows, test: Rows, locale: str) -> list[tuple[str, Result]]:
    return [(str(n if n is not None else "all"), Result(build(train, locale, n), test, locale)) for n in CURVE]


def estonian(folds: int = 5) -> tuple[float, float]:
    """Cross-validated top-1/top-3 on the Bürokratt intents (all phrasings learned)."""
    rows = buerokratt()
    random.Random(77).shuffle(rows)
    top1 = top3 = 0
    for fold in range(folds):
        test = rows[fold::folds]
        train = [r for i, r in enumerate(rows) if i % folds != fold]
        result = Result(build(train, "et", None), test, "et")
        top1, top3 = top1 + result.top1, top3 + result.top3
    return top1 / len(rows), top3 / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=Path, help="Banking77-shaped CSV (text,category); default: a fixed split")
    parser.add_argument("--test", type=Path, help="the test CSV; default: the fixed split's test rows")
    args = parser.parse_args()
    if args.train and args.test:
        train, test = banking77(args.train), banking77(args.test)
    else:
        train, test = fixed_split(banking77(BANKING77))
    intents = len({intent for _, intent in train})
    print(f"Banking77: {intents} articles, {len(train)} learned phrasings, {len(test)} test queries (embedded)")
    results = curve(train, test, "en")
    for label, result in results:
        print(
            f"  {label:>3} phrasings per article: top1={result.top1 / result.n:.3f} top3={result.top3 / result.n:.3f}"
        )
    final = results[-1][1]
    for coverage in COVERAGES:
        print(f"  auto-answer precision at {coverage:.0%} coverage: {final.precision_at(coverage):.3f}")
    print("  auto-answer threshold (TUGI_AUTO_ANSWER_MIN_CONFIDENCE) → coverage, precision:")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        coverage, precision = final.at_threshold(threshold)
        print(f"    {threshold:.2f} → {coverage:.1%} answered, {precision:.3f} right")
    for target in (0.95, 0.97, 0.99):
        threshold = final.threshold_for(target)
        coverage, _ = final.at_threshold(threshold)
        print(f"    lowest threshold for precision ≥ {target}: {threshold:.3f} ({coverage:.1%} answered)")
    print(f"  query latency p50 {final.p(0.5):.2f} ms, p99 {final.p(0.99):.2f} ms")
    et_top1, et_top3 = estonian()
    print(f"Estonian (Bürokratt, 5-fold cross-validated): top1={et_top1:.3f} top3={et_top3:.3f}")
    print(
        f"banking77 top1={final.top1 / final.n:.3f} top3={final.top3 / final.n:.3f}"
        f" precision_at_70={final.precision_at(0.7):.3f} p99_ms={final.p(0.99):.2f}"
    )


if __name__ == "__main__":
    main()
