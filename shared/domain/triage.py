"""Triage: how urgent a new contact is, whether it is spam, and the ports that read its text.

The rules are pure and small on purpose: an admin tunes them in settings (keywords, thresholds),
and every rule that moved the priority is named in the decision so an agent can see why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.channels import Channel
from shared.domain.priority import Priority, raise_priority

_LEVELS = list(Priority)  # lowest first

# Negative words per language for languages without a sentiment model. Entries are stems:
# Estonian inflects heavily (pettunud, pettumus), so an entry matches any word it begins.
DEFAULT_NEGATIVE_WORDS: dict[str, tuple[str, ...]] = {
    "et": (
        "kohutav",
        "halb",
        "halva",
        "halve",
        "pettu",
        "pettumus",
        "vihane",
        "vihast",
        "skandaal",
        "jama",
        "ei tööta",
        "ei toimi",
        "kaebus",
        "petetud",
        "petta",
        "ebaviisaka",
        "rahulolematu",
        "õudne",
        "õudse",
        "jube",
        "jubeda",
        "pahane",
        "nördinud",
        "solva",
        "häbiväärne",
        "katastroof",
        "lubamatu",
        "vastik",
        "tüütu",
        "mõttetu",
        "naeruväärne",
        "ärritu",
        "ärritav",
        "kurat",
        "raisk",
    ),
}


def find_phrases(text: str, phrases: Iterable[str], *, stems: bool = False) -> list[str]:
    """The phrases that occur in `text` as whole words, ignoring case (any script: õ, ä, ö, ü, š, ž).

    With `stems`, or for a phrase ending in `*`, the last word may go on ("kaar*" finds "kaardi").
    """
    return [phrase for phrase in phrases if (pattern := _pattern(phrase, stems)) and pattern.search(text)]


@lru_cache(maxsize=4096)
def _pattern(phrase: str, stem: bool) -> re.Pattern[str] | None:
    phrase = phrase.strip()
    words = phrase.rstrip("*").split()
    if not words:  # a blank keyword in settings must not match every message
        return None
    # Lookarounds instead of \b: they also hold where a phrase begins or ends with punctuation.
    body = r"\s+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){body}" + ("" if stem or phrase.endswith("*") else r"(?!\w)"), re.IGNORECASE)


class KnownAnswer(BaseModel):
    """An answer we already have for the customer's question, and how sure we are it fits."""

    model_config = ConfigDict(frozen=True)

    reason: str
    title: str
    short_answer: str
    url: str
    confidence: float = Field(ge=0, le=1)


class PriorityRules(BaseModel):
    """What raises a contact's priority; an admin sets these in settings (JSON in an env var)."""

    vip_priority: Priority = Priority.HIGH
    keywords: dict[Priority, list[str]] = {
        Priority.URGENT: [
            "fraud",
            "fraudulent",
            "stolen",
            "hacked",
            "scam",
            "unauthorised",
            "unauthorized",
            "identity theft",
            "pettus*",
            "varast*",
            "kelmus*",
            "häkitud",
            "volitamata",
        ],
        Priority.HIGH: [
            "complaint",
            "lawyer",
            "legal action",
            "ombudsman",
            "kaebus*",
            "advokaa*",
            "jurist*",
            "kohtusse",
        ],
    }
    negative_sentiment_at_or_below: float = Field(default=-0.5, ge=-1, le=1)
    repeat_window_days: int = Field(default=7, ge=0)


class SpamRules(BaseModel):
    """Spam when a phrase matches, when there are more links than `max_links`, or the mail system said FAIL."""

    phrases: list[str] = [
        "viagra",
        "cialis",
        "crypto giveaway",
        "double your bitcoin",
        "you have won",
        "you've won",
        "click here to claim",
        "claim your prize",
        "seo services",
        "casino bonus",
        "lottery winner",
        "olete võitnud",
        "oled võitnud",
    ]
    max_links: int = Field(default=8, ge=0)


class TriageFacts(BaseModel):
    """What triage knows about a new contact."""

    text: str
    channel: Channel
    language: str
    vip: bool
    reason: str | None
    negativity: float = Field(ge=-1, le=1)
    earlier_reasons: list[tuple[str, datetime]]
    now: datetime
    spam_verdict_failed: bool = False


class PriorityDecision(BaseModel):
    priority: Priority
    why: list[str]


def _at_least(priority: Priority, floor: Priority) -> Priority:
    return max(priority, floor, key=_LEVELS.index)


def decide_priority(facts: TriageFacts, rules: PriorityRules) -> PriorityDecision:
    """Floors first (VIP, keywords), then one level up each for anger and for asking again."""
    priority = Priority.NORMAL
    why: list[str] = []
    if facts.vip:
        priority = _at_least(priority, rules.vip_priority)
        why.append("vip customer")
    for level in sorted(rules.keywords, key=_LEVELS.index, reverse=True):
        for keyword in find_phrases(facts.text, rules.keywords[level]):
            priority = _at_least(priority, level)
            why.append(f"keyword '{keyword}'")
    if facts.negativity <= rules.negative_sentiment_at_or_below:
        priority = raise_priority(priority)
        why.append(f"negative sentiment ({facts.negativity:.2f})")
    window = timedelta(days=rules.repeat_window_days)
    if facts.reason is not None and any(
        reason == facts.reason and facts.now - opened <= window for reason, opened in facts.earlier_reasons
    ):
        priority = raise_priority(priority)
        why.append(f"repeat contact on {facts.reason} within {rules.repeat_window_days} days")
    return PriorityDecision(priority=priority, why=why)


# A bare "www." counts too; "https://www." is one link, not two.
_LINK = re.compile(r"https?://|(?<![/\w.])www\.", re.IGNORECASE)


def is_spam(facts: TriageFacts, rules: SpamRules) -> bool:
    return (
        facts.spam_verdict_failed
        or len(_LINK.findall(facts.text)) > rules.max_links
        or bool(find_phrases(facts.text, rules.phrases))
    )


class LanguageDetector(Protocol):
    def detect(self, text: str) -> str | None:
        """ISO 639-1 code in lower case, or None when the text says too little."""


class SentimentAnalyser(Protocol):
    def score(self, text: str, language: str) -> float:
        """From -1 (furious) to 1 (delighted); 0 when nothing in the text says either."""


class AnswerFinder(Protocol):
    def find(self, text: str, language: str) -> KnownAnswer | None: ...
