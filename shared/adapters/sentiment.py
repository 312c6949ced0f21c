"""Sentiment: VADER for English, a list of negative words for the languages VADER does not know."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

from shared.domain.triage import DEFAULT_NEGATIVE_WORDS, find_phrases

# VADER's own scale, so both kinds of score mean the same to PriorityRules: a negative word
# weighs about what "terrible" or "angry" weigh in VADER's lexicon, each "!" (up to four) adds
# VADER's emphasis, and the sum is squashed into [-1, 1] as VADER squashes it (alpha 15).
_WORD_VALENCE = 2.2
_EXCLAMATION = 0.292
_ALPHA = 15


class LexiconSentiment:
    """Implements the SentimentAnalyser port; languages with neither VADER nor a word list score 0."""

    def __init__(self, negative_words: Mapping[str, Sequence[str]] | None = None) -> None:
        words = DEFAULT_NEGATIVE_WORDS if negative_words is None else negative_words
        self._negative = {language.lower(): tuple(stems) for language, stems in words.items()}
        self._vader: SentimentIntensityAnalyzer | None = None

    def score(self, text: str, language: str) -> float:
        language = language.lower()
        if language == "en":
            if self._vader is None:
                self._vader = SentimentIntensityAnalyzer()  # reads its lexicon file once
            return float(self._vader.polarity_scores(text)["compound"])
        hits = len(find_phrases(text, self._negative.get(language, ()), stems=True))
        if not hits:
            return 0.0
        total = _WORD_VALENCE * hits + _EXCLAMATION * min(text.count("!"), 4)
        return round(-total / math.sqrt(total * total + _ALPHA), 4)
