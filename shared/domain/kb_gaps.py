"""What to write next: the questions the knowledge base had no good answer for, how often reading it
spared a contact, and the articles readers found least helpful.

Pure functions over the search log, the contacts resolved without an article and the articles'
feedback counters; shared/services/kb_reports.py reads those and calls these.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from shared.domain.articles import Article
from shared.domain.personal_data import PLACEHOLDERS
from shared.domain.search_log import SearchRecord
from shared.domain.stemming import stemmer

# Words that say nothing about the topic. Negations stay: "card not working" is its own question.
_STOP_WORDS = {
    "en": frozenset(
        [
            "a",
            "about",
            "after",
            "an",
            "and",
            "any",
            "are",
            "as",
            "at",
            "be",
            "been",
            "before",
            "by",
            "can",
            "could",
            "do",
            "does",
            "for",
            "from",
            "get",
            "got",
            "has",
            "have",
            "how",
            "i",
            "i'm",
            "if",
            "im",
            "in",
            "into",
            "is",
            "it",
            "its",
            "just",
            "me",
            "my",
            "of",
            "on",
            "or",
            "our",
            "please",
            "since",
            "so",
            "some",
            "than",
            "that",
            "the",
            "there",
            "this",
            "to",
            "was",
            "what",
            "when",
            "where",
            "which",
            "why",
            "will",
            "with",
            "would",
            "you",
            "your",
        ]
    ),
    "et": frozenset(
        [
            "ja",
            "ning",
            "et",
            "kas",
            "kui",
            "kuidas",
            "kus",
            "mis",
            "mida",
            "miks",
            "mu",
            "minu",
            "ma",
            "mina",
            "on",
            "oli",
            "olen",
            "see",
            "seda",
            "ka",
            "oma",
            "teie",
            "te",
            "palun",
            "siis",
            "veel",
            "kes",
            "ole",
        ]
    ),
}
# Estonian inflects by suffix, and Snowball leaves many case forms apart (limiiti, limiidi): their first
# letters are what they share.
_STEM_LETTERS = {"et": 5}
_WORD = re.compile(r"\w+(?:'\w+)?")
_EXAMPLES = 5


def wording(text: str, locale: str) -> frozenset[str]:
    """The stems that carry a question's topic: two wordings sharing most of them ask the same thing."""
    stop = _STOP_WORDS.get(locale, frozenset())
    # What personal-data removal left ("call me on [phone]") says nothing about the topic.
    words = [w.casefold() for w in _WORD.findall(PLACEHOLDERS.sub(" ", text))]
    stems = stemmer(locale).stemWords([w for w in words if w not in stop and not w.isdigit()])
    letters = _STEM_LETTERS.get(locale)
    return frozenset(stem[:letters] for stem in stems)


class GapSource(StrEnum):
    SEARCH = "search"  # a search with no good result that nobody found helpful
    CONTACT = "contact"  # a case resolved without an article


class GapSignal(BaseModel):
    source: GapSource
    text: str
    locale: str
    at: datetime
    closest_article_id: str | None = None  # the weak best hit of a search
    case_id: str | None = None


class Gap(BaseModel):
    wording: str = Field(description="The most frequent wording of the group")
    locale: str
    count: int = Field(description="Searches and contacts in the group")
    searches: int
    contacts: int
    examples: list[str] = Field(description="Other wordings in the group, most frequent first")
    closest_article_id: str | None = Field(description="The article searches found most often, too weakly")
    case_ids: list[str] = Field(description="Some of the contacts, newest first: what agents answered")
    last_seen: datetime


class _Group:
    def __init__(self, key: frozenset[str], order: int) -> None:
        self.key = key
        self.size = len(key)
        self.order = order  # earlier groups are more frequent: ties go to them
        self.texts: Counter[str] = Counter()
        self.signals: list[GapSignal] = []


def group_gaps(signals: Iterable[GapSignal], *, similarity: float = 0.5, limit: int = 20) -> list[Gap]:
    """Signals grouped by similar wording (Jaccard similarity of their topic stems), most frequent first.

    Each wording joins the group of the most similar earlier, more frequent wording, so a group's
    first wording is its centre and groups never drift into each other. Only groups that can reach
    `similarity` are compared (prefix filtering: two sets that similar share one of the rarest stems
    of each), so common stems ("card") do not make every wording meet every group.
    """
    by_text: dict[tuple[str, str], list[GapSignal]] = defaultdict(list)
    for signal in signals:
        by_text[(signal.locale, " ".join(signal.text.split()).casefold())].append(signal)
    keys = {(locale, text): wording(text, locale) or frozenset({text}) for locale, text in by_text}
    frequency = Counter((locale, stem) for (locale, _), key in keys.items() for stem in key)

    def prefix(locale: str, key: frozenset[str]) -> list[str]:
        rarest_first = sorted(key, key=lambda stem: (frequency[(locale, stem)], stem))
        return rarest_first[: len(key) - math.ceil(similarity * len(key)) + 1]

    groups: list[_Group] = []
    by_stem: dict[tuple[str, str], list[_Group]] = defaultdict(list)  # (locale, prefix stem) → groups
    for (locale, text), same in sorted(by_text.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        key = keys[(locale, text)]
        # A group much smaller or larger than the wording cannot be similar enough: skip it unscored.
        smallest, largest = similarity * len(key), len(key) / similarity
        candidates = {
            id(g): g for stem in prefix(locale, key) for g in by_stem[(locale, stem)] if smallest <= g.size <= largest
        }.values()
        scored = [(len(key & g.key) / len(key | g.key), -g.order, g) for g in candidates]
        best = max(scored, key=lambda s: s[:2], default=None)
        if best is not None and best[0] >= similarity:
            group = best[2]
        else:
            group = _Group(key, len(groups))
            groups.append(group)
            for stem in prefix(locale, key):
                by_stem[(locale, stem)].append(group)
        newest_first = sorted(same, key=lambda s: s.at, reverse=True)
        shown = Counter(s.text for s in newest_first).most_common(1)[0][0]  # how it is mostly written; ties: newest
        group.texts[shown] += len(same)
        group.signals += same
    ranked = sorted(groups, key=lambda g: (-len(g.signals), -max(s.at for s in g.signals).timestamp()))
    return [_gap(group) for group in ranked[:limit]]


def _gap(group: _Group) -> Gap:
    texts = [text for text, _ in group.texts.most_common()]
    searches = [s for s in group.signals if s.source is GapSource.SEARCH]
    contacts = sorted((s for s in group.signals if s.source is GapSource.CONTACT), key=lambda s: s.at, reverse=True)
    closest = Counter(s.closest_article_id for s in searches if s.closest_article_id).most_common(1)
    return Gap(
        wording=texts[0],
        locale=group.signals[0].locale,
        count=len(group.signals),
        searches=len(searches),
        contacts=len(contacts),
        examples=texts[1 : 1 + _EXAMPLES],
        closest_article_id=closest[0][0] if closest else None,
        case_ids=[s.case_id for s in contacts[:_EXAMPLES] if s.case_id],
        last_seen=max(s.at for s in group.signals),
    )


def is_gap(search: SearchRecord, good: float) -> bool:
    """No result good enough to answer with, and no reader said one helped."""
    best = search.results[0].confidence if search.results else 0.0
    return best < good and not search.helped()


def gap_signals(searches: Iterable[SearchRecord], good: float) -> list[GapSignal]:
    return [
        GapSignal(
            source=GapSource.SEARCH,
            text=search.query,
            locale=search.locale,
            at=search.at,
            closest_article_id=search.results[0].article_id if search.results else None,
        )
        for search in searches
        if search.query.strip() and is_gap(search, good)
    ]


# --- deflection --------------------------------------------------------------------------------


class DeflectionRate(BaseModel):
    searches: int = Field(description="Searches by known visitors old enough to tell")
    deflected: int = Field(description="Of those, searches after which the visitor made no contact in time")
    rate: float | None = Field(description="deflected / searches; none without searches")


class ArticleDeflection(DeflectionRate):
    article_id: str
    locale: str


class Deflection(BaseModel):
    window_days: int = Field(description="A contact this many days after a search means it did not deflect")
    overall: DeflectionRate
    pending: int = Field(description="Searches too recent to tell")
    anonymous: int = Field(description="Searches without a visitor id (not counted)")
    articles: list[ArticleDeflection] = Field(description="Per article read (opened, or a good first result)")


def _rate(outcomes: Sequence[bool]) -> DeflectionRate:
    deflected = sum(outcomes)
    return DeflectionRate(
        searches=len(outcomes), deflected=deflected, rate=round(deflected / len(outcomes), 4) if outcomes else None
    )


def deflection(
    searches: Iterable[SearchRecord],
    contacts: Mapping[str, Sequence[datetime]],
    *,
    window: timedelta,
    now: datetime,
    good: float,
) -> Deflection:
    """Which searches were followed by no contact from the same visitor within `window`.

    A search counts for the articles its visitor read: those opened, else a first result good enough
    to answer with (its short answer is on the results page). `contacts` maps visitors to the times
    they contacted us.
    """
    overall: list[bool] = []
    per_article: dict[tuple[str, str], list[bool]] = defaultdict(list)
    pending = anonymous = 0
    for search in searches:
        if not search.visitor:
            anonymous += 1
            continue
        if search.at > now - window:
            pending += 1
            continue
        deflected = not any(search.at <= at <= search.at + window for at in contacts.get(search.visitor, ()))
        overall.append(deflected)
        read = search.opened or [r.article_id for r in search.results[:1] if r.confidence >= good]
        for article_id in dict.fromkeys(read):
            per_article[(article_id, search.locale)].append(deflected)
    articles = [
        ArticleDeflection(article_id=article_id, locale=locale, **_rate(outcomes).model_dump())
        for (article_id, locale), outcomes in per_article.items()
    ]
    articles.sort(key=lambda a: (-a.searches, a.article_id, a.locale))
    return Deflection(
        window_days=window.days, overall=_rate(overall), pending=pending, anonymous=anonymous, articles=articles
    )


# --- helpfulness -------------------------------------------------------------------------------


class RatedArticle(BaseModel):
    article_id: str
    locale: str
    title: str
    helpful: int
    not_helpful: int
    helpful_ratio: float


def worst_rated(articles: Iterable[Article], *, min_votes: int, limit: int) -> list[RatedArticle]:
    """Published translations with at least `min_votes` verdicts, least helpful first (then most voted)."""
    rated = []
    for article in articles:
        votes = article.helpful + article.not_helpful
        content = article.published
        if votes < max(1, min_votes) or content is None:
            continue
        rated.append(
            RatedArticle(
                article_id=article.article_id,
                locale=article.locale,
                title=content.title,
                helpful=article.helpful,
                not_helpful=article.not_helpful,
                helpful_ratio=round(article.helpful / votes, 4),
            )
        )
    rated.sort(key=lambda r: (r.helpful_ratio, -(r.helpful + r.not_helpful), r.article_id))
    return rated[:limit]
