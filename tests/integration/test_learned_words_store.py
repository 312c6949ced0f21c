"""The table's count of who used each learned word (DynamoLearnedWords on moto): distinct customers, capped at k,
no customer mark kept once a word is vetted, and any number of words read at once."""

from __future__ import annotations

from typing import Any

from infra.local.platform import EmbeddedPlatform
from shared.adapters.dynamo import keys
from shared.bootstrap import container
from shared.domain.ids import CustomerId
from shared.domain.learned_words import MIN_CUSTOMERS


def record(term: str) -> dict[str, Any] | None:
    return container().table.get(keys.learned_word_pk("en", term), keys.LEARNED_WORD, consistent=True)


def test_a_word_is_vetted_once_k_distinct_customers_used_it_and_then_keeps_no_mark(platform: EmbeddedPlatform) -> None:
    words = container().learned_words
    for _ in range(3):  # one customer, three cases: one customer
        words.count("en", "card_lost", {"plastic"}, CustomerId("cus_first"))
    assert words.vetted("en", {"plastic"}) == set()

    for n in range(1, MIN_CUSTOMERS):
        words.count("en", f"article_{n}", {"plastic"}, CustomerId(f"cus_{n}"))

    assert words.vetted("en", {"plastic", "unknown"}) == {"plastic"}
    vetted = record("plastic")
    assert vetted is not None
    assert "customers" not in vetted
    assert vetted["articles"] == {"card_lost", *(f"article_{n}" for n in range(1, MIN_CUSTOMERS))}
    words.count("en", "later", {"plastic"}, CustomerId("cus_later"))
    assert record("plastic") == vetted  # a vetted word is not written again


def test_a_word_one_customer_used_keeps_a_mark_not_their_id(platform: EmbeddedPlatform) -> None:
    container().learned_words.count("en", "card_lost", {"vaarikas77"}, CustomerId("cus_01KXYZ"))

    counted = record("vaarikas77")

    assert counted is not None
    assert len(counted["customers"]) == 1
    assert "cus_01KXYZ" not in str(counted)


def test_more_words_than_one_batch_read_are_all_read(platform: EmbeddedPlatform) -> None:
    words = container().learned_words
    many = {f"word{n}" for n in range(130)}
    for n in range(MIN_CUSTOMERS):
        words.count("en", "card_lost", many, CustomerId(f"cus_{n}"))

    assert words.vetted("en", many | {"other"}) == many
