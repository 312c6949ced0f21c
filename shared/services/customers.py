"""Customer use cases: recognise a customer, find one, read the timeline, merge and unmerge."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from shared.domain.channels import Channel
from shared.domain.clock import utc_now
from shared.domain.customer import Customer
from shared.domain.events import CaseEvent, EventKind
from shared.domain.identity import Identity, IdentityRecord
from shared.domain.ids import CaseId, CustomerId, new_customer_id, new_merge_id
from shared.domain.merge import MergeRecord, MergeState
from shared.domain.paging import InvalidCursor, Page
from shared.domain.timeline import TimelineEntry
from shared.errors import Conflict, InvalidInput, NotFound
from shared.ports import CaseStore, CustomerStore, IdentityTaken, StaleVersion

_CLAIM_ATTEMPTS = 3
_MAX_NAME = 200


class CustomerNotFound(NotFound):
    code = "customer_not_found"


class MergeConflict(Conflict):
    code = "merge_conflict"


class ResolvedCustomer(BaseModel):
    customer_id: CustomerId
    origin_customer_id: CustomerId
    created: bool


class CustomerView(BaseModel):
    customer: Customer
    identities: list[IdentityRecord]


def live_customer(store: CustomerStore, customer_id: CustomerId) -> Customer:
    """The customer, followed through merges to the one that is live now."""
    seen: set[str] = set()
    customer = store.get_customer(customer_id)
    while customer is not None and customer.merged_into and customer.customer_id not in seen:
        seen.add(customer.customer_id)
        customer = store.get_customer(customer.merged_into)
    if customer is None:
        raise CustomerNotFound(f"no customer {customer_id}")
    return customer


class CustomerService:
    def __init__(self, customers: CustomerStore, cases: CaseStore) -> None:
        self.customers = customers
        self.cases = cases

    # --- recognising customers -------------------------------------------------------------

    def resolve(
        self, identities: list[Identity], *, name: str | None, locale: str | None, channel: Channel
    ) -> ResolvedCustomer:
        """The customer these identities belong to, created if none does.

        Two first contacts from one new address race on the conditional identity claim; the loser
        reads the winner's identity, so both land on one customer.
        """
        if not identities:
            raise InvalidInput("a contact needs an email address or a phone number", code="identity_required")
        name = name.strip()[:_MAX_NAME] or None if name else None  # a display name can be any length
        for _ in range(_CLAIM_ATTEMPTS):
            known = [r for r in (self.customers.get_identity(i) for i in identities) if r is not None]
            if known:
                owner = known[0]
                self._claim_new(owner.customer_id, [i for i in identities if i not in {r.identity for r in known}])
                return ResolvedCustomer(
                    customer_id=owner.customer_id, origin_customer_id=owner.origin_customer_id, created=False
                )
            customer = Customer(
                customer_id=new_customer_id(), name=name, locale=locale, preferred_channel=channel, created_at=utc_now()
            )
            try:
                self.customers.create_customer(customer, identities)
            except IdentityTaken:
                continue
            return ResolvedCustomer(
                customer_id=customer.customer_id, origin_customer_id=customer.customer_id, created=True
            )
        raise Conflict("the identity kept changing owner; try again", code="identity_contended")

    def live_customer_id(self, customer_id: CustomerId) -> CustomerId:
        return live_customer(self.customers, customer_id).customer_id

    def _claim_new(self, customer_id: CustomerId, identities: list[Identity]) -> None:
        """A known customer wrote with a new phone or address too: remember it, unless it is someone else's."""
        for identity in identities:
            try:
                self.customers.claim_identity(identity, customer_id)
            except IdentityTaken:
                continue  # owned by another customer: an agent decides whether to merge

    # --- reading -----------------------------------------------------------------------------

    def get(self, customer_id: CustomerId) -> CustomerView:
        customer = self.customers.get_customer(customer_id)
        if customer is None:
            raise CustomerNotFound(f"no customer {customer_id}")
        return CustomerView(customer=customer, identities=self.customers.list_identities(customer_id))

    def set_vip(self, customer_id: CustomerId, vip: bool, *, actor: str) -> CustomerView:
        """VIP customers' cases start at a higher priority (TUGI_PRIORITY_RULES); a merged one is followed."""
        live = live_customer(self.customers, customer_id)
        if live.vip != vip:
            event = CaseEvent.create(
                case_id=None,
                customer_id=live.customer_id,
                kind=EventKind.VIP_CHANGED,
                actor=actor,
                at=utc_now(),
                data={"vip": vip},
            )
            try:
                self.customers.set_vip(live.customer_id, vip, event)
            except StaleVersion as exc:
                raise MergeConflict("the customer was merged meanwhile; try again") from exc
        return self.get(live.customer_id)

    def find(self, identities: list[Identity]) -> CustomerView:
        """The customer of the first identity someone has (email before phone)."""
        for identity in identities:
            record = self.customers.get_identity(identity)
            if record is not None:
                live = live_customer(self.customers, record.customer_id)
                return CustomerView(customer=live, identities=self.customers.list_identities(live.customer_id))
        raise CustomerNotFound("no customer has this identity")

    def timeline(self, customer_id: CustomerId, *, limit: int, cursor: str | None) -> Page[TimelineEntry]:
        customer = self.customers.get_customer(customer_id)
        if customer is None:
            raise CustomerNotFound(f"no customer {customer_id}")
        if customer.merged_into:
            raise Conflict(
                f"the customer was merged into {customer.merged_into}; read that timeline",
                code="customer_merged",
                details=[{"field": "customer_id", "code": "merged_into", "message": customer.merged_into}],
            )
        try:
            return self.cases.timeline(customer_id, limit, cursor)
        except InvalidCursor as exc:
            raise InvalidInput("the cursor is not one this list gave out", code="invalid_cursor") from exc

    # --- merging -----------------------------------------------------------------------------

    def merge(self, *, target_id: CustomerId, source_id: CustomerId, actor: str) -> MergeRecord:
        """Merge source into target: one timeline, the cases move. Idempotent; finishes an interrupted merge."""
        if target_id == source_id:
            raise InvalidInput("a customer cannot be merged into itself", code="merge_into_self")
        existing = self.customers.get_merge(source_id)
        if existing and existing.state in {MergeState.MERGING, MergeState.MERGED}:
            if existing.target_customer_id != target_id:
                raise MergeConflict(f"{source_id} is already merged into {existing.target_customer_id}")
            if existing.state == MergeState.MERGED:
                return existing
            return self._move_to_target(existing)
        for customer_id in (target_id, source_id):
            customer = self.customers.get_customer(customer_id)
            if customer is None:
                raise CustomerNotFound(f"no customer {customer_id}")
            if customer.is_merged:
                raise MergeConflict(f"{customer_id} is merged into {customer.merged_into}; use that customer")
        record = MergeRecord(
            merge_id=new_merge_id(),
            source_customer_id=source_id,
            target_customer_id=target_id,
            state=MergeState.MERGING,
            actor=actor,
            merged_at=utc_now(),
        )
        try:
            self.customers.begin_merge(record)
        except StaleVersion as exc:
            raise MergeConflict("one of the customers changed meanwhile; try again") from exc
        return self._move_to_target(record)

    def _move_to_target(self, record: MergeRecord) -> MergeRecord:
        target, source, now = record.target_customer_id, record.source_customer_id, utc_now()
        identities = self.customers.list_identities(source)
        for identity in identities:
            self.customers.move_identity(identity, target)
        cases = self.cases.customer_cases(source)
        data = {"merge_id": record.merge_id, "source_customer_id": source, "target_customer_id": target}
        for case in cases:
            self.cases.move_case(
                case.case_id,
                target,
                _event(EventKind.CUSTOMER_MERGED, case.case_id, target, actor=record.actor, at=now, data=data),
            )
        self.customers.put_customer_event(
            _event(EventKind.CUSTOMER_MERGED, None, target, actor=record.actor, at=now, data=data)
        )
        done = record.model_copy(
            update={
                "state": MergeState.MERGED,
                "moved_cases": record.moved_cases + len(cases),
                "moved_identities": record.moved_identities + len(identities),
            }
        )
        self.customers.finish_merge(done)
        return done

    def unmerge(self, *, source_id: CustomerId, actor: str) -> MergeRecord:
        """Undo the merge of source: its identities and cases (and those that came since) go back."""
        record = self.customers.get_merge(source_id)
        if record is None:
            if self.customers.get_customer(source_id) is None:
                raise CustomerNotFound(f"no customer {source_id}")
            raise MergeConflict(f"{source_id} was never merged", code="not_merged")
        if record.state == MergeState.UNMERGED:
            return record
        if record.state == MergeState.MERGING:
            record = self._move_to_target(record)
        target = self.customers.get_customer(record.target_customer_id)
        if target is not None and target.is_merged:
            raise MergeConflict(f"undo the merge of {target.customer_id} into {target.merged_into} first")
        record = record.model_copy(update={"state": MergeState.UNMERGING, "actor": actor})
        self.customers.begin_unmerge(record)
        origins = self._absorbed_by(source_id)
        now = utc_now()
        data = {
            "merge_id": record.merge_id,
            "source_customer_id": source_id,
            "target_customer_id": record.target_customer_id,
        }
        for identity in self.customers.list_identities(record.target_customer_id):
            if identity.origin_customer_id in origins:
                self.customers.move_identity(identity, source_id)
        for case in self.cases.customer_cases(record.target_customer_id):
            if case.origin_customer_id in origins:
                self.cases.move_case(
                    case.case_id,
                    source_id,
                    _event(EventKind.CUSTOMER_UNMERGED, case.case_id, source_id, actor=actor, at=now, data=data),
                )
        for customer_id in (record.target_customer_id, source_id):
            self.customers.put_customer_event(
                _event(EventKind.CUSTOMER_UNMERGED, None, customer_id, actor=actor, at=now, data=data)
            )
        done = record.model_copy(update={"state": MergeState.UNMERGED, "unmerged_at": now})
        self.customers.finish_unmerge(done)
        return done

    def _absorbed_by(self, customer_id: CustomerId) -> set[CustomerId]:
        """The customer and every customer merged into it, transitively (their items travel together)."""
        found, todo = {customer_id}, [customer_id]
        while todo:
            for merge in self.customers.merged_into(todo.pop()):
                if merge.state == MergeState.MERGED and merge.source_customer_id not in found:
                    found.add(merge.source_customer_id)
                    todo.append(merge.source_customer_id)
        return found


def _event(
    kind: EventKind, case_id: CaseId | None, customer_id: CustomerId, *, actor: str, at: datetime, data: dict[str, str]
) -> CaseEvent:
    return CaseEvent.create(case_id=case_id, customer_id=customer_id, kind=kind, actor=actor, at=at, data=data)
