"""DynamoSearchLog: one item per search, found by id (opened, feedback), by day and by visitor; and
what the reports need of contacts (a visitor's contact, a case resolved without an article), by day."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from shared.adapters.dynamo import keys
from shared.adapters.dynamo.table import ConditionFailed, DynamoTable, Item
from shared.domain.clock import iso
from shared.domain.ids import new_event_id
from shared.domain.search_log import ArticleFeedback, SearchRecord, UnansweredContact, VisitorContact


class DynamoSearchLog:
    def __init__(self, table: DynamoTable, keep_days: int) -> None:
        self.table = table
        self.keep = timedelta(days=keep_days)

    def record_search(self, record: SearchRecord) -> None:
        item = self._dated(keys.searches_pk, record.at, record.search_id, "search") | {
            "PK": keys.search_pk(record.search_id),
            "SK": keys.SEARCH,
        }
        item |= record.model_dump(mode="json", exclude={"results"})
        item["results"] = [
            {"article_id": r.article_id, "score": str(round(r.score, 4)), "confidence": str(round(r.confidence, 4))}
            for r in record.results
        ]
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

    def record_contact(self, contact: VisitorContact) -> None:
        """Keyed by the case; the first record stands (a replayed submission keeps its time)."""
        item = self._dated(keys.visitor_contacts_pk, contact.at, contact.case_id, "visitor_contact") | {
            "PK": keys.contact_pk(contact.case_id),
            "SK": keys.VISITOR_CONTACT,
            "GSI2PK": keys.visitor_pk(contact.visitor),
            "GSI2SK": iso(contact.at),
        }
        item |= contact.model_dump(mode="json")
        try:
            self.table.put(item, condition="attribute_not_exists(PK)")
        except ConditionFailed:
            return

    def record_unanswered(self, contact: UnansweredContact) -> None:
        """Keyed by the case: resolving it again (after a reopen) moves it to the later day."""
        item = self._dated(keys.unanswered_pk, contact.at, contact.case_id, "unanswered_contact") | {
            "PK": keys.contact_pk(contact.case_id),
            "SK": keys.UNANSWERED,
        }
        self.table.put(item | contact.model_dump(mode="json"))

    def forget_unanswered(self, case_id: str) -> None:
        self.table.delete(keys.contact_pk(case_id), keys.UNANSWERED)

    def searches(self, since: datetime, until: datetime) -> Iterator[SearchRecord]:
        """The searches of a period, newest first."""
        for item in self._days(keys.searches_pk, since, until):
            yield SearchRecord.model_validate(item)

    def visitor_contacts(self, since: datetime, until: datetime) -> Iterator[VisitorContact]:
        for item in self._days(keys.visitor_contacts_pk, since, until):
            yield VisitorContact.model_validate(item)

    def unanswered(self, since: datetime, until: datetime) -> Iterator[UnansweredContact]:
        for item in self._days(keys.unanswered_pk, since, until):
            yield UnansweredContact.model_validate(item)

    def _dated(self, partition: Callable[[str], str], at: datetime, item_id: str, kind: str) -> Item:
        """What every record the reports read by day has: its day on GSI1, its type, its expiry."""
        return {
            "GSI1PK": partition(at.date().isoformat()),
            "GSI1SK": f"{iso(at)}#{item_id}",
            "type": kind,
            "ttl": int((at + self.keep).timestamp()),
        }

    def _days(self, partition: Callable[[str], str], since: datetime, until: datetime) -> Iterator[Item]:
        """One day partition of GSI1 after another, newest first, each read page by page."""
        day, first = until.date(), since.date()
        while day >= first:
            values: dict[str, Any] = {":pk": partition(day.isoformat()), ":from": iso(since), ":to": iso(until) + "~"}
            start: Item | None = None
            while True:
                items, start = self.table.query(
                    "GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to",
                    values,
                    index=keys.GSI1,
                    forward=False,
                    start_key=start,
                )
                yield from items
                if not start:
                    break
            day -= timedelta(days=1)
