"""Agent routes for reports: what the knowledge base should say next."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.api.errors import error_responses
from functions.api.responses import success
from functions.api.routes.caller import AGENT_SECURITY, current_caller
from shared.bootstrap import container
from shared.domain.articles import LOCALE_PATTERN, LOCALE_RULE
from shared.services.kb_reports import GapsReport

router = Router()  # type: ignore[no-untyped-call]


@router.get(
    "/v1/reports/kb-gaps",
    summary="Knowledge gaps: searches with no good result and contacts with no article, grouped by wording",
    description=(
        "Also the deflection rate (searches after which the visitor made no contact within"
        " `TUGI_KB_DEFLECTION_DAYS`), overall and per article read, and the least helpful articles."
    ),
    tags=["reports"],
    security=AGENT_SECURITY,
    responses=success(GapsReport) | error_responses(401, 403, 422),
)
def kb_gaps(
    days: Annotated[int, Query(ge=1, le=90, description="The period: this many days up to now")] = 30,
    locale: Annotated[
        str | None, Query(pattern=LOCALE_PATTERN, description=f"{LOCALE_RULE}. Default: every locale")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Gaps and articles listed")] = 20,
    min_votes: Annotated[int, Query(ge=1, le=1000, description="Verdicts an article needs to be rated")] = 3,
) -> GapsReport:
    current_caller(router)
    return container().kb_reports.gaps(days=days, locale=locale, limit=limit, min_votes=min_votes)
