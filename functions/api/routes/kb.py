"""Customer routes of the knowledge base: search, suggestions as you type, articles, feedback."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query
from pydantic import BaseModel

from functions.api.errors import error_responses
from shared.bootstrap import container
from shared.domain.articles import ARTICLE_ID_PATTERN, LOCALE_PATTERN
from shared.domain.knowledge import SearchSuggestion
from shared.services.self_service import FeedbackRequest, PublishedArticle, SearchResponse

router = Router()  # type: ignore[no-untyped-call]

_TAGS = ["knowledge base"]
LocaleQuery = Annotated[str | None, Query(pattern=LOCALE_PATTERN, description="Default: the default language")]
ArticlePath = Annotated[str, Path(pattern=ARTICLE_ID_PATTERN)]
Visitor = Annotated[
    str | None,
    Header(
        alias="x-tugi-visitor",
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="The portal's random per-browser id: searches followed by no contact count as deflected",
    ),
]


class SuggestResponse(BaseModel):
    items: list[SearchSuggestion]


@router.get(
    "/v1/kb/search",
    summary="Search published articles; every search is logged (personal data removed)",
    tags=_TAGS,
    responses=error_responses(422),
)
def search(
    q: Annotated[str, Query(min_length=1, max_length=500)],
    locale: LocaleQuery = None,
    limit: Annotated[int | None, Query(ge=1, le=20)] = None,
    visitor: Visitor = None,
) -> SearchResponse:
    return container().self_service.search(q, locale, visitor=visitor, limit=limit or 5)


@router.get(
    "/v1/kb/suggest",
    summary="Article titles for what the customer has typed so far",
    tags=_TAGS,
    responses=error_responses(422),
)
def suggest(
    q: Annotated[str, Query(min_length=1, max_length=200)],
    locale: LocaleQuery = None,
    limit: Annotated[int | None, Query(ge=1, le=10)] = None,
) -> SuggestResponse:
    return SuggestResponse(items=container().self_service.suggest(q, locale, limit=limit or 5))


@router.get(
    "/v1/kb/articles/<article_id>",
    summary="A published article: the short answer first, then the body as sanitised HTML",
    tags=_TAGS,
    responses=error_responses(404, 422),
)
def get_article(
    article_id: ArticlePath,
    locale: LocaleQuery = None,
    search_id: Annotated[str | None, Query(max_length=64, description="The search it was opened from")] = None,
) -> PublishedArticle:
    return container().self_service.article(article_id, locale, search_id=search_id)


@router.post(
    "/v1/kb/articles/<article_id>/feedback",
    summary="Whether the article helped, and optionally why not",
    tags=_TAGS,
    responses=error_responses(400, 404, 413, 415, 422),
)
def feedback(article_id: ArticlePath, request: FeedbackRequest) -> Response[str]:
    container().self_service.feedback(article_id, request)
    return Response(status_code=HTTPStatus.NO_CONTENT, body="")
