"""The triage adapters on real customer text: Bürokratt's Estonian utterances and Banking77's English queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.adapters.language import LinguaLanguageDetector
from shared.adapters.rule_answers import RuleBasedAnswers
from shared.adapters.sentiment import LexiconSentiment
from shared.domain.triage import PriorityRules
from tests.conftest import REPO
from tests.datasets import banking77, buerokratt

# Banking77 intents our demo rules are meant to answer.
EXPECTED_REASON = {
    "passcode_forgotten": "password_reset",
    "lost_or_stolen_card": "card_lost",
    "card_arrival": "card_delivery",
    "card_delivery_estimate": "card_delivery",
    "Refund_not_showing_up": "refund_status",
    "request_refund": "refund_status",
    "edit_personal_details": "change_address",
    "change_pin": "change_pin",
    "pin_blocked": "change_pin",
}


def estonian_utterances() -> list[str]:
    return [text for text, _ in buerokratt()]


@pytest.fixture(scope="module")
def detector() -> LinguaLanguageDetector:
    return LinguaLanguageDetector()


# Language


def test_the_utterance_reader_sees_the_whole_estonian_set() -> None:
    utterances = estonian_utterances()

    assert len(utterances) > 800
    assert not [u for u in utterances if "](" in u]


def test_estonian_customer_utterances_are_detected_as_estonian(detector: LinguaLanguageDetector) -> None:
    utterances = [u for u in estonian_utterances() if len(u.split()) >= 3]
    detected = [detector.detect(u) for u in utterances]

    accuracy = detected.count("et") / len(utterances)
    assert len(utterances) > 700
    assert accuracy >= 0.95, accuracy


def test_english_banking_queries_are_detected_as_english(detector: LinguaLanguageDetector) -> None:
    queries = [text for text, _ in banking77()[:1000]]
    detected = [detector.detect(q) for q in queries]

    assert detected.count("en") / len(queries) >= 0.98


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Добрый день, моя карта не работает", "ru"),
        ("Hyvää päivää, korttini ei toimi", "fi"),
        ("Guten Tag, meine Karte funktioniert nicht", "de"),
    ],
)
def test_the_other_served_languages_are_told_apart(detector: LinguaLanguageDetector, text: str, language: str) -> None:
    assert detector.detect(text) == language


@pytest.mark.parametrize("text", ["", "   \n", "12345 678", "!!! ???"])
def test_text_without_words_has_no_language(detector: LinguaLanguageDetector, text: str) -> None:
    assert detector.detect(text) is None


def test_only_the_configured_languages_are_answered() -> None:
    detector = LinguaLanguageDetector(languages=("EN", "de"))

    assert detector.detect("Tere, mu kaart ei tööta ja ma ei saa maksta") in {"en", "de"}


def test_an_unknown_language_code_fails_when_configured() -> None:
    with pytest.raises(ValueError, match="'xx'"):
        LinguaLanguageDetector(languages=("en", "xx"))
    with pytest.raises(ValueError, match="at least one"):
        LinguaLanguageDetector(languages=())


# Sentiment


@pytest.mark.parametrize(
    ("english", "estonian"),
    [
        ("I am angry and disappointed", "Olen vihane ja pettunud"),
        ("This is a scandal, your service is awful and the app does not work!", "See on skandaal, äpp ei tööta!"),
    ],
)
def test_an_angry_customer_crosses_the_default_threshold_in_both_languages(english: str, estonian: str) -> None:
    sentiment = LexiconSentiment()
    threshold = PriorityRules().negative_sentiment_at_or_below

    assert sentiment.score(english, "en") <= threshold
    assert sentiment.score(estonian, "et") <= threshold


def test_one_negative_word_alone_is_negative_but_below_the_threshold_in_both_languages() -> None:
    sentiment = LexiconSentiment()
    threshold = PriorityRules().negative_sentiment_at_or_below

    for text, language in [("This is terrible.", "en"), ("See on kohutav.", "et")]:
        assert threshold < sentiment.score(text, language) < 0


def test_estonian_words_are_matched_by_stem_and_case() -> None:
    sentiment = LexiconSentiment()

    assert sentiment.score("Suur PETTUMUS", "ET") < 0
    assert sentiment.score("Mul on hea meel", "et") == 0


def test_neutral_estonian_questions_are_not_negative() -> None:
    sentiment = LexiconSentiment()
    threshold = PriorityRules().negative_sentiment_at_or_below

    assert not [u for u in estonian_utterances() if sentiment.score(u, "et") <= threshold]


def test_english_praise_is_positive() -> None:
    assert LexiconSentiment().score("Thanks, great help!", "en") > 0.5


def test_word_lists_are_configurable_per_language() -> None:
    sentiment = LexiconSentiment({"fi": ["huono", "ei toimi"]})

    assert sentiment.score("Palvelu on huonoa ja sovellus ei toimi", "fi") <= -0.5
    assert sentiment.score("Olen vihane ja pettunud", "et") == 0  # the default Estonian list was replaced
    assert sentiment.score("Это ужасно", "ru") == 0  # no list: neutral


# Known answers


def test_banking_queries_get_the_right_answer_or_none() -> None:
    finder = RuleBasedAnswers()
    answered = right = total = 0
    for text, category in banking77():
        if category not in EXPECTED_REASON:
            continue
        total += 1
        answer = finder.find(text, "en")
        answered += answer is not None
        right += answer is not None and answer.reason == EXPECTED_REASON[category]

    assert right / answered >= 0.98  # a wrong answer costs more than none
    assert right / total >= 0.6


def test_banking_queries_about_other_things_rarely_get_an_answer() -> None:
    finder = RuleBasedAnswers()
    others = [text for text, category in banking77() if category not in EXPECTED_REASON]

    answered = [text for text in others if finder.find(text, "en")]
    assert len(answered) / len(others) <= 0.02


def test_estonian_government_questions_get_no_bank_answer() -> None:
    finder = RuleBasedAnswers()

    assert not [u for u in estonian_utterances() if finder.find(u, "et")]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Unustasin oma parooli ja ei saa sisse logida", "password_reset"),
        ("Mu kaart varastati, palun sulgege see", "card_lost"),
        ("Ootan oma uut kaarti juba kaks nädalat", "card_delivery"),
        ("Tahan muuta oma aadressi, kolisin Tartusse", "change_address"),
        ("Mis on teie lahtiolekuajad?", "opening_hours"),
        ("Palun saatke mulle arve koopia", "statement_copy"),
        ("Kus on minu tagasimakse?", "refund_status"),
        ("Unustasin PIN-koodi", "change_pin"),
    ],
)
def test_estonian_questions_get_the_estonian_answer(text: str, reason: str) -> None:
    answer = RuleBasedAnswers().find(text, "et")

    assert answer is not None
    assert answer.reason == reason
    assert "/et/" in answer.url


def test_more_specific_phrases_give_more_confidence() -> None:
    finder = RuleBasedAnswers()
    vague = finder.find("Something about my password", "en")
    specific = finder.find("I forgot my password and cannot log in", "en")

    assert vague is not None
    assert specific is not None
    assert vague.confidence < specific.confidence <= 1


def test_nothing_matching_gives_no_answer() -> None:
    assert RuleBasedAnswers().find("Hello, how are you today?", "en") is None


def test_a_language_without_rules_is_answered_from_the_english_rules() -> None:
    answer = RuleBasedAnswers().find("I forgot my password", "ru")

    assert answer is not None
    assert answer.reason == "password_reset"
    assert "/en/" in answer.url


def rules_file(tmp_path: Path, rules: list[dict[str, object]]) -> Path:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": rules}), encoding="utf-8")
    return path


def entry(*keywords: str) -> dict[str, object]:
    return {"title": "t", "short_answer": "a", "url": "https://help.example/x", "keywords": list(keywords)}


def test_the_best_rule_wins_and_a_tie_goes_to_the_earlier_rule(tmp_path: Path) -> None:
    finder = RuleBasedAnswers(
        rules_file(
            tmp_path,
            [
                {"reason": "first", "locales": {"en": entry("card")}},
                {"reason": "second", "locales": {"en": entry("card", "new card")}},
                {"reason": "third", "locales": {"en": entry("card")}},
            ],
        )
    )

    assert reason_of(finder, "my card") == "first"
    assert reason_of(finder, "a new card") == "second"


def reason_of(finder: RuleBasedAnswers, text: str) -> str | None:
    answer = finder.find(text, "en")
    return None if answer is None else answer.reason


def test_a_phrase_inside_a_longer_matching_phrase_is_not_counted_twice(tmp_path: Path) -> None:
    rules: list[dict[str, object]] = [{"reason": "r", "locales": {"en": entry("money back", "get my money back")}}]
    finder = RuleBasedAnswers(rules_file(tmp_path, rules))

    answer = finder.find("Can I get my money back?", "en")
    assert answer is not None
    assert answer.confidence == 1 - 0.5**4


def test_a_rules_file_without_keywords_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        RuleBasedAnswers(rules_file(tmp_path, [{"reason": "r", "locales": {"en": entry()}}]))


def test_every_packaged_rule_answers_in_english_and_estonian() -> None:
    packaged = json.loads((REPO / "shared" / "knowledge" / "answer_rules.json").read_text(encoding="utf-8"))

    assert 6 <= len(packaged["rules"]) <= 8
    for rule in packaged["rules"]:
        assert set(rule["locales"]) >= {"en", "et"}, rule["reason"]
        for locale in rule["locales"].values():
            assert locale["url"].startswith("https://")
            assert locale["short_answer"]
