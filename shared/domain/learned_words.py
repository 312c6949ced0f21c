"""Which of the words customers taught an article may make it match: only words enough customers used.

A learned phrasing is one customer's question. Searched as written, a word only that customer used (a name, a
street, a password hint) would make their article match it, and anyone could learn who asked what. So search
sees, of each phrasing, only its vetted words: a word counts for an article once at least `k` distinct customers
taught that article a phrasing with it (the same Snowball stem, so "card" and "cards" count together). The
index is built from these vetted texts alone, so its stems, its words as written (fuzzy matching) and its
character trigrams all come from words `k` customers used; what one customer alone said cannot lift the article
for any query, on any backend. Phrasings an editor taught (no customer) are the editor's words and count whole,
as the article's own text does; they vet no customer's word.

k = 3: the smallest crowd in which no customer's word is theirs alone, nor shared with one other person only
(two customers may be one person with two addresses, or a person and whoever they told); the Banking77 curve
loses no more than 0.01 top-1 at k = 3 (tests/bench/bench_kb_banking77.py, README).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from shared.domain.personal_data import PLACEHOLDERS
from shared.domain.stemming import stemmer

MIN_CUSTOMERS = 3  # k: distinct customers who must have used a word before it makes their article match
# A word as both search backends see it: letters, digits and underscores, apostrophes inside ("can't").
_UNIT = re.compile(r"\w+(?:['\u2019]\w+)*")
_PART = re.compile(r"\w+")


class Taught(NamedTuple):
    """A phrasing's text and who taught it: a key per customer, None for an editor."""

    text: str
    teacher: str | None


def _terms(unit: str, locale: str) -> set[str]:
    """What a word is counted by: the stems of its parts, and the whole word when an apostrophe joins parts
    (one backend splits "o'brien", the other keeps it whole: either way, only counted words reach it)."""
    parts = _PART.findall(unit)
    terms = set(stemmer(locale).stemWords(parts))
    return terms | {unit} if len(parts) > 1 else terms


def _units(text: str) -> list[str]:
    """The words of `text`, lower-cased; what personal-data removal left (`[name]`) is no word of theirs."""
    return [u.casefold() for u in _UNIT.findall(PLACEHOLDERS.sub(" ", text))]


def vetted_texts(phrasings: Sequence[Taught], locale: str, *, k: int = MIN_CUSTOMERS) -> list[str]:
    """Each phrasing's words that may make its article match, in order, one space apart ("" when none).

    `phrasings` are all of one article's in one locale: a word's customers are counted among them.
    """
    units = [_units(p.text) for p in phrasings]
    customers: dict[str, set[str]] = defaultdict(set)
    for phrasing, words in zip(phrasings, units, strict=True):
        if phrasing.teacher is not None:
            for word in words:
                for term in _terms(word, locale):
                    customers[term].add(phrasing.teacher)
    vetted = {term for term, who in customers.items() if len(who) >= k}
    return [
        " ".join(words if p.teacher is None else [w for w in words if _terms(w, locale) <= vetted])
        for p, words in zip(phrasings, units, strict=True)
    ]
