"""Key shapes of the single table (docs/data-model.md). Only the DynamoDB adapters know them."""

from __future__ import annotations

from datetime import datetime

from shared.domain.clock import iso

GSI1 = "gsi1"
GSI2 = "gsi2"


def customer_pk(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


PROFILE = "PROFILE"
MERGE = "MERGE"
# Sort keys of the items that are alone in their partition.
IDENTITY = "IDENTITY"
CHANNEL_ID = "CHANNELID"
REF = "REF"
INTAKE = "INTAKE"


def identity_pk(identity_key: str) -> str:
    return f"IDENTITY#{identity_key}"


def case_pk(case_id: str) -> str:
    return f"CASE#{case_id}"


CASE = "CASE"


def reference_pk(reference: str) -> str:
    return f"REF#{reference}"


def channel_id_pk(channel: str, external_id: str) -> str:
    return f"CHANNELID#{channel}#{external_id}"


def message_sk(at: datetime, message_id: str) -> str:
    return f"MSG#{iso(at)}#{message_id}"


def event_sk(at: datetime, event_id: str) -> str:
    return f"EVT#{iso(at)}#{event_id}"


def timeline_pk(customer_id: str) -> str:
    return f"TIMELINE#{customer_id}"


def timeline_message_sk(at: datetime, message_id: str) -> str:
    return f"{iso(at)}#MSG#{message_id}"


def timeline_event_sk(at: datetime, event_id: str) -> str:
    return f"{iso(at)}#EVT#{event_id}"


def customer_case_sk(created_at: datetime, case_id: str) -> str:
    return f"CASE#{iso(created_at)}#{case_id}"


def queue_pk(queue: str) -> str:
    return f"QUEUE#{queue}"


def queue_sk(status: str, created_at: datetime, case_id: str) -> str:
    return f"{status}#{iso(created_at)}#{case_id}"


def intake_pk(object_key: str) -> str:
    return f"INTAKE#{object_key}"


AGENTS = "AGENTS"


def agent_sk(agent_id: str) -> str:
    return f"AGENT#{agent_id}"


ANSWER = "ANSWER"


def answer_pk(answer_id: str) -> str:
    return f"ANSWER#{answer_id}"
