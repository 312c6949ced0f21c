"""DynamoCaseStore: cases, their messages and events, references and channel ids."""

from __future__ import annotations

from typing import Any

from shared.adapters.dynamo import keys
from shared.adapters.dynamo.customers import event_item
from shared.adapters.dynamo.table import (
    DynamoTable,
    Item,
    TransactionConflict,
    condition_op,
    decode_cursor,
    encode_cursor,
    put_op,
    update_op,
)
from shared.domain.case import Case, CaseStatus
from shared.domain.events import CaseEvent
from shared.domain.ids import CaseId, CaseReference, CustomerId
from shared.domain.message import DeliveryStatus, Message
from shared.domain.paging import Page
from shared.domain.timeline import CaseDetail, TimelineEntry
from shared.ports import ChannelRef, CustomerWasMerged, DuplicateChannelId, ReferenceTaken, StaleVersion

_NOT_EXISTS = "attribute_not_exists(PK)"


def case_item(case: Case) -> Item:
    return {
        "PK": keys.case_pk(case.case_id),
        "SK": keys.CASE,
        "type": "case",
        "GSI1PK": keys.customer_pk(case.customer_id),
        "GSI1SK": keys.customer_case_sk(case.created_at, case.case_id),
        "GSI2PK": keys.queue_pk(case.queue),
        "GSI2SK": keys.queue_sk(case.status.value, case.created_at, case.case_id),
    } | case.model_dump(mode="json")


def message_item(message: Message) -> Item:
    return {
        "PK": keys.case_pk(message.case_id),
        "SK": keys.message_sk(message.at, message.message_id),
        "type": "message",
        "GSI1PK": keys.timeline_pk(message.customer_id),
        "GSI1SK": keys.timeline_message_sk(message.at, message.message_id),
    } | message.model_dump(mode="json")


def channel_item(message: Message, external_id: str) -> Item:
    return {
        "PK": keys.channel_id_pk(message.channel.value, external_id),
        "SK": keys.CHANNEL_ID,
        "type": "channel_id",
        "case_id": message.case_id,
        "message_id": message.message_id,
        "message_sort_key": keys.message_sk(message.at, message.message_id),
        "customer_id": message.customer_id,
    }


def _message_key(ref: ChannelRef) -> tuple[str, str]:
    """The key of the message a channel id points to; refs of bounces and auto-replies point to none."""
    if ref.case_id is None or ref.message_sort_key is None:
        raise ValueError("not a stored message")
    return keys.case_pk(ref.case_id), ref.message_sort_key


def _stored_key(message: Message) -> tuple[str, str]:
    return keys.case_pk(message.case_id), keys.message_sk(message.at, message.message_id)


def _delivery_op(key: tuple[str, str], status: DeliveryStatus, detail: str | None) -> dict[str, Any]:
    """Set how delivery of a stored outbound message went."""
    return update_op(
        *key,
        "SET delivery_status = :status, delivery_detail = :detail",
        {":status": status.value, ":detail": detail or ""},
        condition="attribute_exists(PK)",
    )


def _seen_item(channel: str, external_id: str, outcome: str) -> Item:
    return {
        "PK": keys.channel_id_pk(channel, external_id),
        "SK": keys.CHANNEL_ID,
        "type": "channel_id",
        "outcome": outcome,
    }


def _message_ops(message: Message) -> tuple[list[dict[str, Any]], int | None]:
    """Put the message and, if it has one, claim its channel id; returns the claim's index."""
    ops = [put_op(message_item(message))]
    if message.external_id is None:
        return ops, None
    ops.append(put_op(channel_item(message, message.external_id), condition=_NOT_EXISTS))
    return ops, 1


def _from_item(item: Item) -> TimelineEntry:
    if item["type"] == "message":
        message = Message.model_validate(item)
        return TimelineEntry(type="message", at=message.at, message=message)
    event = CaseEvent.model_validate(item)
    return TimelineEntry(type="event", at=event.at, event=event)


class DynamoCaseStore:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def open_case(self, case: Case, message: Message, events: list[CaseEvent]) -> None:
        message_ops, claim = _message_ops(message)
        ops: list[dict[str, Any]] = [
            put_op(case_item(case), condition=_NOT_EXISTS),
            put_op(
                {"PK": keys.reference_pk(case.reference), "SK": keys.REF, "type": "reference", "case_id": case.case_id},
                condition=_NOT_EXISTS,
            ),
            condition_op(
                keys.customer_pk(case.customer_id),
                keys.PROFILE,
                "attribute_exists(PK) AND attribute_not_exists(merged_into)",
            ),
            *message_ops,
            *(put_op(event_item(e)) for e in events),
        ]
        try:
            self.table.transact(ops)
        except TransactionConflict as conflict:
            if claim is not None and 3 + claim in conflict.failed:
                raise DuplicateChannelId(message.external_id) from conflict
            if 2 in conflict.failed:
                raise CustomerWasMerged(case.customer_id) from conflict
            if 1 in conflict.failed:
                raise ReferenceTaken(case.reference) from conflict
            raise

    def add_message(self, case: Case, expected_version: int, message: Message, events: list[CaseEvent]) -> None:
        message_ops, claim = _message_ops(message)
        try:
            self._write_case(case, expected_version, [*message_ops, *(put_op(event_item(e)) for e in events)])
        except TransactionConflict as conflict:
            if claim is not None and 1 + claim in conflict.failed:
                raise DuplicateChannelId(message.external_id) from conflict
            raise StaleVersion(case.case_id) from conflict

    def update_case(self, case: Case, expected_version: int, events: list[CaseEvent]) -> None:
        try:
            self._write_case(case, expected_version, [put_op(event_item(e)) for e in events])
        except TransactionConflict as conflict:
            raise StaleVersion(case.case_id) from conflict

    def _write_case(self, case: Case, expected_version: int, more: list[dict[str, Any]]) -> None:
        """The case (version bumped) on condition that nobody changed it since it was read."""
        case.version = expected_version + 1
        guarded = put_op(case_item(case), condition="version = :expected", values={":expected": expected_version})
        try:
            self.table.transact([guarded, *more])
        except TransactionConflict:
            case.version = expected_version
            raise

    def get_case(self, case_id: CaseId, *, consistent: bool = False) -> Case | None:
        item = self.table.get(keys.case_pk(case_id), keys.CASE, consistent=consistent)
        return Case.model_validate(item) if item else None

    def get_case_detail(self, case_id: CaseId) -> CaseDetail | None:
        items = self.table.query_all("PK = :pk", {":pk": keys.case_pk(case_id)})
        case = next((i for i in items if i["type"] == "case"), None)
        if case is None:
            return None
        return CaseDetail(
            case=Case.model_validate(case),
            messages=[Message.model_validate(i) for i in items if i["type"] == "message"],
            events=[CaseEvent.model_validate(i) for i in items if i["type"] == "event"],
        )

    def list_cases(self, queue: str, status: CaseStatus | None, limit: int, cursor: str | None) -> Page[Case]:
        pk = keys.queue_pk(queue)
        condition, values, prefix = "GSI2PK = :pk", {":pk": pk}, ""
        if status is not None:
            prefix = f"{status.value}#"
            condition += " AND begins_with(GSI2SK, :status)"
            values[":status"] = prefix
        start = decode_cursor(cursor, expect={"GSI2PK": pk}, index_sort_key="GSI2SK", sort_prefix=prefix)
        items, last = self.table.query(condition, values, index=keys.GSI2, limit=limit, start_key=start)
        return Page(items=[Case.model_validate(i) for i in items], next_cursor=encode_cursor(last))

    def customer_cases(self, customer_id: CustomerId) -> list[Case]:
        items = self.table.query_all(
            "GSI1PK = :pk AND begins_with(GSI1SK, :prefix)",
            {":pk": keys.customer_pk(customer_id), ":prefix": "CASE#"},
            index=keys.GSI1,
            forward=False,
        )
        return [Case.model_validate(i) for i in items]

    def timeline(self, customer_id: CustomerId, limit: int, cursor: str | None) -> Page[TimelineEntry]:
        pk = keys.timeline_pk(customer_id)
        items, last = self.table.query(
            "GSI1PK = :pk",
            {":pk": pk},
            index=keys.GSI1,
            forward=False,
            limit=limit,
            start_key=decode_cursor(cursor, expect={"GSI1PK": pk}, index_sort_key="GSI1SK"),
        )
        return Page(items=[_from_item(i) for i in items], next_cursor=encode_cursor(last))

    def find_channel_id(self, channel: str, external_id: str) -> ChannelRef | None:
        item = self.table.get(keys.channel_id_pk(channel, external_id), keys.CHANNEL_ID)
        return ChannelRef.model_validate(item) if item else None

    def find_case_by_reference(self, reference: CaseReference) -> CaseId | None:
        item = self.table.get(keys.reference_pk(reference), keys.REF)
        return CaseId(item["case_id"]) if item else None

    def set_delivery(self, message: Message, status: DeliveryStatus, detail: str | None) -> None:
        self.table.transact([_delivery_op(_stored_key(message), status, detail)])

    def record_sent(self, message: Message, aliases: list[str]) -> None:
        pk, sk = _stored_key(message)
        self.table.transact(
            [
                update_op(
                    pk,
                    sk,
                    "SET delivery_status = :status, alias_ids = :aliases",
                    {":status": DeliveryStatus.SENT.value, ":aliases": aliases},
                    condition="attribute_exists(PK)",
                ),
                *(put_op(channel_item(message, alias)) for alias in aliases),
            ]
        )

    def mark_seen(self, channel: str, external_id: str, outcome: str) -> None:
        try:
            self.table.transact([put_op(_seen_item(channel, external_id, outcome), condition=_NOT_EXISTS)])
        except TransactionConflict as conflict:
            raise DuplicateChannelId(external_id) from conflict

    def record_delivery(
        self,
        ref: ChannelRef,
        status: DeliveryStatus,
        detail: str | None,
        event: CaseEvent | None,
        *,
        report_channel: str,
        report_id: str,
    ) -> None:
        ops = [
            put_op(_seen_item(report_channel, report_id, "bounce"), condition=_NOT_EXISTS),
            _delivery_op(_message_key(ref), status, detail),
            *([put_op(event_item(event))] if event else []),
        ]
        try:
            self.table.transact(ops)
        except TransactionConflict as conflict:
            if 0 in conflict.failed:
                raise DuplicateChannelId(report_id) from conflict
            raise

    def move_case(self, case_id: CaseId, to_customer: CustomerId, event: CaseEvent) -> None:
        for item in self.table.query_all("PK = :pk", {":pk": keys.case_pk(case_id)}):
            index_pk = keys.customer_pk(to_customer) if item["type"] == "case" else keys.timeline_pk(to_customer)
            if item.get("customer_id") == to_customer and item.get("GSI1PK") == index_pk:
                continue  # moved by an earlier, interrupted run
            expression = "SET customer_id = :to, GSI1PK = :gsi"
            values: dict[str, Any] = {":to": to_customer, ":gsi": index_pk}
            if item["type"] == "case":
                # A new version: an agent's change read before the move must not write the old owner back.
                expression, values = expression + ", version = version + :one", values | {":one": 1}
            self.table.update(item["PK"], item["SK"], expression, values)
        self.table.put(event_item(event))
