"""Agent routes for writing the knowledge base: translations, versions, publishing, learned phrasings."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from functions.api.auth import Role
from functions.api.errors import error_responses
from functions.api.responses import success
from functions.api.routes.caller import AGENT_SECURITY, SUPERVISOR_SECURITY, SUPERVISORS, current_caller
from shared.bootstrap import container
from shared.domain.articles import (
    ARTICLE_ID_PATTERN,
    LOCALE_PATTERN,
    LOCALE_RULE,
    Article,
    ArticleId,
    ArticleStatus,
    ArticleVersion,
    LearnedPhrasing,
)
from shared.services.articles import ArticleDetailsRequest, SaveArticleRequest
from shared.services.kb_indexer import ReindexPage

router = Router()  # type: ignore[no-untyped-call]

ArticlePath = Annotated[str, Path(pattern=ARTICLE_ID_PATTERN)]
LocalePath = Annotated[str, Path(pattern=LOCALE_PATTERN, description=LOCALE_RULE)]
Limit = Annotated[int | None, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=2048)]
_TAGS = ["knowledge base (editing)"]
_ONE = "/v1/kb/articles/<article_id>/<locale>"


class ListArticlesResponse(BaseModel):
    items: list[Article]
    next_cursor: str | None


class ListVersionsResponse(BaseModel):
    items: list[ArticleVersion]
    next_cursor: str | None


class ListPhrasingsResponse(BaseModel):
    items: list[LearnedPhrasing]
    next_cursor: str | None


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: StrictInt | None = Field(default=None, ge=1, description="Default: the latest version")


class RestoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    publish: StrictBool = Field(default=False, description="Serve the restored version at once (supervisors)")


class AddPhrasingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1000, description="A customer's question; personal data is removed")


class ReindexRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locale: str = Field(pattern=LOCALE_PATTERN, description=LOCALE_RULE)
    cursor: str | None = Field(default=None, max_length=2048)
    limit: StrictInt = Field(default=50, ge=1, le=100)


def _supervisor() -> bool:
    return Role.SUPERVISOR in current_caller(router).roles


@router.get(
    "/v1/kb/articles",
    summary="A locale's translations by status and review date; `stale=true`: published ones past review",
    tags=_TAGS,
    security=AGENT_SECURITY,
    responses=success(ListArticlesResponse) | error_responses(401, 403, 422),
)
def list_articles(
    locale: Annotated[str, Query(pattern=LOCALE_PATTERN, description=LOCALE_RULE)] = "en",
    status: Annotated[ArticleStatus | None, Query()] = None,
    stale: Annotated[bool, Query()] = False,
    limit: Limit = None,
    cursor: Cursor = None,
) -> ListArticlesResponse:
    current_caller(router)
    page = container().article_editor.list(
        locale, status, limit or container().settings.default_page_size, cursor, stale=stale
    )
    return ListArticlesResponse(items=page.items, next_cursor=page.next_cursor)


@router.get(
    _ONE,
    summary="A translation as editors see it",
    tags=_TAGS,
    security=AGENT_SECURITY,
    responses=success(Article) | error_responses(401, 403, 404, 422),
)
def get_article(article_id: ArticlePath, locale: LocalePath) -> Article:
    current_caller(router)
    return container().article_editor.get(article_id, locale)


@router.put(
    _ONE,
    summary="Create a translation or save a new version of it (`base_version`: the version you edited)",
    tags=_TAGS,
    security=AGENT_SECURITY,
    responses=success(Article, description="The new version")
    | success(Article, HTTPStatus.CREATED, "The new translation")
    | error_responses(400, 401, 403, 404, 409, 422),
)
def save_article(article_id: ArticlePath, locale: LocalePath, request: SaveArticleRequest) -> Response[Article]:
    caller = current_caller(router)
    created = request.base_version is None
    article = container().article_editor.save(
        ArticleId(article_id), locale, request, by=caller.agent_id, supervisor=Role.SUPERVISOR in caller.roles
    )
    status = HTTPStatus.CREATED if created else HTTPStatus.OK
    return Response(status_code=status, body=article, content_type=content_types.APPLICATION_JSON)


@router.patch(
    _ONE,
    summary="Change a translation's owner or review date",
    tags=_TAGS,
    security=AGENT_SECURITY,
    responses=success(Article) | error_responses(400, 401, 403, 404, 409, 422),
)
def change_article(article_id: ArticlePath, locale: LocalePath, request: ArticleDetailsRequest) -> Article:
    current_caller(router)
    return container().article_editor.set_details(article_id, locale, request)


@router.post(
    f"{_ONE}/publish",
    summary="Serve a version to customers (supervisors); an older version rolls back",
    tags=_TAGS,
    security=SUPERVISOR_SECURITY,
    responses=success(Article) | error_responses(400, 401, 403, 404, 409, 422),
)
def publish_article(article_id: ArticlePath, locale: LocalePath, request: PublishRequest) -> Article:
    return container().article_editor.publish(article_id, locale, request.version, supervisor=_supervisor())


@router.post(
    f"{_ONE}/archive",
    summary="Stop serving a translation (supervisors); it leaves search at once",
    tags=_TAGS,
    security=SUPERVISOR_SECURITY,
    responses=success(Article) | error_responses(401, 403, 404, 409, 422),
)
def archive_article(article_id: ArticlePath, locale: LocalePath) -> Article:
    return container().article_editor.archive(article_id, locale, supervisor=_supervisor())


@router.get(
    f"{_ONE}/versions",
    summary="A translation's versions, newest first",
    tags=_TAGS,
    security=AGENT_SECURITY,
    responses=success(ListVersionsResponse) | error_responses(401, 403, 404, 422),
)
def list_versions(
    article_id: ArticlePath, locale: LocalePath, limit: Limit = None, cursor: Cursor = None
) -> ListVersionsResponse:
    current_caller(router)
    page = container().article_editor.history(
        article_id, locale, limit or container().settings.default_page_size, cursor
    )
    return ListVersionsResponse(items=page.items, next_cursor=page.next_cursor)


@router.get(
    f"{_ONE}/versions/<version>",
    summary="One version of a translation",
    tags=_TAGS,
    security=AGENT_SECURITY,
    responses=success(ArticleVersion) | error_responses(401, 403, 404, 422),
)
def get_version(article_id: ArticlePath, locale: LocalePath, version: Annotated[int, Path(ge=1)]) -> ArticleVersion:
    current_caller(router)
    return container().article_editor.version(article_id, locale, version)


@router.post(
    f"{_ONE}/versions/<version>/restore",
    summary="Save an old version's content as the newest version",
    tags=_TAGS,
    security=AGENT_SECURITY,
    responses=success(Article) | error_responses(400, 401, 403, 404, 409, 422),
)
def restore_version(
    article_id: ArticlePath, locale: LocalePath, version: Annotated[int, Path(ge=1)], request: RestoreRequest
) -> Article:
    caller = current_caller(router)
    return container().article_editor.restore(
        article_id,
        locale,
        version,
        by=caller.agent_id,
        publish=request.publish,
        supervisor=Role.SUPERVISOR in caller.roles,
    )


@router.get(
    f"{_ONE}/phrasings",
    summary="Customers' questions this translation answered (learned phrasings)",
    tags=_TAGS,
    security=AGENT_SECURITY,
    responses=success(ListPhrasingsResponse) | error_responses(401, 403, 404, 422),
)
def list_phrasings(
    article_id: ArticlePath, locale: LocalePath, limit: Limit = None, cursor: Cursor = None
) -> ListPhrasingsResponse:
    current_caller(router)
    page = container().article_editor.phrasings(
        article_id, locale, limit or container().settings.default_page_size, cursor
    )
    return ListPhrasingsResponse(items=page.items, next_cursor=page.next_cursor)


@router.post(
    f"{_ONE}/phrasings",
    summary="Teach search a way customers ask for this article (the same text twice is one phrasing)",
    tags=_TAGS,
    security=AGENT_SECURITY,
    responses=success(LearnedPhrasing, HTTPStatus.CREATED, "The phrasing (the one already taught, for the same text)")
    | error_responses(400, 401, 403, 404, 422),
)
def add_phrasing(article_id: ArticlePath, locale: LocalePath, request: AddPhrasingRequest) -> Response[LearnedPhrasing]:
    current_caller(router)
    phrasing = container().article_editor.add_phrasing(article_id, locale, request.text)
    return Response(status_code=HTTPStatus.CREATED, body=phrasing, content_type=content_types.APPLICATION_JSON)


@router.post(
    "/v1/kb/reindex",
    summary="Rebuild one page of a locale's search index from the table (supervisors); repeat with next_cursor",
    tags=_TAGS,
    security=SUPERVISOR_SECURITY,
    responses=success(ReindexPage) | error_responses(400, 401, 403, 422),
)
def reindex(request: ReindexRequest) -> ReindexPage:
    current_caller(router, SUPERVISORS)
    return container().kb_indexer.reindex(request.locale, request.cursor, request.limit)


@router.delete(
    f"{_ONE}/phrasings/<phrasing_id>",
    summary="Remove a learned phrasing that taught search the wrong thing",
    tags=_TAGS,
    security=AGENT_SECURITY,
    responses=success(None, HTTPStatus.NO_CONTENT, "Removed (or not there)") | error_responses(401, 403, 404, 422),
)
def remove_phrasing(
    article_id: ArticlePath, locale: LocalePath, phrasing_id: Annotated[str, Path(max_length=64)]
) -> Response[str]:
    current_caller(router)
    container().article_editor.remove_phrasing(article_id, locale, phrasing_id)
    return Response(status_code=HTTPStatus.NO_CONTENT, body="")
