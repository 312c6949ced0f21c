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
    batch_size: int = STREAM_BATCH_SIZE

    def accepts(self, keys: dict[str, Any]) -> bool:
        """Whether a stream record (its `Keys`, in DynamoDB JSON) passes the filter."""
        value = keys.get(self.key, {}).get("S")
        if value is None:
            return False
        if self.equals is not None:
            return bool(value == self.equals)
        return str(value).startswith(self.prefixes) if self.prefixes else False

    def filter_pattern(self) -> dict[str, Any]:
        """The event source mapping's filter: the same rule as `accepts`."""
        rule: Any = [self.equals] if self.equals is not None else [{"prefix": p} for p in self.prefixes]
        return {"dynamodb": {"Keys": {self.key: {"S": rule}}}}


CASE_STREAM = StreamConsumer("case-stream", STREAM_HANDLER, key="SK", equals=CASE_SORT_KEY)
KB_INDEXER = StreamConsumer(
    "kb-indexer", INDEXER_HANDLER, key="PK", prefixes=(ARTICLE_KEY_PREFIX, LEARNED_WORD_KEY_PREFIX)
)
