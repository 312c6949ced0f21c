"""DynamoAnswerStore: pending auto-answers, keyed by the unguessable id in the customer's link."""

from __future__ import annotations

from shared.adapters.dynamo import keys
from shared.adapters.dynamo.table import ConditionFailed, DynamoTable
from shared.domain.answers import AnswerOutcome, PendingAnswer
from shared.ports import AnswerAlreadySettled

_KEEP_AFTER_EXPIRY_SECONDS = 30 * 24 * 3600


class DynamoAnswerStore:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def put_answer(self, answer: PendingAnswer) -> None:
        ttl = int(answer.expires_at.timestamp()) + _KEEP_AFTER_EXPIRY_SECONDS
        self.table.put(
            {"PK": keys.answer_pk(answer.answer_id), "SK": keys.ANSWER, "type": "answer", "ttl": ttl}
            | answer.model_dump(mode="json")
        )

    def get_answer(self, answer_id: str) -> PendingAnswer | None:
        item = self.table.get(keys.answer_pk(answer_id), keys.ANSWER, consistent=True)
        return PendingAnswer.model_validate(item) if item else None

    def settle(self, answer_id: str, outcome: AnswerOutcome) -> PendingAnswer:
        try:
            self.table.update(
                keys.answer_pk(answer_id),
                keys.ANSWER,
                "SET outcome = :outcome",
                {":outcome": outcome.value, ":null": "NULL"},
                condition="attribute_exists(PK) AND (attribute_not_exists(outcome) OR attribute_type(outcome, :null))",
            )
        except ConditionFailed as exc:
            raise AnswerAlreadySettled(answer_id) from exc
        settled = self.get_answer(answer_id)
        if settled is None:  # deleted between the two calls: only TTL deletes, months later
            raise AnswerAlreadySettled(answer_id)
        return settled

    def mark_expired(self, answer_id: str) -> None:
        self.table.update(
            keys.answer_pk(answer_id),
            keys.ANSWER,
            "SET outcome = :expired",
            {":expired": AnswerOutcome.EXPIRED.value},
            condition="attribute_exists(PK)",
        )
