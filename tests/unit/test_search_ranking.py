"""The kNN vote that turns the nearest documents of a search into ranked articles, shared by every backend."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.search_ranking import CONFIDENCE_HALF, NEIGHBOURS, TEMPERATURE, neighbours_wanted, rank_articles

KEYS = st.sampled_from(["a", "b", "c", "d", "e"])
SCORES = st.floats(min_value=0.01, max_value=1000, allow_nan=False, allow_infinity=False)
NEIGHBOUR_LISTS = st.lists(st.tuples(KEYS, SCORES), min_size=1, max_size=40).map(
    lambda pairs: sorted(pairs, key=lambda pair: -pair[1])
)


def test_one_article_gets_the_whole_score_and_its_lead_over_nothing_as_confidence() -> None:
    ranked = rank_articles([("a", 40.0), ("a", 10.0)], 5)

    assert [(r.key, r.score) for r in ranked] == [("a", 40.0)]
    assert ranked[0].confidence == pytest.approx(40.0 / (40.0 + CONFIDENCE_HALF))


def test_votes_are_a_softmax_over_scores_relative_to_the_best() -> None:
    ranked = rank_articles([("a", 10.0), ("b", 8.0), ("b", 8.0)], 5)

    vote_a, vote_b = 1.0, 2 * math.exp((8.0 / 10.0 - 1) / TEMPERATURE)
    share_a, share_b = vote_a / (vote_a + vote_b), vote_b / (vote_a + vote_b)
    assert [r.key for r in ranked] == ["a", "b"]
    assert ranked[0].score == pytest.approx(10.0 * share_a)
    assert ranked[1].score == pytest.approx(10.0 * share_b)
    lead = 10.0 * (share_a - share_b)
    assert ranked[0].confidence == pytest.approx(lead / (lead + CONFIDENCE_HALF))


def test_many_close_phrasings_outvote_one_slightly_better_document() -> None:
    neighbours = [("withdrawals", 10.0)] + [("card-retained", 9.5)] * 4

    assert [r.key for r in rank_articles(neighbours, 5)] == ["card-retained", "withdrawals"]


def test_a_far_neighbour_barely_counts() -> None:
    ranked = rank_articles([("a", 10.0), ("b", 1.0), ("b", 1.0), ("b", 1.0)], 5)

    assert [r.key for r in ranked] == ["a", "b"]
    assert ranked[0].score > 9.5
    assert ranked[0].confidence > 0.3


def test_two_equally_close_articles_leave_no_confidence_in_the_first() -> None:
    ranked = rank_articles([("a", 10.0), ("b", 10.0)], 5)

    assert ranked[0].score == pytest.approx(ranked[1].score)
    assert ranked[0].confidence == pytest.approx(0.0)


def test_the_last_hit_within_the_limit_is_measured_against_the_next_beyond_it() -> None:
    neighbours = [("a", 10.0), ("b", 9.0), ("c", 9.0)]

    limited = rank_articles(neighbours, 2)

    assert [r.key for r in limited] == ["a", rank_articles(neighbours, 3)[1].key]
    assert limited[1].confidence == pytest.approx(0.0)


@pytest.mark.parametrize("neighbours", [[], [("a", 0.0)], [("a", -1.0)]])
def test_nothing_that_matched_ranks_nothing(neighbours: list[tuple[str, float]]) -> None:
    assert rank_articles(neighbours, 5) == []


def test_a_limit_of_zero_ranks_nothing() -> None:
    assert rank_articles([("a", 1.0)], 0) == []


def test_backends_fetch_at_least_the_voting_neighbours_and_ten_per_hit_wanted() -> None:
    assert neighbours_wanted(1) == NEIGHBOURS
    assert neighbours_wanted(10) == 100


@given(NEIGHBOUR_LISTS, st.integers(min_value=1, max_value=6))
def test_hits_are_distinct_articles_best_first_within_the_limit(
    neighbours: list[tuple[str, float]], limit: int
) -> None:
    ranked = rank_articles(neighbours, limit)

    keys = [r.key for r in ranked]
    assert len(keys) == len(set(keys)) == min(limit, len({key for key, _ in neighbours}))
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    assert all(0 <= r.confidence < 1 for r in ranked)


@given(NEIGHBOUR_LISTS)
def test_the_articles_scores_share_out_the_best_match(neighbours: list[tuple[str, float]]) -> None:
    ranked = rank_articles(neighbours, len(neighbours))

    assert sum(r.score for r in ranked) == pytest.approx(neighbours[0][1])


@given(NEIGHBOUR_LISTS, st.floats(min_value=0.1, max_value=10))
def test_scaling_every_score_scales_the_articles_scores_and_keeps_their_order(
    neighbours: list[tuple[str, float]], factor: float
) -> None:
    ranked = rank_articles(neighbours, 5)
    scaled = rank_articles([(key, score * factor) for key, score in neighbours], 5)

    assert [r.score * factor for r in ranked] == pytest.approx([r.score for r in scaled])
    gaps = [first.score - second.score for first, second in itertools.pairwise(ranked)]
    if all(gap > 1e-9 * ranked[0].score for gap in gaps):  # near-ties may swap
        assert [r.key for r in ranked] == [r.key for r in scaled]
