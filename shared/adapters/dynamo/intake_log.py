"""DynamoIntakeLog: the outcome of each raw inbound object, for operators and the CLI."""

from __future__ import annotations

import time

from shared.adapters.dynamo import keys
from shared.adapters.dynamo.table import DynamoTable
from shared.ports import IntakeOutcomeRecord

_KEEP_SECONDS = 90 * 24 * 3600


class DynamoIntakeLog:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def record(self, object_key: str, outcome: IntakeOutcomeRecord) -> None:
        self.table.put(
            {
                "PK": keys.intake_pk(object_key),
                "SK": "INTAKE",
                "type": "intake",
                "ttl": int(time.time()) + _KEEP_SECONDS,
            }
            | outcome.model_dump(mode="json")
        )

    def get(self, object_key: str) -> IntakeOutcomeRecord | None:
        item = self.table.get(keys.intake_pk(object_key), "INTAKE", consistent=True)
        return IntakeOutcomeRecord.model_validate(item) if item else None
