"""How the nearest documents of a search become ranked articles with a confidence, for every search backend.

A backend finds the documents nearest to a question (an article's own text and each of its learned
phrasings are documents of their own) and hands them here, best first, as (article key, score). Each
neighbour votes for its article, the closer the more: a softmax over scores relative to the best. An
article's score is its share of the votes scaled by the best match's score, so the gap between two hits'
scores says how sure the first one is; `confidence` maps that lead to 0..1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

# What a match in each part of an article weighs, alike on every backend: the title most, then a learned
# phrasing, the short answer, the body. Fuzzy matches (typos) and character trigrams weigh less.
FIELD_WEIGHTS = {"title": 3.0, "phrasing": 2.0, "short_answer": 1.5, "body": 1.0}
FUZZY_WEIGHT = 0.5
GRAM_WEIGHT = 0.5
GRAM_SHORTEST = 3  # query words under three letters get no trigrams: "ot" would find every "not"
NEIGHBOURS = 30  # nearest documents (phrasings and articles) that vote
TEMPERATURE = 0.2  # a neighbour's vote is exp((score / best - 1) / temperature)
# A hit's lead over the next (vote share gap times the best match's strength) of this many score points is
# a confidence of 0.5. On Banking77 the lead ranks right answers above wrong ones best (tests/bench).
CONFIDENCE_HALF = 20.0


class RankedArticle(NamedTuple):
    key: str
    score: float
    confidence: float  # 0..1: how far this article leads the next one


def neighbours_wanted(limit: int) -> int:
    """How many nearest documents a backend should fetch for `limit` articles."""
    return max(NEIGHBOURS, limit * 10)


def rank_articles(neighbours: Sequence[tuple[str, float]], limit: int) -> list[RankedArticle]:
    """The best `limit` articles of the nearest documents (best first), one entry per article key.

    Scores must be positive, as relevance scores are; a neighbour scoring nothing casts no vote.
    """
    voters = [(key, score) for key, score in neighbours if score > 0]
    if not voters or limit <= 0:
        return []
    top = max(score for _, score in voters)
    votes: dict[str, float] = defaultdict(float)
    for key, score in voters:
        votes[key] += math.exp((score / top - 1) / TEMPERATURE)
    total = sum(votes.values())
    shares = sorted(((vote / total, key) for key, vote in votes.items()), reverse=True)
    ranked = []
    for rank, (share, key) in enumerate(shares[:limit]):
        score = top * share
        lead = score - top * (shares[rank + 1][0] if rank + 1 < len(shares) else 0.0)
        ranked.append(RankedArticle(key, score, lead / (lead + CONFIDENCE_HALF)))
    return ranked
