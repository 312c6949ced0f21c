"""Learned phrasings: search sees only the words at least k distinct customers taught an article."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.learned_words import MIN_CUSTOMERS, Taught, vetted_texts

PRIVATE = "I am Kristjan Saarepuu, born 12.03.1985, home Pikk 12-7 Tallinn, password hint Vaarikas77, lost my card"


def test_a_word_only_one_customer_used_is_left_out_and_the_crowds_words_stay() -> None:
    taught = [Taught(PRIVATE, "alice"), Taught("I lost my card", "bob"), Taught("lost card, help", "carol")]

    mine, *_ = vetted_texts(taught, "en")

    assert mine == "lost card"


def test_a_word_counts_once_k_distinct_customers_used_it_in_any_form() -> None:
    forms = ["my cards are gone", "card gone", "the card is gone"][:MIN_CUSTOMERS]
    taught = [Taught(text, f"customer{n}") for n, text in enumerate(forms)]

    assert [set(text.split()) >= {"gone"} for text in vetted_texts(taught, "en")] == [True] * MIN_CUSTOMERS
    assert "cards" in vetted_texts(taught, "en")[0]  # "cards" and "card" are one stem: three customers


def test_one_customer_teaching_many_times_is_still_one_customer() -> None:
    taught = [Taught("Vaarikas77 card", "alice")] * 5 + [Taught("card", "bob"), Taught("card", "carol")]

    assert set(vetted_texts(taught, "en")) == {"card"}


def test_k_minus_one_customers_are_not_enough() -> None:
    taught = [Taught("plastic letterbox", f"customer{n}") for n in range(MIN_CUSTOMERS - 1)]

    assert vetted_texts(taught, "en") == [""] * (MIN_CUSTOMERS - 1)


def test_an_editors_phrasing_counts_whole_but_vets_no_customers_word() -> None:
    taught = [Taught("Saarepuu card", None), Taught("Saarepuu card", "alice")]

    assert vetted_texts(taught, "en", k=1) == ["saarepuu card", "saarepuu card"]
    assert vetted_texts(taught, "en", k=2) == ["saarepuu card", ""]


def test_what_personal_data_removal_left_is_no_word() -> None:
    taught = [Taught("call me on [phone], I am [name]", f"customer{n}") for n in range(MIN_CUSTOMERS)]

    assert set(vetted_texts(taught, "en")) == {"call me on i am"}


def test_a_word_joined_by_an_apostrophe_needs_its_crowd_whole() -> None:
    """One backend keeps "o'saar" one word: its parts being common is not enough."""
    taught = [Taught("o'saar", "alice"), Taught("o saar", "bob"), Taught("o saar", "carol")]

    assert vetted_texts(taught, "en")[0] == ""


@given(st.lists(st.tuples(st.text(max_size=40), st.integers(0, 4)), max_size=12))
def test_every_word_search_sees_was_used_by_k_customers(rows: list[tuple[str, int]]) -> None:
    taught = [Taught(text, f"customer{who}") for text, who in rows]

    for word in {w for text in vetted_texts(taught, "et") for w in text.split()}:
        users = {t.teacher for t, v in zip(taught, vetted_texts(taught, "et"), strict=True) if word in v.split()}
        assert len(users) >= MIN_CUSTOMERS
