"""Knowledge-base translations as Markdown files with YAML front matter, one file per translation.

A file is `<article_id>.<locale>.md`: front matter between `---` lines (`id`, `locale`, `title`,
`short_answer`, `tags`, `review_by`, `status`, `owner`, `phrasings`), then the Markdown body. `id` and
`locale` may be left out when the file name gives them; when both say something, they must agree.
`tugi kb export` writes what `tugi kb import` reads, so importing an export changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import frontmatter
import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints (no types-PyYAML in the venv)
from frontmatter.default_handlers import YAMLHandler
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from shared.domain.articles import ARTICLE_ID_PATTERN, LOCALE_PATTERN, MAX_BODY_CHARS, ArticleStatus, Tag

FRONT_MATTER_KEYS = ("id", "locale", "title", "short_answer", "tags", "review_by", "status", "owner", "phrasings")
_FIELD_TO_KEY = {"article_id": "id"}

Phrasing = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class ArticleFile(BaseModel):
    """One translation as a file holds it. `status`: what the import makes it (draft never unpublishes)."""

    model_config = ConfigDict(extra="forbid")

    article_id: Annotated[str, StringConstraints(pattern=ARTICLE_ID_PATTERN)]
    locale: Annotated[str, StringConstraints(pattern=LOCALE_PATTERN)]
    title: str = Field(min_length=1, max_length=200)
    short_answer: str = Field(default="", max_length=600)
    body: str = Field(default="", max_length=MAX_BODY_CHARS)
    tags: list[Tag] = Field(default=[], max_length=20)
    review_by: date | None = None
    status: ArticleStatus = ArticleStatus.DRAFT
    owner: str | None = None
    phrasings: list[Phrasing] = []
    path: Path | None = None

    @field_validator("phrasings")
    @classmethod
    def _once_each(cls, phrasings: list[str]) -> list[str]:
        seen: set[str] = set()
        unique = []
        for text in phrasings:
            if (key := phrasing_key(text)) not in seen:
                seen.add(key)
                unique.append(text)
        return unique

    @property
    def file_name(self) -> str:
        return f"{self.article_id}.{self.locale}.md"

    def content(self) -> dict[str, Any]:
        """The part that makes a new version when it changes (the API's `latest`)."""
        return {"title": self.title, "short_answer": self.short_answer, "body": self.body, "tags": self.tags}

    @classmethod
    def from_api(cls, article: Mapping[str, Any], phrasings: Iterable[str]) -> ArticleFile:
        """A translation from the API's Article JSON: its latest text, and the status that re-imports as is.

        A published translation with unpublished changes is written as a draft of the latest text:
        importing it back changes nothing (a draft never unpublishes), and publishing stays a person's call.
        """
        status = ArticleStatus(article["status"])
        if status is ArticleStatus.PUBLISHED and article.get("has_unpublished_changes"):
            status = ArticleStatus.DRAFT
        latest = article["latest"]
        return cls(
            article_id=article["article_id"],
            locale=article["locale"],
            title=latest["title"],
            short_answer=latest.get("short_answer") or "",
            body=(latest.get("body") or "").strip(),
            tags=latest.get("tags") or [],
            review_by=article.get("review_by"),
            status=status,
            owner=article.get("owner"),
            phrasings=list(phrasings),
        )


class ArticleFileError(ValueError):
    """A file that is not a translation; `message` says why, for the person who wrote it."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def phrasing_key(text: str) -> str:
    """Phrasings that differ only in case and spacing are one phrasing (as the API stores them)."""
    return " ".join(text.split()).casefold()


def article_paths(folder: Path) -> list[Path]:
    """Every `*.md` under `folder` (recursively), README.md files left out, in a stable order."""
    return sorted(p for p in folder.rglob("*.md") if p.is_file() and p.name.lower() != "readme.md")


def read_folder(folder: Path) -> list[ArticleFile | ArticleFileError]:
    """Every translation under `folder`; a bad file is an ArticleFileError in its place, the rest still read."""
    results: list[ArticleFile | ArticleFileError] = []
    first: dict[tuple[str, str], Path] = {}
    for path in article_paths(folder):
        try:
            article = read_article_file(path)
        except ArticleFileError as error:
            results.append(error)
            continue
        key = (article.article_id, article.locale)
        if key in first:
            results.append(ArticleFileError(path, f"the same translation ({key[0]}, {key[1]}) as {first[key]}"))
            continue
        first[key] = path
        results.append(article)
    return results


def read_article_file(path: Path) -> ArticleFile:
    """Parse one file; ArticleFileError (never anything else) says what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ArticleFileError(path, "not UTF-8 text") from None
    except OSError as exc:
        raise ArticleFileError(path, f"cannot read: {exc.strerror or exc}") from None
    handler = YAMLHandler()
    if not handler.detect(text.lstrip()):
        raise ArticleFileError(path, "no front matter: the file must start with a `---` line")
    try:
        front, body = handler.split(text.lstrip())
    except ValueError:
        raise ArticleFileError(path, "the front matter has no closing `---` line") from None
    try:
        loaded = handler.load(front)
    except yaml.YAMLError as exc:
        lines_before = text[: len(text) - len(text.lstrip())].count("\n")
        raise ArticleFileError(
            path, f"the front matter is not valid YAML: {_yaml_problem(exc, lines_before)}"
        ) from None
    if loaded is not None and not isinstance(loaded, dict):
        raise ArticleFileError(path, "the front matter must be `key: value` lines")
    metadata: dict[str, Any] = loaded or {}
    unknown = sorted(set(metadata) - set(FRONT_MATTER_KEYS))
    if unknown:
        raise ArticleFileError(
            path, f"unknown front matter key(s): {', '.join(map(str, unknown))} (known: {', '.join(FRONT_MATTER_KEYS)})"
        )
    fields = {"article_id" if key == "id" else key: value for key, value in metadata.items()}
    for field, from_name in zip(("article_id", "locale"), _name_parts(path), strict=True):
        if from_name is None:
            continue
        if field in fields and fields[field] != from_name:
            key = _FIELD_TO_KEY.get(field, field)
            raise ArticleFileError(
                path, f"the front matter says {key} {fields[field]!r} but the file name says {from_name!r}"
            )
        fields[field] = from_name
    try:
        return ArticleFile.model_validate(fields | {"body": body.strip(), "path": path})
    except ValidationError as exc:
        raise ArticleFileError(path, _validation_problem(exc)) from None


def dumps_article(article: ArticleFile) -> str:
    """The file's text: front matter in a fixed order (unset optional keys left out), then the body."""
    metadata: dict[str, Any] = {
        "id": article.article_id,
        "locale": article.locale,
        "title": article.title,
        "short_answer": article.short_answer,
        "tags": article.tags,
    }
    if article.review_by is not None:
        metadata["review_by"] = article.review_by
    metadata["status"] = article.status.value
    if article.owner is not None:
        metadata["owner"] = article.owner
    metadata["phrasings"] = article.phrasings
    # No line folding: one short answer stays one line, as people write them.
    text = frontmatter.dumps(frontmatter.Post(article.body, **metadata), sort_keys=False, width=1_000_000)
    return text.rstrip("\n") + "\n"


def write_article_file(article: ArticleFile, folder: Path) -> Path:
    """Write `<folder>/<id>.<locale>.md` (replacing it); returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / article.file_name
    path.write_text(dumps_article(article), encoding="utf-8")
    return path


def _name_parts(path: Path) -> tuple[str | None, str | None]:
    """(id, locale) from a name shaped `<id>.<locale>.md`; other names give neither."""
    parts = path.name.removesuffix(".md").split(".")
    return (parts[0], parts[1]) if len(parts) == 2 else (None, None)


def _yaml_problem(exc: Exception, lines_before: int) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    # The front matter text starts at the end of the opening `---` line, which is its line 0.
    return f"{problem} (line {mark.line + 1 + lines_before})" if mark is not None else str(problem)


_PATTERN_HINTS = {
    "article_id": "lowercase letters, digits, _ and - (starting with a letter or digit, at most 64)",
    "locale": "two lowercase letters, such as en",
}


def _validation_problem(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        where = ".".join(str(part) for part in (_FIELD_TO_KEY.get(field, field), *error["loc"][1:])) or "front matter"
        if error["type"] == "missing":
            problems.append(f"{where} is missing")
        elif error["type"] == "string_pattern_mismatch" and field in _PATTERN_HINTS:
            problems.append(f"{where} {error['input']!r} must be {_PATTERN_HINTS[field]}")
        elif error["type"] == "string_type":  # YAML read `yes`, `3` or a date: not text
            problems.append(f"{where}: {error['input']!r} is not text (put it in quotes)")
        else:
            problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)
