"""The search backends the contract suite runs on.

Every backend in `BACKENDS` runs the whole suite. The embedded index needs nothing; a backend that
needs a running service (OpenSearch, next) is added to `BACKENDS` only when its variable says where
that service is, so the suite never collects a backend it cannot run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from shared.adapters.search.embedded import EmbeddedSearchIndex
from shared.domain.knowledge import SearchIndex


def _embedded() -> Iterator[SearchIndex]:
    yield EmbeddedSearchIndex()  # in memory: a fresh, empty index per test


BACKENDS: dict[str, Callable[[], Iterator[SearchIndex]]] = {
    "embedded": _embedded,
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Iterator[SearchIndex]:
    """An empty search index of each backend in turn."""
    yield from BACKENDS[request.param]()
