"""Customer routes of the knowledge base: search, suggestions as you type, articles, feedback."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import BaseModel, BeforeValidator

from functions.api import kb_pages
from functions.api.errors import error_responses
from functions.api.guard import FORM, media_type
from functions.api.pages import wants_html
from functions.api.responses import HTML, success
from functions.api.visitor import Visitor
from shared.bootstrap import container
from shared.domain.articles import ARTICLE_ID_PATTERN, LOCALE_PATTERN, LOCALE_RULE
from shared.domain.knowledge import SearchSuggestion
from shared.services.self_service import ArticleNotPublished, FeedbackRequest, PublishedArticle, SearchResponse

router = Router()  # type: ignore[no-untyped-call]

_TAGS = ["knowledge base"]
LocaleQuery = Annotated[
    str | None, Query(pattern=LOCALE_PATTERN, description=f"{LOCALE_RULE}. Default: the default language")
]
ArticlePath = Annotated[str, Path(pattern=ARTICLE_ID_PATTERN)]

# The article page's feedback forms post here (the guard lets their content type through).
FORM_POSTS = re.compile(r"/v1/kb/articles/[^/]+/feedback")


def _form_fields(body: Any) -> Any:
    """A form post comes parsed as lists of values: the first of each, blank ones left out (JSON is as sent)."""
    if media_type(router.current_event.raw_event) != FORM:
        return body
    return {name: values[0] for name, values in body.items() if values and values[0] != ""}


FeedbackBody = Annotated[
    FeedbackRequest,
    BeforeValidator(_form_fields),
    Body(description=f"JSON, or the same fields as an HTML form's post ({FORM}): what the article page sends"),
]
_ARTICLE: dict[int, Any] = {
    200: {
        "description": "The article (a page when the browser asks for HTML)",
        "content": {"application/json": {"model": PublishedArticle}, "text/html": HTML},
    }
}
_COUNTED: dict[int, Any] = {
    200: {
        "description": "Counted: a page thanking the customer, when the browser asks for HTML",
        "content": {"text/html": HTML},
    },
    204: {"description": "Counted", "content": {}},
}


class SuggestResponse(BaseModel):
    items: list[SearchSuggestion]


@router.get(
    "/v1/kb/search",
    summary="Search published articles; every search is logged (personal data removed)",
    tags=_TAGS,
    responses=success(SearchResponse) | error_responses(422),
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
    responses=success(SuggestResponse) | error_responses(422),
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
    description="A page with the short answer first and Yes/No feedback forms when the browser asks for HTML.",
    tags=_TAGS,
    responses=error_responses(404, 422) | _ARTICLE,
)
def get_article(
    article_id: ArticlePath,
    locale: LocaleQuery = None,
    search_id: Annotated[str | None, Query(max_length=64, description="The search it was opened from")] = None,
) -> Response[Any]:
    html = wants_html(router.current_event.raw_event)
    try:
        article = container().self_service.article(article_id, locale, search_id=search_id)
    except ArticleNotPublished:
        if not html:
            raise
        return kb_pages.not_found_page(locale or container().settings.default_language)
    if html:
        return kb_pages.article_page(article, search_id=search_id)
    # One URL, two representations: a cache must key on Accept (the page itself is never stored).
    headers = {"Vary": "Accept"}
    return Response(
        status_code=HTTPStatus.OK, content_type=content_types.APPLICATION_JSON, body=article, headers=headers
    )


@router.post(
    "/v1/kb/articles/<article_id>/feedback",
    summary="Whether the article helped, and optionally why not",
    tags=_TAGS,
    responses=error_responses(400, 404, 413, 415, 422) | _COUNTED,
)
def feedback(article_id: ArticlePath, request: FeedbackBody) -> Response[str]:
    html = wants_html(router.current_event.raw_event)
    locale = request.locale or container().settings.default_language
    try:
        container().self_service.feedback(article_id, request)
    except ArticleNotPublished:
        if not html:
            raise
        return kb_pages.not_found_page(locale)
    if html:
        return kb_pages.thanks_page(article_id, locale)
    return Response(status_code=HTTPStatus.NO_CONTENT, body="")
