"""OpenSearchSearchIndex: the knowledge base's search on an OpenSearch domain or serverless collection.

The documents are the embedded index's: one per published translation (`kind` article) and one per learned
phrasing (`kind` phrasing), and the nearest of them vote for their article through the same ranking
(shared/domain/search_ranking.py). Each locale has an index of its own, `{prefix}-{locale}`, made from an
index template of its own: a language is an analysis chain per index, so every locale keeps the same field
names, its word statistics are not mixed with another language's, a locale nobody has written to is simply
an index that does not exist (searching it finds nothing), and adding a locale never changes an existing
index.

Analysis mirrors the embedded index. Text is split into words much as the embedded index splits it (every
character that is not a letter, digit, underscore or apostrophe separates words; unlike the embedded index,
an apostrophe inside a word keeps it whole: "can't"); words are lower-cased, stop
words dropped, and stemmed with the Snowball stemmer of the locale. English is stemmed with `porter2`, the
Snowball English stemmer PyStemmer uses, not `english` (the older Porter stemmer of the built-in `english`
analyzer), so both backends agree on which word forms match. Estonian: OpenSearch has a built-in `estonian`
analyzer (Lucene's EstonianAnalyzer: standard tokenizer, lowercase, Estonian stop words, the Snowball Estonian
stemmer; docs.opensearch.org, analyzers/language-analyzers/estonian) and a `stemmer` filter with language
`estonian`; the chain here is that analyzer's, rebuilt as a custom analyzer so it can share the word
splitting. A title match weighs most, then a learned phrasing, then the short answer, then the body; character
trigrams of title and phrasing words (marked at word edges) catch compounds, case endings and typos; query
words the index has never seen are also matched fuzzily (one edit from five letters, two from nine).

Outside `batch()` every write is searchable on return (the index is refreshed); a batch is written with the
bulk helper and refreshed once when it ends. An index template only shapes indices created after it: a
change of analysis needs the indices rebuilt (`delete_indices`, then `tugi kb reindex`).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, ParamSpec, TypeVar
from urllib.parse import urlsplit

from opensearchpy import AWSV4SignerAuth, OpenSearch, RequestsHttpConnection, helpers
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import RequestError, TransportError

from shared.domain.knowledge import IndexedPhrasing, SearchDocument, SearchHit, SearchSuggestion
from shared.domain.search_ranking import (
    FIELD_WEIGHTS,
    FUZZY_WEIGHT,
    GRAM_SHORTEST,
    GRAM_WEIGHT,
    RankedArticle,
    neighbours_wanted,
    rank_articles,
)
from shared.errors import InvalidInput, Unavailable
from shared.observability import trace_calls

Service = Literal["es", "aoss"]
Json = dict[str, Any]

# Words as the index splits them: letters, digits and underscores, with apostrophes inside ("can't", "bank's").
_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")
_LOCALE = re.compile(r"[a-z]{2,8}")
WEIGHTS = FIELD_WEIGHTS  # field → weight of a stemmed match there
FUZZINESS = "AUTO:5,9"  # no edit under five letters, one from five, two from nine
FUZZY_SHORTEST = 5
TIE_BREAKER = 0.3
SNIPPET_CHARS = 200
SUGGEST_SHORTEST = 2
STALE_CLAUSES = 500  # articles per delete-by-query (a bool query takes at most 1,024 clauses)
TEMPLATE_PRIORITY = 200
# locale → (stemmer, stop words) of OpenSearch's own filters (Snowball's where the embedded index uses it;
# Latvian has Lucene's own); other locales are only lower-cased.
LANGUAGES = {
    "en": ("porter2", "_english_"),
    "et": ("estonian", "_estonian_"),
    "ru": ("russian", "_russian_"),
    "fi": ("finnish", "_finnish_"),
    "de": ("german", "_german_"),
    "lv": ("latvian", "_latvian_"),
}
_RETRYABLE = frozenset({429, 502, 503, 504})

_P = ParamSpec("_P")
_R = TypeVar("_R")


# --- request bodies ------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """The distinct words of `text`, lower-cased, in order."""
    return list(dict.fromkeys(w.lower() for w in _WORD.findall(text)))


def index_name(prefix: str, locale: str) -> str:
    if not _LOCALE.fullmatch(locale):
        raise InvalidInput(f"not a locale: {locale!r}")
    return f"{prefix}-{locale}"


def analysis(locale: str) -> Json:
    """The analyzers of one locale's index: `tugi_text` (stemmed), `tugi_words` (as written), trigrams."""
    stem: list[str] = []
    filters: Json = {
        "tugi_edges": {"type": "pattern_replace", "pattern": "^(.*)$", "replacement": "^$1\\$"},
        "tugi_trigrams": {"type": "ngram", "min_gram": 3, "max_gram": 3},
        "tugi_query_words": {"type": "length", "min": GRAM_SHORTEST},
    }
    if locale in LANGUAGES:
        stemmer, stopwords = LANGUAGES[locale]
        filters |= {
            "tugi_stop": {"type": "stop", "stopwords": stopwords},
            "tugi_stemmer": {"type": "stemmer", "language": stemmer},
        }
        stem = ["tugi_stop", "tugi_stemmer"]
        if locale == "en":
            filters["tugi_possessive"] = {"type": "stemmer", "language": "possessive_english"}
            stem = ["tugi_possessive", *stem]

    def chain(*token_filters: str) -> Json:
        return {"type": "custom", "char_filter": ["tugi_split"], "tokenizer": "standard", "filter": list(token_filters)}

    return {
        "char_filter": {
            # Lucene's tokenizer keeps "title:password" and "9.00" whole; the embedded index sees two words each.
            # One character for one, so highlight offsets stay right.
            "tugi_split": {"type": "pattern_replace", "pattern": "[^\\p{L}\\p{N}_'\u2019]", "replacement": " "}
        },
        "filter": filters,
        "analyzer": {
            "tugi_text": chain("lowercase", *stem),
            "tugi_words": chain("lowercase"),
            "tugi_grams": chain("lowercase", "tugi_edges", "tugi_trigrams"),
            "tugi_query_grams": chain("lowercase", "tugi_query_words", "tugi_edges", "tugi_trigrams"),
        },
    }


MAPPINGS: Json = {
    "dynamic": "strict",
    "properties": {
        "kind": {"type": "keyword"},  # article | phrasing
        "article_id": {"type": "keyword"},
        "locale": {"type": "keyword"},
        "phrasing_id": {"type": "keyword"},
        "title": {
            "type": "text",
            "analyzer": "tugi_text",
            "copy_to": ["all_words", "grams"],
            "fields": {"words": {"type": "text", "analyzer": "tugi_words"}},  # suggest
        },
        "short_answer": {"type": "text", "analyzer": "tugi_text", "copy_to": ["all_words"]},
        "body": {"type": "text", "analyzer": "tugi_text", "copy_to": ["all_words"]},
        "phrasing": {"type": "text", "analyzer": "tugi_text", "copy_to": ["all_words", "grams"]},
        "all_words": {"type": "text", "analyzer": "tugi_words"},  # known words, fuzzy matches
        # One trigram field for titles and phrasings, as in the embedded index (one set of statistics).
        "grams": {"type": "text", "analyzer": "tugi_grams", "search_analyzer": "tugi_query_grams"},
    },
}


def index_template(prefix: str, locale: str, *, service: Service = "es") -> Json:
    """The body of `PUT _index_template/{prefix}-{locale}`: analysis and mappings of that locale's index."""
    settings: Json = {"analysis": analysis(locale)}
    if service == "es":
        settings["number_of_shards"] = 1  # one shard: BM25 statistics of the whole locale (serverless shards itself)
        # A replica where there is a second node: a one-node domain stays green instead of yellow for good.
        settings["auto_expand_replicas"] = "0-1"
    return {
        "index_patterns": [index_name(prefix, locale)],
        "priority": TEMPLATE_PRIORITY,
        "template": {"settings": settings, "mappings": MAPPINGS},
    }


def _phrasing_id(article_id: str, phrasing_id: str) -> str:
    return f"{article_id}#{phrasing_id}"  # article ids have no "#"


def phrasing_action(index: str, article_id: str, locale: str, phrasing: IndexedPhrasing) -> Json:
    source = {
        "kind": "phrasing",
        "article_id": article_id,
        "locale": locale,
        "phrasing_id": phrasing.phrasing_id,
        "phrasing": phrasing.text,
    }
    return {
        "_op_type": "index",
        "_index": index,
        "_id": _phrasing_id(article_id, phrasing.phrasing_id),
        "_source": source,
    }


def upsert_actions(index: str, doc: SearchDocument) -> list[Json]:
    """Bulk actions that write the article's document and one document per phrasing."""
    source = {
        "kind": "article",
        "article_id": doc.article_id,
        "locale": doc.locale,
        "title": doc.title,
        "short_answer": doc.short_answer,
        "body": doc.body,
    }
    article = {"_op_type": "index", "_index": index, "_id": doc.article_id, "_source": source}
    return [article, *(phrasing_action(index, doc.article_id, doc.locale, p) for p in doc.phrasings)]


def stale_query(keep: Mapping[str, Collection[str]]) -> Json:
    """A delete-by-query body: every document of these articles but the ones whose ids are kept."""
    clauses = [
        {"bool": {"filter": [{"term": {"article_id": article_id}}], "must_not": [{"ids": {"values": sorted(ids)}}]}}
        if ids
        else {"term": {"article_id": article_id}}
        for article_id, ids in sorted(keep.items())
    ]
    return {"query": {"bool": {"should": clauses, "minimum_should_match": 1}}}


def known_words_body(candidates: Sequence[str]) -> Json:
    """How many documents have each word as written (a word none has is a typo worth forgiving)."""
    filters = {word: {"term": {"all_words": word}} for word in candidates}
    return {"size": 0, "track_total_hits": False, "aggs": {"known": {"filters": {"filters": filters}}}}


def fuzzy_candidates(query_words: Sequence[str]) -> list[str]:
    return [w for w in query_words if len(w) >= FUZZY_SHORTEST and not w.isdigit()]


def search_body(query_words: Sequence[str], *, unknown: Collection[str] = (), size: int) -> Json:
    """The nearest documents (articles and phrasings) for the customer's words, each scored as the embedded
    index scores it: per word the best field (plus a little of the others), fuzzy matches of unknown words,
    and trigrams."""
    fields = [f"{name}^{weight:g}" for name, weight in WEIGHTS.items()]
    should: list[Json] = [
        {"multi_match": {"query": w, "fields": fields, "type": "best_fields", "tie_breaker": TIE_BREAKER}}
        for w in query_words
    ]
    should += [
        {"match": {"all_words": {"query": w, "fuzziness": FUZZINESS, "prefix_length": 0, "boost": FUZZY_WEIGHT}}}
        for w in query_words
        if w in unknown
    ]
    if grammed := [w for w in query_words if len(w) >= GRAM_SHORTEST]:
        should.append({"match": {"grams": {"query": " ".join(grammed), "boost": GRAM_WEIGHT}}})
    return {
        "size": size,
        "track_total_hits": False,
        "_source": ["article_id"],
        "query": {"bool": {"should": should, "minimum_should_match": 1}},
    }


def articles_body(article_ids: Sequence[str], query_words: Sequence[str]) -> Json:
    """The ranked articles' own documents, with the body (or short answer) around the matched words."""
    snippet = {"number_of_fragments": 1, "fragment_size": SNIPPET_CHARS}
    return {
        "size": len(article_ids),
        "_source": ["article_id", "locale", "title", "short_answer"],
        "query": {"bool": {"filter": [{"ids": {"values": list(article_ids)}}, {"term": {"kind": "article"}}]}},
        "highlight": {
            "encoder": "html",  # the text is escaped, only our tags are markup
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "highlight_query": {"multi_match": {"query": " ".join(query_words), "fields": ["body", "short_answer"]}},
            "fields": {"body": {**snippet, "no_match_size": SNIPPET_CHARS}, "short_answer": snippet},
        },
    }


def pick_snippet(highlight: Mapping[str, Sequence[str]]) -> str:
    """The fragment with the most marked words: the body's, unless the short answer has more."""
    best, best_marks = "", -1
    for name in ("body", "short_answer"):
        for fragment in highlight.get(name, ()):
            if (marks := fragment.count("<mark>")) > best_marks:
                best, best_marks = fragment, marks
    return best.strip()


def suggest_body(typed: str, limit: int) -> Json | None:
    """Titles that have a word beginning with the last word typed; the earlier words lift a title."""
    typed_words = [w.lower() for w in _WORD.findall(typed)]
    if not typed_words or len(typed_words[-1]) < SUGGEST_SHORTEST:
        return None
    *done, last = typed_words
    return {
        "size": limit,
        "_source": ["article_id", "title"],
        "query": {
            "bool": {
                "filter": [{"term": {"kind": "article"}}],
                "must": [{"prefix": {"title.words": last}}],
                "should": [{"term": {"title.words": w}} for w in done],
            }
        },
    }


def client_options(url: str, *, service: Service, region: str, credentials: Any) -> Json:
    """Keyword arguments of `OpenSearch(...)`: SigV4 for https (AWS), nothing for a plain http URL (local)."""
    options: Json = {"hosts": [url], "connection_class": RequestsHttpConnection, "timeout": 10, "max_retries": 2}
    if urlsplit(url).scheme == "https":
        if credentials is None:
            raise Unavailable("no AWS credentials to sign OpenSearch requests with")
        options |= {"http_auth": AWSV4SignerAuth(credentials, region, service), "use_ssl": True, "verify_certs": True}
    return options


# --- the client ----------------------------------------------------------------------------------


def _outage_is_unavailable(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """OpenSearch down, throttling or overloaded is `Unavailable` (queues and workflows retry it)."""

    @functools.wraps(method)
    def call(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except OpenSearchConnectionError as exc:
            raise Unavailable("OpenSearch did not answer") from exc
        except TransportError as exc:
            if exc.status_code in _RETRYABLE:
                raise Unavailable(f"OpenSearch answered {exc.status_code}") from exc
            raise

    return call


@dataclass
class PendingWrites:
    """Writes not yet sent: bulk actions by (locale, document id), and per (locale, article) written whole
    the ids of its documents to keep (the others are deleted)."""

    actions: dict[tuple[str, str], tuple[str, Json]] = field(default_factory=dict)
    keep: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def replace(self, locale: str, article_id: str, actions: list[Json]) -> None:
        self.actions = {k: v for k, v in self.actions.items() if (k[0], v[0]) != (locale, article_id)}
        for action in actions:
            self.actions[locale, action["_id"]] = (article_id, action)
        self.keep[locale, article_id] = {action["_id"] for action in actions}

    def put(self, locale: str, article_id: str, action: Json) -> None:
        self.actions[locale, action["_id"]] = (article_id, action)
        if (keep := self.keep.get((locale, article_id))) is not None:
            (keep.add if action["_op_type"] == "index" else keep.discard)(action["_id"])

    def locales(self) -> set[str]:
        return {locale for locale, _ in self.actions} | {locale for locale, _ in self.keep}


class OpenSearchSearchIndex:
    """Implements SearchIndex on OpenSearch: indices `{prefix}-{locale}`, made on first write."""

    def __init__(self, client: OpenSearch, *, prefix: str = "tugi-kb", service: Service = "es") -> None:
        self._client = client
        self._prefix = prefix
        self._service: Service = service
        self._ready: set[str] = set()  # locales whose template and index this process has made sure of
        self._lock = threading.RLock()
        self._batch: PendingWrites | None = None

    @classmethod
    def from_url(
        cls, url: str, *, service: Service = "es", region: str, prefix: str = "tugi-kb", credentials: Any = None
    ) -> OpenSearchSearchIndex:
        """A client for `url`; https requests are signed with the credentials (default: boto3's chain)."""
        trace_calls("requests")  # RequestsHttpConnection
        if credentials is None and urlsplit(url).scheme == "https":
            import boto3  # noqa: PLC0415 - only signed (AWS) endpoints need it

            credentials = boto3.Session(region_name=region).get_credentials()
        return cls(
            OpenSearch(**client_options(url, service=service, region=region, credentials=credentials)),
            prefix=prefix,
            service=service,
        )

    # --- writes ----------------------------------------------------------------------------

    def upsert(self, doc: SearchDocument) -> None:
        self._write(lambda w: w.replace(doc.locale, doc.article_id, upsert_actions(self._index(doc.locale), doc)))

    def delete(self, article_id: str, locale: str) -> None:
        self._write(lambda w: w.replace(locale, article_id, []))

    def add_phrasing(self, article_id: str, locale: str, phrasing: IndexedPhrasing) -> None:
        index = self._index(locale)
        with self._lock:
            if self._batch is None and not self._article_exists(index, article_id):
                return  # not in the index (not published): its upsert brings the phrasings along
            self._write(lambda w: w.put(locale, article_id, phrasing_action(index, article_id, locale, phrasing)))

    def remove_phrasing(self, article_id: str, locale: str, phrasing_id: str) -> None:
        action = {"_op_type": "delete", "_index": self._index(locale), "_id": _phrasing_id(article_id, phrasing_id)}
        self._write(lambda w: w.put(locale, article_id, action))

    @contextmanager
    def batch(self) -> Iterator[None]:
        with self._lock:
            if self._batch is not None:  # an inner batch joins the outer one
                yield
                return
            writes = self._batch = PendingWrites()
            try:
                yield
            finally:
                self._batch = None
                self._send(writes)

    def delete_indices(self) -> None:
        """Remove every index and index template of this prefix (tests; a rebuild with new analysis)."""
        pattern = f"{self._prefix}-*"
        ours = re.compile(re.escape(self._prefix) + r"-[a-z]{2,8}")
        with self._lock:
            indices = self._client.indices.get(index=pattern, ignore_unavailable=True, allow_no_indices=True)
            for name in filter(ours.fullmatch, indices):
                self._client.indices.delete(index=name, ignore_unavailable=True)
            templates = self._client.indices.get_index_template(name=pattern, ignore=404).get("index_templates", [])
            for name in filter(ours.fullmatch, (t["name"] for t in templates)):
                self._client.indices.delete_index_template(name=name)
            self._ready.clear()

    def _write(self, record: Callable[[PendingWrites], None]) -> None:
        with self._lock:
            if self._batch is not None:
                record(self._batch)
                return
        writes = PendingWrites()
        record(writes)
        self._send(writes)

    @_outage_is_unavailable
    def _send(self, writes: PendingWrites) -> None:
        for locale in sorted(writes.locales()):
            actions = [action for (where, _), (_, action) in writes.actions.items() if where == locale]
            keep = {article_id: ids for (where, article_id), ids in writes.keep.items() if where == locale}
            if any(action["_op_type"] == "index" for action in actions):
                self._ensure_index(locale)
            if actions:  # deletes of documents (or indices) not there are fine
                helpers.bulk(self._client, actions, refresh=not keep, ignore_status=(404,))
            articles = sorted(keep.items())
            for start in range(0, len(articles), STALE_CLAUSES):
                last = start + STALE_CLAUSES >= len(articles)
                self._client.delete_by_query(
                    index=self._index(locale),
                    body=stale_query(dict(articles[start : start + STALE_CLAUSES])),
                    refresh=last,  # refreshes the whole index: the bulk writes above become searchable too
                    conflicts="proceed",
                    ignore_unavailable=True,
                )

    def _ensure_index(self, locale: str) -> None:
        """Put the locale's index template (idempotent) and create its index, once per process."""
        if locale in self._ready:
            return
        name = self._index(locale)
        template = index_template(self._prefix, locale, service=self._service)
        self._client.indices.put_index_template(name=name, body=template)
        if not self._client.indices.exists(index=name):
            try:
                self._client.indices.create(index=name)
            except RequestError as exc:
                if exc.error != "resource_already_exists_exception":  # another process made it first
                    raise
        self._ready.add(locale)

    @_outage_is_unavailable
    def _article_exists(self, index: str, article_id: str) -> bool:
        return bool(self._client.exists(index=index, id=article_id))

    def _index(self, locale: str) -> str:
        return index_name(self._prefix, locale)

    # --- reads -----------------------------------------------------------------------------

    @_outage_is_unavailable
    def search(self, query: str, locale: str, *, limit: int = 5) -> list[SearchHit]:
        query_words = words(query)
        if not query_words or not _LOCALE.fullmatch(locale):
            return []
        index = self._index(locale)
        unknown = self._unknown(index, fuzzy_candidates(query_words))
        found = self._search(index, search_body(query_words, unknown=unknown, size=neighbours_wanted(limit)))
        neighbours = [(str(hit["_source"]["article_id"]), float(hit["_score"])) for hit in found]
        ranked = rank_articles(neighbours, limit)
        if not ranked:
            return []
        articles = {hit["_id"]: hit for hit in self._search(index, articles_body([r.key for r in ranked], query_words))}
        # An article whose phrasings are in the index but itself is not (being replaced) is left out.
        return [_hit(articles[r.key], r) for r in ranked if r.key in articles]

    @_outage_is_unavailable
    def suggest(self, prefix: str, locale: str, *, limit: int = 5) -> list[SearchSuggestion]:
        body = suggest_body(prefix, limit)
        if body is None or not _LOCALE.fullmatch(locale):
            return []
        return [
            SearchSuggestion(article_id=hit["_source"]["article_id"], title=hit["_source"]["title"])
            for hit in self._search(self._index(locale), body)
        ]

    def _unknown(self, index: str, candidates: list[str]) -> set[str]:
        if not candidates:
            return set()
        response = self._client.search(index=index, body=known_words_body(candidates), ignore_unavailable=True)
        buckets = response.get("aggregations", {}).get("known", {}).get("buckets", {})
        return {w for w in candidates if not buckets.get(w, {}).get("doc_count")}

    def _search(self, index: str, body: Json) -> list[Json]:
        response = self._client.search(index=index, body=body, ignore_unavailable=True)
        hits: list[Json] = response["hits"]["hits"]
        return hits


def _hit(found: Json, ranked: RankedArticle) -> SearchHit:
    source = found["_source"]
    return SearchHit(
        article_id=source["article_id"],
        locale=source["locale"],
        title=source["title"],
        short_answer=source["short_answer"],
        snippet=pick_snippet(found.get("highlight", {})),
        score=ranked.score,
        confidence=ranked.confidence,
    )
