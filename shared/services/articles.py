"""Writing the knowledge base: agents draft and edit, supervisors publish, archive and restore.

Every change is checked against the revision the editor started from, so two people editing the
same translation never overwrite each other silently: the second gets 409 `edit_conflict`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from shared.domain.articles import Article, ArticleContent, ArticleId, ArticleStatus, ArticleVersion, LearnedPhrasing
from shared.domain.clock import utc_now
from shared.domain.ids import AgentId
from shared.domain.paging import InvalidCursor, Page
from shared.domain.personal_data import scrub_line
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.ports import ArticleStore, StaleVersion
from shared.settings import Settings


class ArticleNotFound(NotFound):
    code = "article_not_found"


class VersionNotFound(NotFound):
    code = "version_not_found"


class PhrasingNotFound(NotFound):
    code = "phrasing_not_found"


class EditConflict(Conflict):
    code = "edit_conflict"


class UnsupportedLocale(InvalidInput):
    code = "unsupported_locale"


class SaveArticleRequest(ArticleContent):
    """A new version of a translation. `base_version`: the latest version the editor started from
    (none for a new translation); `publish` serves the new version at once (supervisors)."""

    base_version: StrictInt | None = Field(default=None, ge=0)
    publish: StrictBool = False
    owner: AgentId | None = None
    review_by: date | None = None

    def content(self) -> ArticleContent:
        return ArticleContent.model_validate(self.model_dump(include=set(ArticleContent.model_fields)))


class ArticleDetailsRequest(BaseModel):
    """Who owns a translation and when it is due for review (no new version)."""

    model_config = ConfigDict(extra="forbid")

    owner: AgentId | None = None
    review_by: date | None = None


class ArticleEditor:
    def __init__(self, store: ArticleStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def get(self, article_id: str, locale: str) -> Article:
        self._check_locale(locale)
        article = self.store.get_article(article_id, locale, consistent=True)
        if article is None:
            raise ArticleNotFound(f"no {locale} translation of article {article_id}")
        return article

    def save(
        self, article_id: ArticleId, locale: str, request: SaveArticleRequest, *, by: AgentId, supervisor: bool
    ) -> Article:
        """Create the translation or add a version to it (and publish it, when asked)."""
        self._check_locale(locale)
        if request.publish and not supervisor:
            raise Forbidden("only supervisors publish articles")
        now = utc_now()
        article = self.store.get_article(article_id, locale, consistent=True)
        if article is None:
            if request.base_version:
                raise ArticleNotFound(f"no {locale} translation of article {article_id} to edit")
            article = Article.new(article_id, locale, request.content(), owner=request.owner or by, at=now)
            article.review_by = request.review_by
            version = article.edit(request.content(), by=by, at=now)
            if request.publish:
                self._publish(article, version)
            try:
                self.store.create_article(article, version)
            except StaleVersion as exc:
                raise EditConflict(f"someone created the {locale} translation of {article_id} meanwhile") from exc
            return article
        if request.base_version is None or request.base_version != article.latest_version:
            raise EditConflict(
                f"the {locale} translation of {article_id} is at version {article.latest_version}; "
                "reload it and apply your change again",
                details=[{"field": "base_version", "code": "latest_version", "message": str(article.latest_version)}],
            )
        expected = article.revision
        if request.owner is not None or request.review_by is not None:
            article.set_details(
                owner=request.owner or article.owner, review_by=request.review_by or article.review_by, at=now
            )
        version = article.edit(request.content(), by=by, at=now)
        if request.publish:
            self._publish(article, version)
        self._save(article, expected, version)
        return article

    def publish(self, article_id: str, locale: str, version_number: int | None, *, supervisor: bool) -> Article:
        """Serve a version (the latest by default; an older one rolls back) to customers."""
        if not supervisor:
            raise Forbidden("only supervisors publish articles")
        article = self.get(article_id, locale)
        number = version_number or article.latest_version
        version = self.store.get_version(article_id, locale, number)
        if version is None:
            raise VersionNotFound(f"article {article_id} ({locale}) has no version {number}")
        expected = article.revision
        self._publish(article, version)
        self._save(article, expected)
        return article

    def archive(self, article_id: str, locale: str, *, supervisor: bool) -> Article:
        """Stop serving the translation: it leaves search at once; publishing brings it back."""
        if not supervisor:
            raise Forbidden("only supervisors archive articles")
        article = self.get(article_id, locale)
        if article.status is ArticleStatus.ARCHIVED:
            return article
        expected = article.revision
        article.archive(at=utc_now())
        self._save(article, expected)
        return article

    def set_details(self, article_id: str, locale: str, request: ArticleDetailsRequest) -> Article:
        article = self.get(article_id, locale)
        expected = article.revision
        article.set_details(
            owner=request.owner or article.owner, review_by=request.review_by or article.review_by, at=utc_now()
        )
        self._save(article, expected)
        return article

    def restore(
        self, article_id: str, locale: str, version_number: int, *, by: AgentId, publish: bool, supervisor: bool
    ) -> Article:
        """Make an old version's content the newest version again (history is never rewritten)."""
        if publish and not supervisor:
            raise Forbidden("only supervisors publish articles")
        article = self.get(article_id, locale)
        old = self.store.get_version(article_id, locale, version_number)
        if old is None:
            raise VersionNotFound(f"article {article_id} ({locale}) has no version {version_number}")
        expected = article.revision
        version = article.edit(old.content, by=by, at=utc_now(), restored_from=version_number)
        if publish:
            self._publish(article, version)
        self._save(article, expected, version)
        return article

    def version(self, article_id: str, locale: str, number: int) -> ArticleVersion:
        self._check_locale(locale)
        version = self.store.get_version(article_id, locale, number)
        if version is None:
            raise VersionNotFound(f"article {article_id} ({locale}) has no version {number}")
        return version

    def history(self, article_id: str, locale: str, limit: int, cursor: str | None) -> Page[ArticleVersion]:
        self.get(article_id, locale)
        with cursor_checked():
            return self.store.list_versions(article_id, locale, limit, cursor)

    def list(
        self, locale: str, status: ArticleStatus | None, limit: int, cursor: str | None, *, stale: bool = False
    ) -> Page[Article]:
        """A locale's translations by status and review date; `stale`: published ones past their review date."""
        self._check_locale(locale)
        with cursor_checked():
            return self.store.list_articles(locale, status, limit, cursor, stale_on=utc_now().date() if stale else None)

    def phrasings(self, article_id: str, locale: str, limit: int, cursor: str | None) -> Page[LearnedPhrasing]:
        self.get(article_id, locale)
        with cursor_checked():
            return self.store.list_phrasings(article_id, locale, limit, cursor)

    def add_phrasing(self, article_id: str, locale: str, text: str, *, source: str = "agent") -> LearnedPhrasing:
        """Teach search a way customers ask for this article; the same text twice is one phrasing."""
        self.get(article_id, locale)
        clean = scrub_line(text, default_region=self.settings.default_phone_region)
        if not clean:
            raise InvalidInput("the phrasing is empty", code="empty_phrasing")
        phrasing = LearnedPhrasing.learn(
            ArticleId(article_id), locale, clean, key=clean.casefold(), source=source, at=utc_now()
        )
        self.store.add_phrasing(phrasing)
        return phrasing

    def remove_phrasing(self, article_id: str, locale: str, phrasing_id: str) -> None:
        """Agents remove a phrasing that taught search the wrong thing; it leaves search at once."""
        self._check_locale(locale)
        if not self.store.remove_phrasing(article_id, locale, phrasing_id):
            raise PhrasingNotFound(f"article {article_id} ({locale}) has no learned phrasing {phrasing_id}")

    # --- helpers ---------------------------------------------------------------------------

    def _publish(self, article: Article, version: ArticleVersion) -> None:
        article.publish(version, at=utc_now())
        if article.review_by is None:
            article.review_by = utc_now().date() + timedelta(days=self.settings.kb_review_days)

    def _save(self, article: Article, expected: int, version: ArticleVersion | None = None) -> None:
        try:
            self.store.save_article(article, expected, version)
        except StaleVersion as exc:
            raise EditConflict(
                f"the {article.locale} translation of {article.article_id} changed meanwhile; reload and try again"
            ) from exc

    def _check_locale(self, locale: str) -> None:
        if locale not in self.settings.kb_locales:
            raise UnsupportedLocale(
                f"articles are written in {', '.join(self.settings.kb_locales)}, not {locale!r}",
                details=[
                    {"field": "locale", "code": "supported", "message": known} for known in self.settings.kb_locales
                ],
            )


@contextmanager
def cursor_checked() -> Iterator[None]:
    try:
        yield
    except InvalidCursor as exc:
        raise InvalidInput("the cursor does not belong to this list", code="invalid_cursor") from exc
