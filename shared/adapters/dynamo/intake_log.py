"""DynamoIntakeLog: the outcome of each raw inbound object, for operators and the CLI."""

from __future__ import annotations

import time

from shared.adapters.dynamo import keys
from shared.adapters.dynamo.table import ConditionFailed, DynamoTable
from shared.ports import IntakeOutcomeRecord

_KEEP_SECONDS = 90 * 24 * 3600


class DynamoIntakeLog:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def record(self, object_key: str, outcome: IntakeOutcomeRecord) -> None:
        if outcome.outcome == "duplicate" and self._note_replay(object_key, outcome):
            return
        first = outcome.model_copy(update={"last_outcome": outcome.outcome, "last_reason": outcome.reason})
        item = {
            "PK": keys.intake_pk(object_key),
            "SK": keys.INTAKE,
            "type": "intake",
            "ttl": int(time.time()) + _KEEP_SECONDS,
        }
        self.table.put(item | first.model_dump(mode="json"))

    def _note_replay(self, object_key: str, outcome: IntakeOutcomeRecord) -> bool:
        """Keep what the first run did; only the latest outcome changes. False when there was no first run."""
        try:
            self.table.update(
                keys.intake_pk(object_key),
                keys.INTAKE,
                "SET last_outcome = :outcome, last_reason = :reason",
                {":outcome": outcome.outcome, ":reason": outcome.reason or ""},
                condition="attribute_exists(PK)",
            )
        except ConditionFailed:
            return False
        return True

    def get(self, object_key: str) -> IntakeOutcomeRecord | None:
        item = self.table.get(keys.intake_pk(object_key), keys.INTAKE, consistent=True)
        return IntakeOutcomeRecord.model_validate(item) if item else None
