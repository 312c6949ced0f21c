"""Which of the words customers taught an article may make it match: only words enough customers used.

A learned phrasing is one customer's question. Searched as written, a word only that customer used (a name, a
street, a password hint) would make their article match it, and anyone could learn who asked what. So search
sees, of each phrasing, only its counted words: a word counts once at least `k` distinct customers used it in
a phrasing of the locale, for any article (its Snowball stem: "card" and "cards" count together; the table
keeps the count, docs/data-model.md, pattern 36), or when the article's own text has it (public already). The
index is built from these words alone, so its stems, its words as written (fuzzy matching) and its character
trigrams all come from words `k` customers used or the article says; what one customer alone said cannot lift
the article for any query, on any backend. Phrasings an editor taught (no customer) are the editor's words and
count whole; they vet no customer's word.

k = 2 (README, "Who asked what stays private"): the smallest k that keeps a word of one customer alone out of
search, and the only one that keeps the Banking77 curve within 0.01 top-1 of learning every word (k = 3 costs
0.013 with 10 phrasings an article). The price: a customer who guesses another's word can make it count by
using it in a case of their own; with 3 they would need two customer records.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Set

from shared.domain.articles import ArticleContent
from shared.domain.personal_data import PLACEHOLDERS
from shared.domain.stemming import stemmer

MIN_CUSTOMERS = 2  # k: distinct customers who must have used a word before it makes an article match
# A word as both search backends see it: letters, digits and underscores, apostrophes inside ("can't").
_UNIT = re.compile(r"\w+(?:['\u2019]\w+)*")
_PART = re.compile(r"\w+")
# Longer runs of letters are no word a crowd shares (and a table key holds 2,048 bytes): never counted.
LONGEST_WORD = 64


def _terms(unit: str, locale: str) -> set[str]:
    """What a word is counted by: the stems of its parts, and the whole word when an apostrophe joins parts
    (one backend splits "o'brien", the other keeps it whole: either way, only counted words reach it)."""
    parts = _PART.findall(unit)
    terms = set(stemmer(locale).stemWords(parts))
    return terms | {unit} if len(parts) > 1 else terms


def _units(text: str) -> list[str]:
    """The words of `text`, lower-cased; what personal-data removal left (`[name]`) is no word of theirs."""
    return [u.casefold() for u in _UNIT.findall(PLACEHOLDERS.sub(" ", text))]


def terms(texts: Iterable[str], locale: str) -> set[str]:
    """Every term the words of `texts` are counted by (none for a word longer than LONGEST_WORD)."""
    units = {unit for text in texts for unit in _units(text) if len(unit) <= LONGEST_WORD}
    return {term for unit in units for term in _terms(unit, locale)}


def searchable(text: str, locale: str, counted: Set[str] | None) -> str:
    """The words of `text` search may see, in order, one space apart ("" when none): those whose terms are all
    `counted`; every word when `counted` is None (an editor's phrasing)."""
    units = _units(text)
    return " ".join(units if counted is None else [u for u in units if _terms(u, locale) <= counted])


def own_terms(content: ArticleContent, locale: str) -> set[str]:
    """The terms of an article's own text (title, short answer, body, tags): public already, they count whole."""
    return terms([content.title, content.short_answer, content.body, *content.tags], locale)


def customer_mark(locale: str, term: str, customer_id: str) -> str:
    """How a word's record counts a customer: salted with the word, so no two words' records share a mark."""
    return hashlib.sha256(f"{locale}\n{term}\n{customer_id}".encode()).hexdigest()[:26]


class WordTally:
    """A locale's learned-word counts in memory (the table keeps them in AWS): for benchmarks and tests."""

    def __init__(self, locale: str, k: int = MIN_CUSTOMERS) -> None:
        self.locale = locale
        self.k = k
        self.customers: dict[str, set[str]] = defaultdict(set)

    def teach(self, text: str, customer: str) -> None:
        for term in terms([text], self.locale):
            self.customers[term].add(customer)

    def vetted(self) -> set[str]:
        return {term for term, who in self.customers.items() if len(who) >= self.k}
