"""Customers quote their case reference (`TG-7K3P9Q`); agents open the case by it."""

from __future__ import annotations

import pytest

from infra.local.platform import EmbeddedPlatform
from tests.integration.helpers import submit


def test_an_agent_opens_a_case_by_the_reference_a_customer_quotes(platform: EmbeddedPlatform, agent_token: str) -> None:
    accepted = submit(platform)

    by_id = platform.api("GET", f"/v1/cases/{accepted['case_id']}", token=agent_token)
    by_reference = platform.api("GET", f"/v1/cases/{accepted['reference']}", token=agent_token)
    as_typed = platform.api("GET", f"/v1/cases/{accepted['reference'].lower()}", token=agent_token)

    assert (by_id.status, by_reference.status, as_typed.status) == (200, 200, 200)
    assert by_reference.json() == by_id.json() == as_typed.json()
    assert by_reference.json()["case_id"] == accepted["case_id"]


@pytest.mark.parametrize("unknown", ["TG-2222ZZ", "TG-", "case_01J0000000000000000000000"])
def test_an_unknown_reference_or_case_id_is_404_case_not_found(
    platform: EmbeddedPlatform, agent_token: str, unknown: str
) -> None:
    response = platform.api("GET", f"/v1/cases/{unknown}", token=agent_token)

    assert response.status == 404
    assert response.json()["error"]["code"] == "case_not_found"
