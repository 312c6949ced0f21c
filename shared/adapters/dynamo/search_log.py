"""DynamoSearchLog: one item per search, found by id (opened, feedback), by day and by visitor."""

from __future__ import annotations

from datetime import timedelta

from shared.adapters.dynamo import keys
from shared.adapters.dynamo.table import ConditionFailed, DynamoTable
from shared.domain.clock import iso
from shared.domain.ids import new_event_id
from shared.domain.search_log import ArticleFeedback, SearchRecord


class DynamoSearchLog:
    def __init__(self, table: DynamoTable, keep_days: int) -> None:
        self.table = table
        self.keep = timedelta(days=keep_days)

    def record_search(self, record: SearchRecord) -> None:
        item = {
            "PK": keys.search_pk(record.search_id),
            "SK": keys.SEARCH,
            "GSI1PK": keys.searches_pk(record.at.date().isoformat()),
            "GSI1SK": f"{iso(record.at)}#{record.search_id}",
            "type": "search",
            "ttl": int((record.at + self.keep).timestamp()),
        } | record.model_dump(mode="json", exclude={"results"})
        item["results"] = [{"article_id": r.article_id, "score": str(round(r.score, 4))} for r in record.results]
        if record.visitor:
            item |= {"GSI2PK": keys.visitor_pk(record.visitor), "GSI2SK": iso(record.at)}
        self.table.put(item)

    def get_search(self, search_id: str) -> SearchRecord | None:
        item = self.table.get(keys.search_pk(search_id), keys.SEARCH)
        return SearchRecord.model_validate(item) if item else None

    def record_opened(self, search_id: str, article_id: str) -> bool:
        """Note that a result was opened; False when the search is unknown (expired, made up)."""
        try:
            self.table.update(
                keys.search_pk(search_id),
                keys.SEARCH,
                "SET opened = list_append(if_not_exists(opened, :empty), :article)",
                {":article": [article_id], ":empty": []},
                condition="attribute_exists(PK)",
            )
        except ConditionFailed:
            return False
        return True

    def record_feedback(self, feedback: ArticleFeedback) -> None:
        """The verdict under its article (owners read the reasons), and on its search when there is one."""
        self.table.put(
            {
                "PK": keys.article_pk(feedback.article_id),
                "SK": keys.article_feedback_sk(feedback.locale, feedback.at, new_event_id()),
                "type": "article_feedback",
                "ttl": int((feedback.at + self.keep).timestamp()),
            }
            | feedback.model_dump(mode="json")
        )
        if feedback.search_id:
            try:
                self.table.update(
                    keys.search_pk(feedback.search_id),
                    keys.SEARCH,
                    "SET feedback = list_append(if_not_exists(feedback, :empty), :verdict)",
                    {
                        ":verdict": [{"article_id": feedback.article_id, "helpful": feedback.helpful}],
                        ":empty": [],
                    },
                    condition="attribute_exists(PK)",
                )
            except ConditionFailed:
                return  # an unknown search: the article still counts the vote
