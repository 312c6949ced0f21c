"""How well the knowledge base's search answers real customer questions, and how it learns.

Run: `make bench` (or `.venv/bin/python tests/bench/bench_kb_banking77.py [--train CSV --test CSV]`).
Prints figures, never asserts; the last line is
`banking77 top1=N top3=N precision_at_70=N p99_ms=N`.

English goes through the learning loop on the embedded platform (`EmbeddedPlatform(knowledge=True)`:
in-process moto, the real API handlers, the table's stream feeding the real indexer handler):
- a supervisor creates and publishes one article per Banking77 intent, titled from the intent's
  name (`PUT /v1/kb/articles/{id}/en` with `publish: true`);
- every training row is one customer's contact through the web form (`POST /v1/contacts`; the row
  is the message, and the subject the form requires is "?", which adds no word to what is learned);
  an agent resolves it with the intent's article linked (`PATCH /v1/cases/{id}`, `status: resolved`
  straight from `new`, which a case allows);
- the resolution is then learned as the case stream's consumer learns it (`KnowledgeLearning.learn`:
  the question, personal data removed, becomes a phrasing in the table). That consumer would also
  start the case's Step Functions execution and e-mail the customer; this bench runs no workflow
  (far too slow for ~8,000 cases) and no case-stream consumer, so it calls the learning itself;
- the phrasing reaches the search index as in AWS: through the table's stream and the real indexer
  handler (the local stream poller's thread, with the filter, retries and DLQ of the event source
  mapping).
The API is used throughout: on 200 rows it was as fast as calling the container's services (12-14
cases/s either way); nearly all of a case's time is moto's (about 11 DynamoDB calls per case), and
the stream poller, which moto makes serialise every record of the table's stream, competes for the
same interpreter. A full run took 16 minutes on a 2-core machine.

The rows are fed in stages: each intent's first 10 rows, then its rows up to 30, then the rest.
Before the first stage and after each, the bench waits until the indexer has every change so far (a
marker article, published in Estonian after the stage's writes, becomes searchable only once the
stream has delivered everything before it) and searches every test query through the container's
search index (`search_index.search(text, "en", limit=3)`, what triage and self-service call; latency
is measured on that call). That gives the learning curve: top-1/top-3 accuracy with 0, 10, 30 and all
learned phrasings per article. Auto-answer precision is measured at 50/70/90 % coverage: queries are
ranked by the confidence of their best hit (how far its score leads the second's), and the most
confident share is answered. The default split is fixed: every fifth row of
`../shared/data/banking77/train.csv` (by position within its intent) is a test query.

moto would look at every item of the table to read one case (which `learn` does), a quarter of a
second by 2,000 cases; the platform's moto patches (`infra/local/moto_patches.py`, 5) read the case's
partition only.

Estonian (the Bürokratt intents) is 5-fold cross-validated on the embedded index directly, every
training utterance a phrasing of a customer of its own, indexed as the indexer indexes (only words
k customers used, shared/domain/learned_words.py), not through the loop: five passes through it would
take too long.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from infra.local.platform import EmbeddedPlatform  # noqa: E402
from shared.adapters.search.embedded import EmbeddedSearchIndex  # noqa: E402
from shared.bootstrap import container  # noqa: E402
from shared.domain.articles import ArticleContent  # noqa: E402
from shared.domain.knowledge import SearchDocument, SearchHit, SearchIndex  # noqa: E402
from shared.domain.learned_words import WordTally, own_terms, searchable  # noqa: E402
from tests.datasets import BANKING77, banking77, buerokratt  # noqa: E402
from tests.integration.workflow_helpers import ALWAYS_OPEN  # noqa: E402

Rows = list[tuple[str, str]]
CURVE = (0, 10, 30, None)  # None: all learned phrasings
COVERAGES = (0.5, 0.7, 0.9)
ENV = {
    "TUGI_BUSINESS_CALENDAR": ALWAYS_OPEN,
    "TUGI_LANGUAGES": '["en", "et"]',
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
}
PROGRESS_EVERY = 1000  # cases


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


def article_id(intent: str) -> str:
    """An article id the API takes (`Refund_not_showing_up` → `refund_not_showing_up`)."""
    return re.sub(r"[^a-z0-9_-]+", "-", intent.lower()).strip("_-")[:64] or "intent"


def stages(train: Rows) -> list[Rows]:
    """The training rows in the curve's stages: each intent's rows up to 10, then up to 30, then the rest."""
    seen: dict[str, int] = defaultdict(int)
    staged: list[Rows] = [[] for _ in CURVE[1:]]
    for text, intent in train:
        stage = next(i for i, upper in enumerate(CURVE[1:]) if upper is None or seen[intent] < upper)
        staged[stage].append((text, intent))
        seen[intent] += 1
    return staged


def build(train: Rows, locale: str, per_article: int | None) -> EmbeddedSearchIndex:
    """Each row a phrasing of a customer of its own, indexed as the indexer indexes: only the words k customers
    of the locale used (counted over what is taught, all articles together) or the article's title has."""
    phrasings: dict[str, list[str]] = defaultdict(list)
    for text, intent in train:
        if per_article is None or len(phrasings[intent]) < per_article:
            phrasings[intent].append(text)
    tally = WordTally(locale)
    for row, text in enumerate(text for texts in phrasings.values() for text in texts):
        tally.teach(text, f"customer{row}")
    vetted = tally.vetted()
    index = EmbeddedSearchIndex()
    with index.batch():
        for intent, texts in sorted(phrasings.items()):
            counted = vetted | own_terms(ArticleContent(title=title(intent)), locale)
            learned = [v for v in (searchable(text, locale, counted) for text in texts) if v]
            index.upsert(SearchDocument(article_id=intent, locale=locale, title=title(intent), phrasings=learned))
    return index


def confidence(hits: list[SearchHit]) -> float:
    """What the workflow's auto-answer decision uses (TUGI_AUTO_ANSWER_MIN_CONFIDENCE)."""
    return hits[0].confidence if hits else 0.0


class Result:
    def __init__(self, index: SearchIndex, test: Rows, locale: str, ids: dict[str, str] | None = None) -> None:
        """`ids`: the article id of each intent, when it is not the intent's name."""
        self.ranked: list[tuple[float, bool]] = []  # (confidence, top-1 right) per query
        self.top1 = self.top3 = 0
        self.latencies_ms: list[float] = []
        for text, intent in test:
            started = time.perf_counter()
            hits = index.search(text, locale, limit=3)
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
            found = [h.article_id for h in hits]
            wanted = ids[intent] if ids else intent
            self.top1 += found[:1] == [wanted]
            self.top3 += wanted in found
            self.ranked.append((confidence(hits), found[:1] == [wanted]))
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


# --- the learning loop on the platform -------------------------------------------------------


class _WithoutMetrics(io.TextIOBase):
    """stderr without the handlers' EMF metric lines (what Lambda sends to CloudWatch)."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.dropping = False

    def write(self, text: str) -> int:
        dropped = text.startswith('{"_aws"') or (self.dropping and text == "\n")  # print(): the line, then "\n"
        self.dropping = text.startswith('{"_aws"')
        return len(text) if dropped else int(self.wrapped.write(text))

    def flush(self) -> None:
        self.wrapped.flush()


class LearningLoop:
    """Cases resolved with an article, learned, and indexed through the table's stream."""

    def __init__(self, platform: EmbeddedPlatform, intents: list[str]) -> None:
        self.platform = platform
        self.supervisor = platform.token("supervisor")
        self.agent = platform.token("agent")
        self.ids = {intent: article_id(intent) for intent in intents}
        assert len(set(self.ids.values())) == len(self.ids), "two intents share an article id"
        self.outcomes: Counter[str] = Counter()
        self.cases = 0
        self.markers = 0

    def publish_articles(self) -> None:
        for intent, aid in self.ids.items():
            self._put_article(aid, "en", title(intent))

    def _put_article(self, aid: str, locale: str, text: str) -> None:
        body = {"title": text, "publish": True}
        response = self.platform.api("PUT", f"/v1/kb/articles/{aid}/{locale}", json_body=body, token=self.supervisor)
        assert response.status == 201, response.body

    def resolve(self, text: str, intent: str) -> None:
        """One customer's contact, resolved by an agent with the intent's article, and what it taught."""
        self.cases += 1
        contact = {"name": "Bench Customer", "email": f"customer{self.cases}@example.com", "subject": "?"}
        response = self.platform.api("POST", "/v1/contacts", json_body=contact | {"message": text})
        assert response.status == 202, response.body
        case_id = response.json()["case_id"]
        change = {"version": 1, "status": "resolved", "article_id": self.ids[intent]}
        response = self.platform.api("PATCH", f"/v1/cases/{case_id}", json_body=change, token=self.agent)
        assert response.status == 200, response.body
        self.outcomes[container().kb_learning.learn(case_id)] += 1

    def drain(self, timeout: float = 900) -> float:
        """Wait until the indexer has every change written so far; the seconds it took.

        The stream delivers in order, so a marker article (Estonian: English searches never see it)
        published now is searchable only once everything before it is indexed.
        """
        started = time.perf_counter()
        self.markers += 1
        marker, words = f"bench-drain-{self.markers}", f"Benchmark drain marker {self.markers}"
        self._put_article(marker, "et", words)
        index = container().search_index
        while marker not in [hit.article_id for hit in index.search(words, "et", limit=10)]:
            if time.perf_counter() - started > timeout:
                raise TimeoutError("the stream was not drained")
            time.sleep(0.02)
        return time.perf_counter() - started

    def dead_letters(self) -> int:
        sqs = self.platform._client("sqs")
        url = self.platform.kb_dead_letter_queue_url
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


@contextmanager
def embedded_platform() -> Iterator[EmbeddedPlatform]:
    # Handlers without a metric of their own (e.g. PATCH /v1/cases) say so once; nothing to act on here.
    warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
    with redirect_stderr(_WithoutMetrics(sys.stderr)), EmbeddedPlatform(ENV, knowledge=True) as platform:
        yield platform


def curve(train: Rows, test: Rows) -> list[tuple[str, Result]]:
    """The learning curve, each point measured after its stage's cases went through the loop."""
    results: list[tuple[str, Result]] = []
    with embedded_platform() as platform:
        loop = LearningLoop(platform, sorted({intent for _, intent in train}))
        started = time.perf_counter()
        loop.publish_articles()
        drained = loop.drain()
        print(
            f"  {len(loop.ids)} articles published through the API in {time.perf_counter() - started:.1f} s,"
            f" indexed {drained:.2f} s after the last"
        )
        results.append(("0", Result(container().search_index, test, "en", loop.ids)))
        looped = 0.0
        for stage, (lower, upper, rows) in enumerate(zip(CURVE[:-1], CURVE[1:], stages(train), strict=True), 1):
            started = time.perf_counter()
            for done, (text, intent) in enumerate(rows, 1):
                loop.resolve(text, intent)
                if done % PROGRESS_EVERY == 0:
                    rate = done / (time.perf_counter() - started)
                    print(f"    … {done}/{len(rows)} cases ({rate:.1f}/s)", file=sys.stderr, flush=True)
            resolved = time.perf_counter() - started
            drained = loop.drain()
            looped += resolved + drained
            print(
                f"  stage {stage} (each intent's rows {lower + 1} to {upper or 'last'}): {len(rows)} cases resolved"
                f" in {resolved:.1f} s ({len(rows) / resolved:.1f} cases/s), indexed {drained:.1f} s later",
                flush=True,
            )
            results.append(
                ("all" if upper is None else str(upper), Result(container().search_index, test, "en", loop.ids))
            )
        outcomes = ", ".join(f"{n} {outcome}" for outcome, n in sorted(loop.outcomes.items()))
        print(
            f"  learning loop: {loop.cases} cases in {looped:.1f} s with the waits for the indexer"
            f" ({loop.cases / looped:.1f} cases/s); learned: {outcomes}; indexer DLQ: {loop.dead_letters()} records"
        )
    return results


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
    print(
        f"Banking77: {intents} articles, {len(train)} cases resolved through the learning loop,"
        f" {len(test)} test queries (embedded platform)",
        flush=True,
    )
    results = curve(train, test)
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
    print(
        f"Estonian (Bürokratt, 5-fold cross-validated on the index directly, not through the loop):"
        f" top1={et_top1:.3f} top3={et_top3:.3f}"
    )
    print(
        f"banking77 top1={final.top1 / final.n:.3f} top3={final.top3 / final.n:.3f}"
        f" precision_at_70={final.precision_at(0.7):.3f} p99_ms={final.p(0.99):.2f}"
    )


if __name__ == "__main__":
    main()
