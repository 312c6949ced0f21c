"""DynamoCustomerStore: customers, identities, customer events and merges."""

from __future__ import annotations

from typing import Any

from shared.adapters.dynamo import keys
from shared.adapters.dynamo.table import (
    DynamoTable,
    Item,
    TransactionConflict,
    condition_op,
    put_op,
    update_op,
)
from shared.domain.customer import Customer
from shared.domain.events import CaseEvent
from shared.domain.identity import Identity, IdentityRecord
from shared.domain.ids import CustomerId
from shared.domain.merge import MergeRecord, MergeState
from shared.ports import IdentityTaken, StaleVersion


def customer_item(customer: Customer) -> Item:
    return {"PK": keys.customer_pk(customer.customer_id), "SK": keys.PROFILE, "type": "customer"} | customer.model_dump(
        mode="json"
    )


def identity_item(identity: Identity, owner: CustomerId, origin: CustomerId) -> Item:
    return {
        "PK": keys.identity_pk(identity.key),
        "SK": keys.IDENTITY,
        "type": "identity",
        "GSI1PK": keys.customer_pk(owner),
        "GSI1SK": f"IDENTITY#{identity.key}",
        "kind": identity.kind.value,
        "value": identity.value,
        "customer_id": owner,
        "origin_customer_id": origin,
    }


def identity_record(item: Item) -> IdentityRecord:
    return IdentityRecord(
        identity=Identity(kind=item["kind"], value=item["value"]),
        customer_id=item["customer_id"],
        origin_customer_id=item["origin_customer_id"],
    )


def event_item(event: CaseEvent) -> Item:
    """A case event lives in its case's partition; a customer event in the customer's."""
    pk = keys.case_pk(event.case_id) if event.case_id else keys.customer_pk(event.customer_id)
    return {
        "PK": pk,
        "SK": keys.event_sk(event.at, event.event_id),
        "type": "event",
        "GSI1PK": keys.timeline_pk(event.customer_id),
        "GSI1SK": keys.timeline_event_sk(event.at, event.event_id),
    } | event.model_dump(mode="json")


def merge_item(record: MergeRecord) -> Item:
    return {
        "PK": keys.customer_pk(record.source_customer_id),
        "SK": keys.MERGE,
        "type": "merge",
        "GSI1PK": keys.customer_pk(record.target_customer_id),
        "GSI1SK": f"MERGED#{record.source_customer_id}",
    } | record.model_dump(mode="json")


class DynamoCustomerStore:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def get_customer(self, customer_id: CustomerId) -> Customer | None:
        item = self.table.get(keys.customer_pk(customer_id), keys.PROFILE)
        return Customer.model_validate(item) if item else None

    def get_identity(self, identity: Identity) -> IdentityRecord | None:
        # Consistent: the loser of a claim race must see the winner's identity at once.
        item = self.table.get(keys.identity_pk(identity.key), keys.IDENTITY, consistent=True)
        return identity_record(item) if item else None

    def create_customer(self, customer: Customer, identities: list[Identity]) -> None:
        operations: list[dict[str, Any]] = [put_op(customer_item(customer), condition="attribute_not_exists(PK)")]
        operations += [
            put_op(identity_item(i, customer.customer_id, customer.customer_id), condition="attribute_not_exists(PK)")
            for i in identities
        ]
        try:
            self.table.transact(operations)
        except TransactionConflict as conflict:
            for index in conflict.failed:
                if index == 0:
                    continue
                taken = self.get_identity(identities[index - 1])
                if taken:
                    raise IdentityTaken(taken) from conflict
            raise

    def claim_identity(self, identity: Identity, customer_id: CustomerId) -> None:
        try:
            self.table.transact(
                [put_op(identity_item(identity, customer_id, customer_id), condition="attribute_not_exists(PK)")]
            )
        except TransactionConflict as conflict:
            taken = self.get_identity(identity)
            if taken:
                raise IdentityTaken(taken) from conflict
            raise

    def list_identities(self, customer_id: CustomerId) -> list[IdentityRecord]:
        items = self.table.query_all(
            "GSI1PK = :pk AND begins_with(GSI1SK, :prefix)",
            {":pk": keys.customer_pk(customer_id), ":prefix": "IDENTITY#"},
            index=keys.GSI1,
        )
        return [identity_record(i) for i in items]

    def put_customer_event(self, event: CaseEvent) -> None:
        self.table.put(event_item(event))

    def set_vip(self, customer_id: CustomerId, vip: bool, event: CaseEvent) -> None:
        try:
            self.table.transact(
                [
                    update_op(
                        keys.customer_pk(customer_id),
                        keys.PROFILE,
                        "SET vip = :vip, version = version + :one",
                        {":vip": vip, ":one": 1},
                        condition="attribute_exists(PK) AND attribute_not_exists(merged_into)",
                    ),
                    put_op(event_item(event)),
                ]
            )
        except TransactionConflict as exc:
            raise StaleVersion(customer_id) from exc

    def get_merge(self, source: CustomerId) -> MergeRecord | None:
        item = self.table.get(keys.customer_pk(source), keys.MERGE, consistent=True)
        return MergeRecord.model_validate(item) if item else None

    def begin_merge(self, record: MergeRecord) -> None:
        """The merge item and `merged_into` on the source, only if both customers are still live."""
        live = "attribute_exists(PK) AND attribute_not_exists(merged_into)"
        try:
            self.table.transact(
                [
                    put_op(
                        merge_item(record),
                        condition="attribute_not_exists(PK) OR #state = :unmerged",
                        values={":unmerged": MergeState.UNMERGED.value},
                        names={"#state": "state"},
                    ),
                    update_op(
                        keys.customer_pk(record.source_customer_id),
                        keys.PROFILE,
                        "SET merged_into = :target, version = version + :one",
                        {":target": record.target_customer_id, ":one": 1},
                        condition=live,
                    ),
                    condition_op(keys.customer_pk(record.target_customer_id), keys.PROFILE, live),
                ]
            )
        except TransactionConflict as conflict:
            raise StaleVersion(str(conflict.failed)) from conflict

    def finish_merge(self, record: MergeRecord) -> None:
        self.table.put(merge_item(record))

    def begin_unmerge(self, record: MergeRecord) -> None:
        """The source is live again at once, so contacts arriving meanwhile open cases on it."""
        self.table.transact(
            [
                put_op(merge_item(record)),
                update_op(
                    keys.customer_pk(record.source_customer_id),
                    keys.PROFILE,
                    "REMOVE merged_into SET version = version + :one",
                    {":one": 1},
                ),
            ]
        )

    finish_unmerge = finish_merge  # both record the merge's final state; begin_unmerge did the rest

    def merged_into(self, target: CustomerId) -> list[MergeRecord]:
        items = self.table.query_all(
            "GSI1PK = :pk AND begins_with(GSI1SK, :prefix)",
            {":pk": keys.customer_pk(target), ":prefix": "MERGED#"},
            index=keys.GSI1,
        )
        return [MergeRecord.model_validate(i) for i in items]

    def move_identity(self, record: IdentityRecord, to_customer: CustomerId) -> None:
        self.table.update(
            keys.identity_pk(record.identity.key),
            keys.IDENTITY,
            "SET customer_id = :to, GSI1PK = :gsi",
            {":to": to_customer, ":gsi": keys.customer_pk(to_customer)},
        )
