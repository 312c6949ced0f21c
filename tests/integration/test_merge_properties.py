"""Merges and unmerges in any order keep every case and identity with the right customer.

A Hypothesis state machine drives the real services on moto: contacts from new and known
addresses, merges (chains included) and unmerges, valid or not. After every step each case and
each identity belongs to the live customer its origin resolves to, following merges.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from infra.local.events import LambdaContext
from infra.local.platform import EmbeddedPlatform
from shared import bootstrap
from shared.domain.identity import Identity
from shared.domain.ids import CaseId, CustomerId
from shared.errors import Conflict, InvalidInput
from shared.services.contacts import SubmitContactRequest
from shared.services.customers import live_customer

_platform: EmbeddedPlatform | None = None


@pytest.fixture(scope="module", autouse=True)
def running_platform() -> Iterator[EmbeddedPlatform]:
    global _platform  # noqa: PLW0603 - Hypothesis state machines cannot take fixtures
    with EmbeddedPlatform() as platform:
        _platform = platform
        bootstrap.container().once.register_lambda_context(LambdaContext())
        yield platform
    _platform = None


class Merges(RuleBasedStateMachine):
    customers = Bundle("customers")

    @initialize()
    def start(self) -> None:
        self.services = bootstrap.container()
        self.emails: dict[CustomerId, list[str]] = {}
        self.cases: list[CaseId] = []
        self.counter = 0

    def _contact(self, email: str) -> CustomerId:
        self.counter += 1
        request = SubmitContactRequest(name="P", email=email, subject=f"s{self.counter}", message=f"m{self.counter}")
        accepted = self.services.contact_form.submit(request)
        self.cases.append(accepted.case_id)
        return accepted.customer_id

    @rule(target=customers)
    def new_customer(self) -> CustomerId:
        email = f"p{id(self)}-{len(self.emails)}@example.ee"
        customer_id = self._contact(email)
        self.emails.setdefault(customer_id, []).append(email)
        return customer_id

    @rule(customer=customers)
    def contact_again(self, customer: CustomerId) -> None:
        self._contact(self.emails[customer][0])

    @rule(into=customers, source=customers)
    def merge(self, into: CustomerId, source: CustomerId) -> None:
        # Into itself, into a merged customer, already merged elsewhere: refused, and nothing changes.
        with suppress(Conflict, InvalidInput):
            self.services.customers.merge(target_id=into, source_id=source, actor="agent")

    @rule(customer=customers, repeat=st.booleans())
    def unmerge(self, customer: CustomerId, repeat: bool) -> None:
        for _ in range(2 if repeat else 1):
            # Never merged, or its target was merged since (that is undone first): refused.
            with suppress(Conflict):
                self.services.customers.unmerge(source_id=customer, actor="agent")

    @invariant()
    def cases_belong_to_the_live_customer_of_their_origin(self) -> None:
        store = self.services.customer_store
        for case_id in self.cases:
            case = self.services.case_store.get_case(case_id)
            assert case is not None
            assert case.customer_id == live_customer(store, case.origin_customer_id).customer_id, case_id

    @invariant()
    def identities_belong_to_the_live_customer_of_their_origin(self) -> None:
        store = self.services.customer_store
        for emails in self.emails.values():
            record = store.get_identity(Identity.email(emails[0]))
            assert record is not None
            assert record.customer_id == live_customer(store, record.origin_customer_id).customer_id


Merges.TestCase.settings = settings(
    max_examples=12, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_merges_keep_every_case_with_the_right_customer = Merges.TestCase
