"""The local platform's outbox: everything Tugi sent (or tried to), on any channel, newest first.

Every channel stores what it sends as an outbound message on its case before handing it to the
provider, with the channel and the delivery status (STYLE.md, "A channel"). So the outbox is a view
of the table, not of one provider's backend: SMS, WhatsApp or chat messages appear the day they are
stored the same way. It reads the table through the moto endpoint with a Scan, which only a local
table small enough to scan can afford; it is no API route and no access pattern of the platform.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from shared.adapters.dynamo import keys
from shared.adapters.dynamo.table import deserialise
from shared.domain.channels import Direction
from shared.domain.message import Message

_LINK = re.compile(r"https?://[^\s<>\"')]+")
_TRAILING = ".,;:!?"


class OutboxEntry(BaseModel):
    channel: str
    to: str
    subject: str
    text: str
    links: list[str]
    status: str
    sent_at: datetime
    case_id: str
    reference: str | None
    message_id: str
    author: str


def links_in(text: str) -> list[str]:
    """The URLs in a text, as a reader would click them (without the sentence's full stop)."""
    return [match.rstrip(_TRAILING) for match in _LINK.findall(text)]


def read_outbox(dynamodb: Any, table_name: str, *, to: str | None = None) -> list[OutboxEntry]:
    """Every outbound message in the table (only those to `to`, compared without case), newest first."""
    messages = [m for m in _outbound(dynamodb, table_name) if to is None or to.casefold() in _folded(m.to)]
    references: dict[str, str | None] = {}
    entries = []
    for message in sorted(messages, key=lambda m: m.at, reverse=True):
        if message.case_id not in references:
            references[message.case_id] = _reference(dynamodb, table_name, message.case_id)
        entries.append(
            OutboxEntry(
                channel=message.channel.value,
                to=", ".join(message.to),
                subject=message.subject,
                text=message.text,
                links=links_in(message.text),
                status=(message.delivery_status.value if message.delivery_status else "queued"),
                sent_at=message.at,
                case_id=message.case_id,
                reference=references[message.case_id],
                message_id=message.message_id,
                author=message.author.kind.value,
            )
        )
    return entries


def _folded(addresses: list[str]) -> set[str]:
    return {a.casefold() for a in addresses}


def _outbound(dynamodb: Any, table_name: str) -> list[Message]:
    paginator = dynamodb.get_paginator("scan")
    pages = paginator.paginate(
        TableName=table_name,
        FilterExpression="#type = :message AND direction = :outbound",
        ExpressionAttributeNames={"#type": "type"},
        ExpressionAttributeValues={":message": {"S": "message"}, ":outbound": {"S": Direction.OUTBOUND.value}},
    )
    return [Message.model_validate(deserialise(item)) for page in pages for item in page["Items"]]


def _reference(dynamodb: Any, table_name: str, case_id: str) -> str | None:
    item = dynamodb.get_item(TableName=table_name, Key={"PK": {"S": keys.case_pk(case_id)}, "SK": {"S": keys.CASE}})
    reference = item.get("Item", {}).get("reference", {}).get("S")
    return str(reference) if reference else None
