"""The consumers of the table's stream: which items each gets and which handler runs.

One definition for CDK (event source mapping filters) and the local runtime (its stream poller).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.workflows import CASE_SORT_KEY, STREAM_BATCH_SIZE, STREAM_HANDLER

INDEXER_HANDLER = "functions.knowledge.indexer.handler"
ARTICLE_KEY_PREFIX = "ARTICLE#"  # docs/data-model.md: an article's partition (heads, versions, phrasings)
LEARNED_WORD_KEY_PREFIX = "LEARNED#"  # a learned word's count of customers: once vetted, its articles are rewritten


@dataclass(frozen=True)
class StreamConsumer:
    name: str
    handler: str
    key: str  # the key attribute the filter looks at: PK or SK
    equals: str | None = None
    prefixes: tuple[str, ...] = ()
    # (prefix, attribute): items of that prefix pass only when their new image holds the (string) attribute.
    requires: tuple[tuple[str, str], ...] = ()
    batch_size: int = STREAM_BATCH_SIZE

    def accepts(self, record: dict[str, Any]) -> bool:
        """Whether a stream record (its `dynamodb` part, in DynamoDB JSON) passes the filter."""
        value = record.get("Keys", {}).get(self.key, {}).get("S")
        if value is None:
            return False
        if self.equals is not None:
            return bool(value == self.equals)
        new_image = record.get("NewImage", {})
        return any(
            value.startswith(prefix) and all(a in new_image for p, a in self.requires if p == prefix)
            for prefix in self.prefixes
        )

    def filter_patterns(self) -> list[dict[str, Any]]:
        """The event source mapping's filters (any one passes): the same rule as `accepts`."""
        if self.equals is not None:
            return [{"dynamodb": {"Keys": {self.key: {"S": [self.equals]}}}}]
        patterns = []
        for prefix in self.prefixes:
            pattern: dict[str, Any] = {"Keys": {self.key: {"S": [{"prefix": prefix}]}}}
            if required := {a: {"S": [{"exists": True}]} for p, a in self.requires if p == prefix}:
                pattern["NewImage"] = required
            patterns.append({"dynamodb": pattern})
        return patterns


CASE_STREAM = StreamConsumer("case-stream", STREAM_HANDLER, key="SK", equals=CASE_SORT_KEY)
KB_INDEXER = StreamConsumer(
    "kb-indexer",
    INDEXER_HANDLER,
    key="PK",
    prefixes=(ARTICLE_KEY_PREFIX, LEARNED_WORD_KEY_PREFIX),
    requires=((LEARNED_WORD_KEY_PREFIX, "vetted_at"),),  # a word's count reaches it only once it is vetted
)
