"""Known answers from keyword rules in a JSON file: the stand-in until the knowledge base answers."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic import BaseModel, Field

from shared.domain.triage import KnownAnswer, find_phrases

_FALLBACK_LANGUAGE = "en"


class _LocaleRule(BaseModel):
    title: str
    short_answer: str
    url: str
    keywords: list[str] = Field(min_length=1)


class _Rule(BaseModel):
    reason: str
    locales: dict[str, _LocaleRule]


class _RuleFile(BaseModel):
    rules: list[_Rule]


class RuleBasedAnswers:
    """Implements the AnswerFinder port: the rule whose keyword phrases say most about the text wins.

    Each matching phrase adds its word count as evidence ("reset my password" says more than
    "password"; a phrase inside a longer match adds nothing), and confidence is 1 - 0.5 ** evidence:
    one word 0.5, two 0.75, three 0.875.
    A rule without the customer's language answers from its English entry.
    """

    def __init__(self, rules_file: Path | None = None) -> None:
        if rules_file is None:
            raw = resources.files("shared.knowledge").joinpath("answer_rules.json").read_text(encoding="utf-8")
        else:
            raw = rules_file.read_text(encoding="utf-8")
        self._rules = _RuleFile.model_validate_json(raw).rules

    def find(self, text: str, language: str) -> KnownAnswer | None:
        language = language.lower().replace("_", "-").split("-")[0]
        best: KnownAnswer | None = None
        for rule in self._rules:
            entry = rule.locales.get(language) or rule.locales.get(_FALLBACK_LANGUAGE)
            if entry is None:
                continue
            evidence = _evidence(find_phrases(text, entry.keywords))
            if not evidence:
                continue
            confidence = round(1 - 0.5**evidence, 4)
            if best is None or confidence > best.confidence:  # ties: the earlier rule in the file
                best = KnownAnswer(
                    reason=rule.reason,
                    title=entry.title,
                    short_answer=entry.short_answer,
                    url=entry.url,
                    confidence=confidence,
                )
        return best


def _evidence(phrases: list[str]) -> int:
    # "money back" inside "get my money back" is the same words found twice, not more evidence.
    keys = [" " + " ".join(phrase.rstrip("*").lower().split()) + " " for phrase in phrases]
    return sum(len(key.split()) for key in keys if not any(key != other and key in other for other in keys))
