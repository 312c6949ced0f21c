"""EmbeddedSearchIndex: the knowledge base's search in-process, with tantivy and Snowball stemmers.

tantivy's own stemmers lack Estonian, so text is analysed here: words are lower-cased and stemmed
with PyStemmer for the document's locale, and tantivy indexes the stems as they are (whitespace
tokenizer). Queries are analysed the same way. Character trigrams of the words as written catch
what stemming misses (Estonian compounds and case endings, typos); words the index has never seen
are also matched fuzzily (one edit from five letters, two from nine). A title match weighs most,
then a learned phrasing, then the short answer, then the body. Each learned phrasing is a document
of its own, and the nearest documents vote for their article (a softmax over their scores), so
the gap between two hits' scores says how sure the first one is.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tantivy

from shared.domain.knowledge import IndexedPhrasing, SearchDocument, SearchHit, SearchSuggestion
from shared.domain.search_ranking import (
    FIELD_WEIGHTS,
    FUZZY_WEIGHT,
    GRAM_SHORTEST,
    GRAM_WEIGHT,
    neighbours_wanted,
    rank_articles,
)
from shared.domain.stemming import stemmer

_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r"\w+|\W+", re.UNICODE)
# Stemmed field → weight of an exact stem match there.
_STEM_FIELDS = {
    "title": "title_stems",
    "phrasing": "phrasing_stems",
    "short_answer": "answer_stems",
    "body": "body_stems",
}
_WEIGHTS = {_STEM_FIELDS[part]: weight for part, weight in FIELD_WEIGHTS.items()}
_FUZZY_WEIGHT = FUZZY_WEIGHT
# Character trigrams of the words as written (morphology, compounds, typos); none of 1-2 letter query words.
_GRAM, _GRAM_WEIGHT, _GRAM_SHORTEST = 3, GRAM_WEIGHT, GRAM_SHORTEST
_SNIPPET_WORDS = 30


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


class Analyzer:
    """Words and their stems, per locale."""

    def stems(self, text: str, locale: str) -> list[str]:
        return list(stemmer(locale).stemWords(words(text)))


class EmbeddedSearchIndex:
    """Implements SearchIndex with tantivy; `path` None keeps the index in memory."""

    def __init__(self, path: Path | None = None) -> None:
        schema = _schema()
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
        self._index = tantivy.Index(schema, path=str(path) if path else None, reuse=True)
        self._schema = schema
        self._writer = self._index.writer(heap_size=50_000_000, num_threads=1)
        self._analyzer = Analyzer()
        self._lock = threading.RLock()
        self._batching = 0

    # --- writes ----------------------------------------------------------------------------

    def upsert(self, doc: SearchDocument) -> None:
        an = self._analyzer
        key = _key(doc.article_id, doc.locale)
        text = " ".join([doc.title, doc.short_answer, doc.body])
        article = tantivy.Document(
            key=key,
            kind="article",
            locale=doc.locale,
            document=doc.model_copy(update={"phrasings": []}).model_dump_json().encode(),
            title_stems=" ".join(an.stems(doc.title, doc.locale)),
            answer_stems=" ".join(an.stems(doc.short_answer, doc.locale)),
            body_stems=" ".join(an.stems(doc.body, doc.locale)),
            all_words=" ".join(words(text)),
            title_words=" ".join(words(doc.title)),
            grams=" ".join(grams(doc.title)),
        )
        phrasings = [self._phrasing(key, doc.locale, phrasing) for phrasing in doc.phrasings]
        with self._lock:
            self._writer.delete_documents_by_term("key", key)
            for document in (article, *phrasings):
                self._writer.add_document(document)
            self._commit()

    def _phrasing(self, key: str, locale: str, phrasing: IndexedPhrasing) -> Any:
        """Each learned phrasing is a document of its own: a question is answered by the article whose
        closest phrasing matches it best, not by one long bag of every phrasing's words."""
        return tantivy.Document(
            key=key,
            kind="phrasing",
            locale=locale,
            phrasing_key=f"{key}#{phrasing.phrasing_id}",
            phrasing_stems=" ".join(self._analyzer.stems(phrasing.text, locale)),
            all_words=" ".join(words(phrasing.text)),
            grams=" ".join(grams(phrasing.text)),
        )

    def delete(self, article_id: str, locale: str) -> None:
        with self._lock:
            self._writer.delete_documents_by_term("key", _key(article_id, locale))
            self._commit()

    def add_phrasing(self, article_id: str, locale: str, phrasing: IndexedPhrasing) -> None:
        key = _key(article_id, locale)
        document = self._phrasing(key, locale, phrasing)
        with self._lock:
            if not self._batching and self._article(self._index.searcher(), key) is None:
                return  # not in the index (not published): its upsert brings the phrasings along
            self._writer.delete_documents_by_term("phrasing_key", f"{key}#{phrasing.phrasing_id}")
            self._writer.add_document(document)
            self._commit()

    def remove_phrasing(self, article_id: str, locale: str, phrasing_id: str) -> None:
        with self._lock:
            self._writer.delete_documents_by_term("phrasing_key", f"{_key(article_id, locale)}#{phrasing_id}")
            self._commit()

    @contextmanager
    def batch(self) -> Iterator[None]:
        with self._lock:
            self._batching += 1
            try:
                yield
            finally:
                self._batching -= 1
                self._commit()

    def _commit(self) -> None:
        if not self._batching:
            self._writer.commit()
            self._index.reload()

    # --- reads -----------------------------------------------------------------------------

    def search(self, query: str, locale: str, *, limit: int = 5) -> list[SearchHit]:
        stems = list(dict.fromkeys(self._analyzer.stems(query, locale)))
        if not stems:
            return []
        searcher = self._index.searcher()
        # Only words the index has never seen are typos worth forgiving (fuzzy queries are the cost).
        unknown = [w for w in dict.fromkeys(words(query)) if not searcher.doc_freq("all_words", w)]
        matches = [self._stem_query(s) for s in stems] + [q for w in unknown if (q := self._fuzzy(w)) is not None]
        matches += [
            tantivy.Query.boost_query(tantivy.Query.term_query(self._schema, "grams", g), _GRAM_WEIGHT)
            for g in dict.fromkeys(grams(query, shortest=_GRAM_SHORTEST))
        ]
        found = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, "locale", locale)),
                (tantivy.Occur.Must, tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in matches])),
            ]
        )
        # k nearest neighbours vote for their articles (shared/domain/search_ranking.py).
        neighbours = [
            (str(searcher.doc(address).get_first("key")), float(score))
            for score, address in searcher.search(found, limit=neighbours_wanted(limit)).hits
        ]
        hits = []
        for key, score, confidence in rank_articles(neighbours, limit):
            stored = self._article(searcher, key)
            if stored is None:
                continue  # phrasings whose article left the index in the same commit
            hits.append(
                SearchHit(
                    article_id=stored.article_id,
                    locale=stored.locale,
                    title=stored.title,
                    short_answer=stored.short_answer,
                    snippet=self._snippet(stored, set(stems)),
                    score=score,
                    confidence=confidence,
                )
            )
        return hits

    def _article(self, searcher: Any, key: str) -> SearchDocument | None:
        query = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, "key", key)),
                (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, "kind", "article")),
            ]
        )
        found = searcher.search(query, limit=1).hits
        return _stored(searcher, found[0][1]) if found else None

    def suggest(self, prefix: str, locale: str, *, limit: int = 5) -> list[SearchSuggestion]:
        typed = words(prefix)
        if not typed or len(typed[-1]) < 2:
            return []
        *done, last = typed
        clauses = [
            (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, "locale", locale)),
            (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, "kind", "article")),
        ]
        clauses.append(
            (tantivy.Occur.Must, tantivy.Query.regex_query(self._schema, "title_words", f"{re.escape(last)}.*"))
        )
        clauses += [(tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "title_words", w)) for w in done]
        searcher = self._index.searcher()
        result = searcher.search(tantivy.Query.boolean_query(clauses), limit=limit)
        stored = [_stored(searcher, address) for _, address in result.hits]
        return [SearchSuggestion(article_id=doc.article_id, title=doc.title) for doc in stored]

    def _stem_query(self, stem: str) -> Any:
        return tantivy.Query.disjunction_max_query(
            [
                tantivy.Query.boost_query(tantivy.Query.term_query(self._schema, field, stem), weight)
                for field, weight in _WEIGHTS.items()
            ],
            tie_breaker=0.3,
        )

    def _fuzzy(self, word: str) -> Any | None:
        if len(word) < 5 or word.isdigit():
            return None  # short words have too many neighbours one edit away
        distance = 2 if len(word) >= 9 else 1
        fuzzy = tantivy.Query.fuzzy_term_query(self._schema, "all_words", word, distance=distance)
        return tantivy.Query.boost_query(fuzzy, _FUZZY_WEIGHT)

    def _snippet(self, stored: SearchDocument, stems: set[str]) -> str:
        """The body (or the short answer) around the most matched words, escaped, matches marked."""
        best: tuple[int, list[str], list[bool]] = (-1, [], [])
        for source in (stored.body, stored.short_answer):
            tokens = _TOKEN.findall(source)
            stemmed = iter(self._analyzer.stems(source, stored.locale))  # one stem per word token, in order
            marks = [bool(_WORD.fullmatch(t)) and next(stemmed) in stems for t in tokens]
            window_tokens, window_marks = _best_window(tokens, marks)
            count = sum(window_marks)
            if count > best[0]:
                best = (count, window_tokens, window_marks)
        _, tokens, marks = best
        text = "".join(
            f"<mark>{html.escape(t)}</mark>" if m else html.escape(t) for t, m in zip(tokens, marks, strict=True)
        )
        return text.strip()


def _stored(searcher: Any, address: Any) -> SearchDocument:
    return SearchDocument.model_validate_json(searcher.doc(address).get_first("document"))


def _best_window(tokens: list[str], marks: list[bool]) -> tuple[list[str], list[bool]]:
    """The stretch of about `_SNIPPET_WORDS` words with the most matches (the start when none)."""
    span = _SNIPPET_WORDS * 2  # tokens alternate word and separator
    if len(tokens) <= span:
        return tokens, marks
    best_start, best_count = 0, -1
    running = sum(marks[:span])
    for start in range(len(tokens) - span + 1):
        if start:
            running += marks[start + span - 1] - marks[start - 1]
        if running > best_count:
            best_start, best_count = start, running
    return tokens[best_start : best_start + span], marks[best_start : best_start + span]


def grams(text: str, *, shortest: int = 1) -> list[str]:
    """Character trigrams of each word, its edges marked: `card` → `^ca car ard rd$`.

    A query leaves out words under `shortest` letters: the stems match those whole, and the grams of
    "ot" would find every "not".
    """
    out: list[str] = []
    for word in (w for w in words(text) if len(w) >= shortest):
        marked = f"^{word}$"
        out += [marked[i : i + _GRAM] for i in range(len(marked) - _GRAM + 1)]
    return out


def _key(article_id: str, locale: str) -> str:
    return f"{locale}:{article_id}"


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    builder.add_text_field("phrasing_key", tokenizer_name="raw")
    for name in ("kind", "locale"):
        builder.add_text_field(name, tokenizer_name="raw")
    builder.add_bytes_field("document", stored=True, indexed=False)  # what hits show, as written
    for name in (*_WEIGHTS, "all_words", "title_words", "grams"):
        builder.add_text_field(name, tokenizer_name="whitespace")
    return builder.build()
