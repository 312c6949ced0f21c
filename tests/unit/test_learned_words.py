"""Learned phrasings: search sees only the words at least k distinct customers of the locale used."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.articles import ArticleContent
from shared.domain.learned_words import (
    LONGEST_WORD,
    MIN_CUSTOMERS,
    WordTally,
    customer_mark,
    own_terms,
    searchable,
    terms,
)

PRIVATE = "I am Kristjan Saarepuu, born 12.03.1985, home Pikk 12-7 Tallinn, password hint Vaarikas77, lost my card"


def tally(*taught: tuple[str, str], locale: str = "en", k: int = MIN_CUSTOMERS) -> set[str]:
    """The vetted terms when each (text, customer) was taught, to any article of the locale."""
    counts = WordTally(locale, k)
    for text, customer in taught:
        counts.teach(text, customer)
    return counts.vetted()


def test_a_word_only_one_customer_used_is_left_out_and_the_crowds_words_stay() -> None:
    vetted = tally((PRIVATE, "alice"), ("I lost my card", "bob"), ("lost card, help", "carol"), k=2)

    assert searchable(PRIVATE, "en", vetted) == "i lost my card"


def test_a_word_counts_once_k_distinct_customers_used_it_in_any_form_for_any_article() -> None:
    forms = ["my cards are gone", "card gone", "the card is gone"][:MIN_CUSTOMERS]

    vetted = tally(*[(text, f"customer{n}") for n, text in enumerate(forms)])

    assert [set(searchable(text, "en", vetted).split()) >= {"gone"} for text in forms] == [True] * MIN_CUSTOMERS
    assert "cards" in searchable(forms[0], "en", vetted)  # "cards" and "card" are one stem


def test_one_customer_teaching_many_times_is_still_one_customer() -> None:
    vetted = tally(*[("Vaarikas77 card", "alice")] * 5, ("card", "bob"), ("card", "carol"))

    assert searchable("Vaarikas77 card", "en", vetted) == "card"


def test_k_minus_one_customers_are_not_enough() -> None:
    vetted = tally(*[("plastic letterbox", f"customer{n}") for n in range(MIN_CUSTOMERS - 1)])

    assert searchable("plastic letterbox", "en", vetted) == ""


def test_an_editors_phrasing_counts_whole() -> None:
    assert searchable("Saarepuu card", "en", None) == "saarepuu card"


def test_the_articles_own_words_count_whole() -> None:
    content = ArticleContent(title="Lost card", short_answer="Block it", body="In the **app**.", tags=["cards"])

    assert searchable("Saarepuu lost my card in the app, block it", "en", own_terms(content, "en")) == (
        "lost card in the app block it"
    )


def test_what_personal_data_removal_left_is_no_word() -> None:
    vetted = tally(*[("call me on [phone], I am [name]", f"customer{n}") for n in range(MIN_CUSTOMERS)])

    assert searchable("call me on [phone], I am [name]", "en", vetted) == "call me on i am"


def test_a_word_joined_by_an_apostrophe_needs_its_crowd_whole() -> None:
    """One backend keeps "o'saar" one word: its parts being common is not enough."""
    vetted = tally(("o'saar", "alice"), ("o saar", "bob"), ("o saar", "carol"))

    assert searchable("o'saar", "en", vetted) == ""


def test_a_run_of_letters_longer_than_any_word_is_never_counted() -> None:
    endless = "a" * (LONGEST_WORD + 1)

    assert terms([f"{endless} card"], "en") == {"card"}
    assert searchable(f"{endless} card", "en", tally(*[(f"{endless} card", f"c{n}") for n in range(5)])) == "card"


def test_a_customers_mark_differs_by_word_and_locale() -> None:
    marks = {customer_mark(locale, term, "cus_1") for locale in ("en", "et") for term in ("card", "kaart")}

    assert len(marks) == 4
    assert "cus_1" not in "".join(marks)


@given(st.lists(st.tuples(st.text(max_size=40), st.integers(0, 4)), max_size=12))
def test_every_word_search_sees_was_used_by_k_customers(rows: list[tuple[str, int]]) -> None:
    """Counted by its terms (stems): each term of a word search sees is in what k customers wrote."""
    vetted = tally(*[(text, f"customer{who}") for text, who in rows], locale="et")
    seen = terms([searchable(text, "et", vetted) for text, _ in rows], "et")

    for term in seen:
        assert len({who for text, who in rows if term in terms([text], "et")}) >= MIN_CUSTOMERS
