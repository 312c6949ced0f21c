"""Triage rules: what makes a contact urgent, what is spam, and how keywords are found in any language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.case import Priority
from shared.domain.channels import Channel
from shared.domain.triage import (
    PriorityRules,
    SpamRules,
    TriageFacts,
    decide_priority,
    find_phrases,
    is_spam,
    raise_priority,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
RANK = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]


def facts(text: str = "Hello, a question about my account.", **changes: object) -> TriageFacts:
    base: dict[str, object] = {
        "text": text,
        "channel": Channel.EMAIL,
        "language": "en",
        "vip": False,
        "reason": None,
        "negativity": 0.0,
        "earlier_reasons": [],
        "now": NOW,
    }
    return TriageFacts.model_validate(base | changes)


# Keyword matching


def test_keywords_match_whole_words_only() -> None:
    assert find_phrases("My card was stolen.", ["stolen"]) == ["stolen"]
    assert find_phrases("stolenx and unstolen", ["stolen"]) == []


def test_keywords_ignore_case_in_estonian_letters() -> None:
    assert find_phrases("ÕUDNE teenindus, PETTUS!", ["õudne", "pettus"]) == ["õudne", "pettus"]
    assert find_phrases("Žürii ja šokolaad", ["ŽÜRII", "Šokolaad"]) == ["ŽÜRII", "Šokolaad"]


def test_keywords_keep_accents_apart() -> None:
    assert find_phrases("äpp ei tööta", ["ei toota"]) == []
    assert find_phrases("äpp ei tööta", ["ei tööta"]) == ["ei tööta"]


def test_a_phrase_matches_across_line_breaks_and_extra_spaces() -> None:
    assert find_phrases("I have a\n  complaint about  legal\naction", ["legal action"]) == ["legal action"]


def test_a_trailing_star_or_stems_lets_the_last_word_go_on() -> None:
    assert find_phrases("Kaotasin oma kaardi", ["kaotasin oma kaar*"]) == ["kaotasin oma kaar*"]
    assert find_phrases("Olen väga pettunud", ["pettu"], stems=True) == ["pettu"]
    assert find_phrases("Olen väga pettunud", ["pettu"]) == []
    # A stem still starts at a word boundary.
    assert find_phrases("eelkaardi", ["kaar*"]) == []


def test_blank_keywords_never_match() -> None:
    assert find_phrases("anything", ["", "  ", "*"]) == []


# Priority


def test_an_ordinary_message_stays_normal_with_no_reasons() -> None:
    decision = decide_priority(facts(), PriorityRules())

    assert decision.priority == Priority.NORMAL
    assert decision.why == []


def test_a_vip_customer_gets_the_configured_priority() -> None:
    assert decide_priority(facts(vip=True), PriorityRules()).priority == Priority.HIGH
    decision = decide_priority(facts(vip=True), PriorityRules(vip_priority=Priority.URGENT))
    assert decision.priority == Priority.URGENT
    assert decision.why == ["vip customer"]


@pytest.mark.parametrize(
    ("text", "expected", "keyword"),
    [
        ("Someone used my card, this is fraud", Priority.URGENT, "fraud"),
        ("Mu kaart varastati eile", Priority.URGENT, "varast*"),
        ("Tegemist on pettusega", Priority.URGENT, "pettus*"),
        ("I want to file a complaint", Priority.HIGH, "complaint"),
        ("Esitan kaebuse", Priority.HIGH, "kaebus*"),
    ],
)
def test_a_keyword_raises_priority_to_its_level(text: str, expected: Priority, keyword: str) -> None:
    decision = decide_priority(facts(text), PriorityRules())

    assert decision.priority == expected
    assert f"keyword '{keyword}'" in decision.why


def test_a_keyword_of_a_lower_level_does_not_lower_a_vip() -> None:
    rules = PriorityRules(vip_priority=Priority.URGENT)

    assert decide_priority(facts("a complaint", vip=True), rules).priority == Priority.URGENT


def test_negative_sentiment_raises_one_level_at_the_threshold() -> None:
    rules = PriorityRules()

    decision = decide_priority(facts(negativity=-0.5), rules)
    assert decision.priority == Priority.HIGH
    assert decision.why == ["negative sentiment (-0.50)"]
    assert decide_priority(facts(negativity=-0.49), rules).priority == Priority.NORMAL


def test_a_repeat_contact_on_the_same_reason_within_the_window_raises_one_level() -> None:
    earlier = [("password_reset", NOW - timedelta(days=6)), ("card_lost", NOW - timedelta(days=1))]

    decision = decide_priority(facts(reason="password_reset", earlier_reasons=earlier), PriorityRules())

    assert decision.priority == Priority.HIGH
    assert decision.why == ["repeat contact on password_reset within 7 days"]


@pytest.mark.parametrize(
    "earlier",
    [
        [("password_reset", NOW - timedelta(days=7, seconds=1))],  # outside the window
        [("card_lost", NOW - timedelta(days=1))],  # another reason
    ],
)
def test_other_earlier_contacts_are_not_a_repeat(earlier: list[tuple[str, datetime]]) -> None:
    decision = decide_priority(facts(reason="password_reset", earlier_reasons=earlier), PriorityRules())

    assert decision.priority == Priority.NORMAL


def test_without_a_reason_nothing_is_a_repeat() -> None:
    earlier = [("password_reset", NOW - timedelta(days=1))]

    assert decide_priority(facts(earlier_reasons=earlier), PriorityRules()).priority == Priority.NORMAL


def test_every_rule_that_fired_is_named_and_priority_stops_at_urgent() -> None:
    earlier = [("card_lost", NOW - timedelta(hours=3))]
    decision = decide_priority(
        facts("Stolen card and now fraud!", vip=True, negativity=-0.72, reason="card_lost", earlier_reasons=earlier),
        PriorityRules(),
    )

    assert decision.priority == Priority.URGENT
    assert decision.why == [
        "vip customer",
        "keyword 'fraud'",
        "keyword 'stolen'",
        "negative sentiment (-0.72)",
        "repeat contact on card_lost within 7 days",
    ]


def test_an_admin_sets_rules_as_json() -> None:
    rules = PriorityRules.model_validate_json(
        '{"vip_priority": "urgent", "keywords": {"high": ["chargeback"]}, "negative_sentiment_at_or_below": -0.8}'
    )

    assert decide_priority(facts("About the chargeback"), rules).priority == Priority.HIGH
    assert decide_priority(facts("This is fraud"), rules).priority == Priority.NORMAL  # the admin replaced the list
    assert decide_priority(facts(negativity=-0.7), rules).priority == Priority.NORMAL


def test_raise_priority_goes_one_level_up_and_stops_at_urgent() -> None:
    assert [raise_priority(p) for p in RANK] == [Priority.NORMAL, Priority.HIGH, Priority.URGENT, Priority.URGENT]


TEXTS = st.sampled_from(["", "hello", "fraud", "a complaint", "kaebus ja pettus", "stolenx"])
EARLIER = st.lists(
    st.tuples(st.sampled_from(["card_lost", "password_reset"]), st.integers(0, 20).map(lambda d: NOW - timedelta(d)))
)


@given(
    text=TEXTS,
    vip=st.booleans(),
    negativity=st.floats(-1, 1),
    reason=st.sampled_from([None, "card_lost"]),
    earlier=EARLIER,
)
def test_more_reasons_for_concern_never_lower_priority(
    text: str, vip: bool, negativity: float, reason: str | None, earlier: list[tuple[str, datetime]]
) -> None:
    rules = PriorityRules()
    given_facts = facts(text, vip=vip, negativity=negativity, reason=reason, earlier_reasons=earlier)
    decision = decide_priority(given_facts, rules)
    worse = decide_priority(
        given_facts.model_copy(update={"vip": True, "negativity": -1.0, "text": text + " fraud"}), rules
    )

    assert RANK.index(decision.priority) >= RANK.index(Priority.NORMAL)
    assert RANK.index(worse.priority) >= RANK.index(decision.priority)
    assert worse.priority == Priority.URGENT
    # With the default rules every raise is explained, and nothing is explained that did not raise.
    assert (decision.priority == Priority.NORMAL) == (decision.why == [])


# Spam


@pytest.mark.parametrize(
    "text",
    [
        "Congratulations, YOU HAVE WON an iPhone",
        "Best casino bonus today",
        "Cheap Viagra",
        "Palju õnne, olete võitnud auto!",
    ],
)
def test_a_spam_phrase_makes_it_spam(text: str) -> None:
    assert is_spam(facts(text), SpamRules())


@pytest.mark.parametrize(
    "text",
    [
        "I have not won anything, my card was declined",
        "Please reset my password, the help page https://bank.example/help did not help",
        "Tere! Mu kaart ei tööta, palun aidake.",
        "The casinobonus charge on my statement is not mine",  # a phrase inside another word is no match
    ],
)
def test_an_ordinary_customer_message_is_not_spam(text: str) -> None:
    assert not is_spam(facts(text), SpamRules())


def test_more_links_than_allowed_is_spam_but_the_limit_itself_is_not() -> None:
    rules = SpamRules(max_links=3)
    three = "See https://www.a.example/1 and http://b.example and www.c.example"

    assert not is_spam(facts(three), rules)
    assert is_spam(facts(three + " and HTTPS://d.example"), rules)


def test_the_mail_systems_failed_verdict_is_spam() -> None:
    assert is_spam(facts(spam_verdict_failed=True), SpamRules())
    assert not is_spam(facts(), SpamRules())
