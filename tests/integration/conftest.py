from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.platform import EmbeddedPlatform


@pytest.fixture
def platform() -> Iterator[EmbeddedPlatform]:
    with EmbeddedPlatform() as running:
        yield running


@pytest.fixture
def agent_token(platform: EmbeddedPlatform) -> str:
    return platform.token("agent")
