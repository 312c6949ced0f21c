"""DynamoArticleStore: knowledge-base articles, their versions and learned phrasings (docs/data-model.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.adapters.dynamo import keys
from shared.adapters.dynamo.table import (
    ConditionFailed,
    DynamoTable,
    Item,
    TransactionConflict,
    decode_cursor,
    encode_cursor,
    put_op,
    update_op,
)
from shared.domain.articles import Article, ArticleStatus, ArticleVersion, LearnedPhrasing
from shared.domain.paging import Page
from shared.ports import StaleVersion

# Counters the feedback route adds to; saving an article must never overwrite them.
_COUNTERS = frozenset({"helpful", "not_helpful"})


def _head_keys(article: Article) -> Item:
    return {
        "PK": keys.article_pk(article.article_id),
        "SK": keys.article_head_sk(article.locale),
        "GSI1PK": keys.articles_pk(article.locale),
        "GSI1SK": keys.articles_sk(
            article.status.value, article.review_by.isoformat() if article.review_by else None, article.article_id
        ),
        "type": "article",
    }


class DynamoArticleStore:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def get_article(self, article_id: str, locale: str, *, consistent: bool = False) -> Article | None:
        item = self.table.get(keys.article_pk(article_id), keys.article_head_sk(locale), consistent=consistent)
        return Article.model_validate(item) if item else None

    def create_article(self, article: Article, version: ArticleVersion) -> None:
        """The translation and its first version, all or nothing; StaleVersion when it exists already."""
        try:
            self.table.transact(
                [
                    put_op(_head_keys(article) | article.model_dump(mode="json"), condition="attribute_not_exists(PK)"),
                    put_op(_version_item(version), condition="attribute_not_exists(PK)"),
                ]
            )
        except TransactionConflict as exc:
            raise StaleVersion(article.article_id) from exc

    def save_article(self, article: Article, expected_revision: int, version: ArticleVersion | None = None) -> None:
        """Write the head if it is still at `expected_revision` (with the new version, if any), or StaleVersion."""
        fields: dict[str, Any] = {
            k: v for k, v in (_head_keys(article) | article.model_dump(mode="json")).items() if k not in _COUNTERS
        }
        fields.pop("PK")
        fields.pop("SK")
        names = {f"#{i}": name for i, name in enumerate(fields)}
        values: dict[str, Any] = {f":{i}": v for i, v in enumerate(fields.values()) if v is not None}
        expression = "SET " + ", ".join(f"#{i} = :{i}" for i, v in enumerate(fields.values()) if v is not None)
        if unset := [f"#{i}" for i, v in enumerate(fields.values()) if v is None]:
            expression += " REMOVE " + ", ".join(unset)  # DynamoDB stores no nulls here: absent means None
        values[":expected"] = expected_revision
        names["#rev"] = "revision"
        operations = [
            update_op(
                keys.article_pk(article.article_id),
                keys.article_head_sk(article.locale),
                expression,
                values,
                condition="#rev = :expected",
                names=names,
            )
        ]
        if version is not None:
            operations.append(put_op(_version_item(version), condition="attribute_not_exists(PK)"))
        try:
            self.table.transact(operations)
        except TransactionConflict as exc:
            raise StaleVersion(article.article_id) from exc

    def get_version(self, article_id: str, locale: str, version: int) -> ArticleVersion | None:
        item = self.table.get(keys.article_pk(article_id), keys.article_version_sk(locale, version))
        return ArticleVersion.model_validate(item) if item else None

    def list_versions(self, article_id: str, locale: str, limit: int, cursor: str | None) -> Page[ArticleVersion]:
        items, next_cursor = self._newest_first(article_id, f"{locale}#VERSION#", limit, cursor)
        return Page(items=[ArticleVersion.model_validate(i) for i in items], next_cursor=next_cursor)

    def list_articles(
        self, locale: str, status: ArticleStatus | None, limit: int, cursor: str | None, *, stale_on: date | None = None
    ) -> Page[Article]:
        """A locale's articles by status and review date; `stale_on`: published ones due for review before it."""
        pk = keys.articles_pk(locale)
        prefix = f"{status.value}#" if status else ""
        if stale_on is not None:
            prefix = f"{ArticleStatus.PUBLISHED.value}#"
            condition = "GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to"
            values = {":pk": pk, ":from": prefix, ":to": f"{prefix}{stale_on.isoformat()}"}
        elif prefix:
            condition = "GSI1PK = :pk AND begins_with(GSI1SK, :prefix)"
            values = {":pk": pk, ":prefix": prefix}
        else:  # DynamoDB refuses begins_with on an empty prefix
            condition, values = "GSI1PK = :pk", {":pk": pk}
        start = decode_cursor(cursor, expect={"GSI1PK": pk}, index_sort_key="GSI1SK", sort_prefix=prefix)
        items, last = self.table.query(condition, values, index=keys.GSI1, limit=limit, start_key=start)
        return Page(items=[Article.model_validate(i) for i in items], next_cursor=encode_cursor(last))

    def head_and_phrasings(self, article_id: str, locale: str) -> tuple[Article | None, list[LearnedPhrasing]]:
        """What the search index needs of a translation, in one Query (head and phrasings sort together)."""
        items = self.table.query_all(
            "PK = :pk AND SK BETWEEN :head AND :last",
            {
                ":pk": keys.article_pk(article_id),
                ":head": keys.article_head_sk(locale),
                ":last": keys.article_phrasing_sk(locale, "\uffff"),
            },
        )
        head = next((Article.model_validate(i) for i in items if i.get("type") == "article"), None)
        return head, [LearnedPhrasing.model_validate(i) for i in items if i.get("type") == "phrasing"]

    def list_phrasings(self, article_id: str, locale: str, limit: int, cursor: str | None) -> Page[LearnedPhrasing]:
        items, next_cursor = self._newest_first(article_id, f"{locale}#PHRASING#", limit, cursor)
        return Page(items=[LearnedPhrasing.model_validate(i) for i in items], next_cursor=next_cursor)

    def _newest_first(
        self, article_id: str, prefix: str, limit: int, cursor: str | None
    ) -> tuple[list[Item], str | None]:
        pk = keys.article_pk(article_id)
        items, last = self.table.query(
            "PK = :pk AND begins_with(SK, :prefix)",
            {":pk": pk, ":prefix": prefix},
            forward=False,
            limit=limit,
            start_key=decode_cursor(cursor, expect={"PK": pk}, index_sort_key="SK", sort_prefix=prefix),
        )
        return items, encode_cursor(last)

    def add_phrasing(self, phrasing: LearnedPhrasing) -> bool:
        """Store the phrasing once per id; False when it was stored before (a replay)."""
        item = {
            "PK": keys.article_pk(phrasing.article_id),
            "SK": keys.article_phrasing_sk(phrasing.locale, phrasing.phrasing_id),
            "type": "phrasing",
        } | phrasing.model_dump(mode="json")
        try:
            self.table.put(item, condition="attribute_not_exists(PK)")
        except ConditionFailed:
            return False
        return True

    def remove_phrasing(self, article_id: str, locale: str, phrasing_id: str) -> bool:
        old = self.table.delete(keys.article_pk(article_id), keys.article_phrasing_sk(locale, phrasing_id))
        return old is not None

    def count_feedback(self, article_id: str, locale: str, *, helpful: bool) -> None:
        """One more helpful (or not helpful) vote; StaleVersion when the translation does not exist."""
        try:
            self.table.update(
                keys.article_pk(article_id),
                keys.article_head_sk(locale),
                f"ADD {'helpful' if helpful else 'not_helpful'} :one",
                {":one": 1},
                condition="attribute_exists(PK)",
            )
        except ConditionFailed as exc:
            raise StaleVersion(article_id) from exc


def _version_item(version: ArticleVersion) -> Item:
    return {
        "PK": keys.article_pk(version.article_id),
        "SK": keys.article_version_sk(version.locale, version.version),
        "type": "article_version",
    } | version.model_dump(mode="json")
