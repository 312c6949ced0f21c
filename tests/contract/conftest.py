"""The search backends the contract suite runs on: the embedded index always, the others when their service is set.

To run the contract on another backend, add its factory to `BACKENDS`; a backend named in `REQUIRES_ENV`
is skipped unless that environment variable points at a running service.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from shared.adapters.search.embedded import EmbeddedSearchIndex
from shared.domain.knowledge import SearchIndex


def _embedded() -> Iterator[SearchIndex]:
    yield EmbeddedSearchIndex()  # in memory: a fresh, empty index per test


BACKENDS: dict[str, Callable[[], Iterator[SearchIndex]]] = {
    "embedded": _embedded,
}

# Backends that need a running service, and the variable that says where it is.
REQUIRES_ENV = {"opensearch": "TUGI_OPENSEARCH_URL"}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Iterator[SearchIndex]:
    """An empty search index of each backend in turn."""
    name: str = request.param
    variable = REQUIRES_ENV.get(name)
    if variable and not os.environ.get(variable):
        pytest.skip(f"set {variable} to run the search contract on {name}")
    yield from BACKENDS[name]()
