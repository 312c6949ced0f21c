"""The search backends the contract suite runs on.

Every backend in `BACKENDS` runs the whole suite. The embedded index needs nothing; a backend that
needs a running service is added to `BACKENDS` only when its variable says where that service is, so
the suite never collects a backend it cannot run: OpenSearch with `TUGI_OPENSEARCH_URL` (plain http for
a local server; https is signed with SigV4 for `TUGI_OPENSEARCH_SERVICE`, es or aoss, in `AWS_REGION`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest

from shared.adapters.search.embedded import EmbeddedSearchIndex
from shared.domain.knowledge import SearchIndex
from shared.settings import Settings


def _embedded() -> Iterator[SearchIndex]:
    yield EmbeddedSearchIndex()  # in memory: a fresh, empty index per test


def _opensearch() -> Iterator[SearchIndex]:
    from shared.adapters.search.opensearch import OpenSearchSearchIndex

    settings = Settings()  # TUGI_OPENSEARCH_URL, TUGI_OPENSEARCH_SERVICE, TUGI_OPENSEARCH_INDEX_PREFIX, AWS_REGION
    index = OpenSearchSearchIndex.from_url(
        os.environ["TUGI_OPENSEARCH_URL"],
        service=settings.opensearch_service,
        region=settings.region,
        prefix=f"{settings.opensearch_index_prefix}-contract-{uuid.uuid4().hex[:12]}",  # removed after the test
    )
    try:
        yield index
    finally:
        index.delete_indices()


BACKENDS: dict[str, Callable[[], Iterator[SearchIndex]]] = {
    "embedded": _embedded,
}
if os.environ.get("TUGI_OPENSEARCH_URL"):
    BACKENDS["opensearch"] = _opensearch


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Iterator[SearchIndex]:
    """An empty search index of each backend in turn."""
    yield from BACKENDS[request.param]()
