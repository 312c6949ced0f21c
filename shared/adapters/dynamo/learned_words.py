"""DynamoLearnedWords: the distinct customers who used each learned word, until k did (docs/data-model.md, 36-37)."""

from __future__ import annotations

from shared.adapters.dynamo import keys
from shared.adapters.dynamo.table import ConditionFailed, DynamoTable
from shared.domain.clock import iso, utc_now
from shared.domain.ids import CustomerId
from shared.domain.learned_words import MIN_CUSTOMERS, customer_mark

_NOT_VETTED = "attribute_not_exists(vetted_at)"


class DynamoLearnedWords:
    def __init__(self, table: DynamoTable, k: int = MIN_CUSTOMERS) -> None:
        self.table = table
        self.k = k

    def count(self, locale: str, article_id: str, terms: set[str], customer_id: CustomerId) -> None:
        """One read for the terms; one update per term not vetted yet (a set: a replay counts no one twice)."""
        for term in sorted(terms - self.vetted(locale, terms, consistent=False)):
            pk = keys.learned_word_pk(locale, term)
            try:
                counted = self.table.update(
                    pk,
                    keys.LEARNED_WORD,
                    "SET #type = :type, #locale = :locale ADD customers :mark, articles :article",
                    {
                        ":type": "learned_word",
                        ":locale": locale,
                        ":mark": {customer_mark(locale, term, customer_id)},
                        ":article": {article_id},
                    },
                    names={"#type": "type", "#locale": "locale"},
                    condition=_NOT_VETTED,
                    returning="UPDATED_NEW",
                )
                if len(counted.get("customers", ())) >= self.k:
                    # Vetted for good: the record keeps no customer mark, and the indexer, seeing this on the
                    # stream, rewrites the articles it is in.
                    at = {":at": iso(utc_now())}
                    self.table.update(
                        pk, keys.LEARNED_WORD, "SET vetted_at = :at REMOVE customers", at, condition=_NOT_VETTED
                    )
            except ConditionFailed:
                continue  # vetted meanwhile

    def vetted(self, locale: str, terms: set[str], *, consistent: bool = True) -> set[str]:
        found = self.table.batch_get(
            [(keys.learned_word_pk(locale, term), keys.LEARNED_WORD) for term in sorted(terms)],
            projection="PK, vetted_at",
            consistent=consistent,
        )
        prefix = len(keys.learned_word_pk(locale, ""))
        return {item["PK"][prefix:] for item in found if "vetted_at" in item}
