"""Make the platform's knowledge base hold what files say, and write files from it, through the HTTP API.

The transport is a function, so the same code runs over HTTP from the CLI (`LocalApi.send`) and in
process in the demo seed (`EmbeddedPlatform.api`). An import only writes what differs: a file equal to
the platform's translation changes nothing (no version, no publish), so importing twice is harmless.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlencode

from pydantic import BaseModel

from cli.api_client import ApiError
from cli.kb_files import ArticleFile, ArticleFileError, phrasing_key
from shared.domain.articles import ArticleStatus

PAGE_SIZE = 100  # the API's largest page


class Send(Protocol):
    """One API request as the supervisor: (HTTP status, parsed JSON body or None); errors are answers."""

    def __call__(self, method: str, path: str, json_body: Any = None) -> tuple[int, Any]: ...


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"


class ImportResult(BaseModel):
    file: str
    article_id: str | None
    locale: str | None
    outcome: Outcome
    code: str | None = None  # the API's error code (or invalid_file) when it failed
    detail: str = ""


def invalid_file(error: ArticleFileError) -> ImportResult:
    return ImportResult(
        file=str(error.path),
        article_id=None,
        locale=None,
        outcome=Outcome.FAILED,
        code="invalid_file",
        detail=error.message,
    )


def import_article(file: ArticleFile, send: Send) -> ImportResult:
    """Create or update one translation so that it matches the file: text, review date, status, phrasings.

    Text changes make one new version (published at once when the file says published); a different
    review date or owner alone is changed without a version. `draft` never unpublishes a translation.
    Phrasings are only ever added (a learned phrasing the file lacks stays).
    """
    done: list[str] = []
    outcome = Outcome.UNCHANGED
    try:
        status, article = send("GET", _path(file), None)
        if status == 404 and _code(article) == "article_not_found":
            article = _created(file, send, done)
            outcome = Outcome.CREATED
            existing: list[dict[str, Any]] = []
        else:
            _check(status, article)
            article = _updated(file, article, send, done)
            existing = _all_phrasings(file.article_id, file.locale, send)
        _match_status(file, article, send, done)
        added = _add_phrasings(file, existing, send)
        if added:
            done.append(f"{added} new phrasing{'s' if added > 1 else ''}")
    except ApiError as failure:
        detail = f"{', '.join(done)}; then " if done else ""
        return _result(file, Outcome.FAILED, f"{detail}{failure.message}", code=failure.code)
    if outcome is Outcome.UNCHANGED and done:
        outcome = Outcome.UPDATED
    return _result(file, outcome, ", ".join(done))


def export_articles(locale: str, send: Send) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Every translation of `locale` with its phrasings (oldest first), listed one status after another."""
    for status in ArticleStatus:  # one listing per status: the API's list without a status answers 500
        cursor: str | None = None
        while True:
            query = {"locale": locale, "status": status.value, "limit": PAGE_SIZE} | _maybe(cursor=cursor)
            page = _ok(send("GET", f"/v1/kb/articles?{urlencode(query)}", None))
            for article in page["items"]:
                phrasings = _all_phrasings(article["article_id"], article["locale"], send)
                phrasings.sort(key=lambda p: (p["at"], p["text"]))
                yield article, [p["text"] for p in phrasings]
            cursor = page.get("next_cursor")
            if not cursor:
                break


def reindex_pages(locale: str, send: Send) -> Iterator[dict[str, Any]]:
    """Rebuild the locale's search index from the table, one page per request; yields each page's counts."""
    cursor: str | None = None
    while True:
        page = _ok(send("POST", "/v1/kb/reindex", {"locale": locale, "limit": PAGE_SIZE} | _maybe(cursor=cursor)))
        yield page
        cursor = page.get("next_cursor")
        if not cursor:
            return


# --- steps -----------------------------------------------------------------------------------


def _created(file: ArticleFile, send: Send, done: list[str]) -> dict[str, Any]:
    publish = file.status is ArticleStatus.PUBLISHED
    article: dict[str, Any] = _ok(send("PUT", _path(file), _save_body(file, base_version=None, publish=publish)))
    done.append("published" if publish else "saved as a draft")
    return article


def _updated(file: ArticleFile, article: dict[str, Any], send: Send, done: list[str]) -> dict[str, Any]:
    details = _changed_details(file, article)
    if _same_text(file, article["latest"]):
        if not details:
            return article
        done.append(f"{' and '.join(details)} changed")
        changed: dict[str, Any] = _ok(
            send("PATCH", _path(file), _maybe(owner=file.owner, review_by=_iso(file.review_by)))
        )
        return changed
    publish = file.status is ArticleStatus.PUBLISHED
    body = _save_body(file, base_version=article["latest_version"], publish=publish)
    saved: dict[str, Any] = _ok(send("PUT", _path(file), body))
    done.append(f"version {saved['latest_version']}{' published' if publish else ''}")
    return saved


def _match_status(file: ArticleFile, article: dict[str, Any], send: Send, done: list[str]) -> None:
    if file.status is ArticleStatus.PUBLISHED and (
        article["status"] != ArticleStatus.PUBLISHED or article["has_unpublished_changes"]
    ):
        published = _ok(send("POST", f"{_path(file)}/publish", {}))
        done.append(f"version {published['published_version']} published")
    elif file.status is ArticleStatus.ARCHIVED and article["status"] != ArticleStatus.ARCHIVED:
        _ok(send("POST", f"{_path(file)}/archive", {}))
        done.append("archived")


def _add_phrasings(file: ArticleFile, existing: list[dict[str, Any]], send: Send) -> int:
    """POST the file's phrasings the translation lacks; how many were new (the API stores each once)."""
    ids = {p["phrasing_id"] for p in existing}
    texts = {phrasing_key(p["text"]) for p in existing}
    added = 0
    for text in file.phrasings:
        if phrasing_key(text) in texts:
            continue
        phrasing = _ok(send("POST", f"{_path(file)}/phrasings", {"text": text}))
        # The API removes personal data first: a scrubbed text may be one it already had.
        if phrasing["phrasing_id"] not in ids:
            ids.add(phrasing["phrasing_id"])
            added += 1
    return added


def _all_phrasings(article_id: str, locale: str, send: Send) -> list[dict[str, Any]]:
    phrasings: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = urlencode({"limit": PAGE_SIZE} | _maybe(cursor=cursor))
        page = _ok(send("GET", f"/v1/kb/articles/{article_id}/{locale}/phrasings?{query}", None))
        phrasings += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return phrasings


# --- helpers ---------------------------------------------------------------------------------


def _same_text(file: ArticleFile, latest: dict[str, Any]) -> bool:
    """The file's body is read without surrounding blank lines; the API keeps what it was sent."""
    theirs = {k: latest.get(k) for k in ("title", "short_answer", "body", "tags")}
    theirs["body"] = (theirs["body"] or "").strip()
    return file.content() == theirs


def _changed_details(file: ArticleFile, article: dict[str, Any]) -> list[str]:
    """A file without a review date or owner leaves the platform's (the API cannot clear them anyway)."""
    changed = []
    if file.review_by is not None and _iso(file.review_by) != article.get("review_by"):
        changed.append("review date")
    if file.owner is not None and file.owner != article.get("owner"):
        changed.append("owner")
    return changed


def _save_body(file: ArticleFile, *, base_version: int | None, publish: bool) -> dict[str, Any]:
    body = file.content() | {"publish": publish} | _maybe(owner=file.owner, review_by=_iso(file.review_by))
    return body | _maybe(base_version=base_version)


def _result(file: ArticleFile, outcome: Outcome, detail: str, *, code: str | None = None) -> ImportResult:
    return ImportResult(
        file=str(file.path or file.file_name),
        article_id=file.article_id,
        locale=file.locale,
        outcome=outcome,
        code=code,
        detail=detail,
    )


def _path(file: ArticleFile) -> str:
    return f"/v1/kb/articles/{file.article_id}/{file.locale}"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _maybe(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def _code(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("code")) if isinstance(error, dict) else None


def _check(status: int, body: Any) -> None:
    if not 200 <= status < 300:
        raise ApiError(status, body)


def _ok(answer: tuple[int, Any]) -> Any:
    status, body = answer
    _check(status, body)
    return body
