"""The customer's verdict on an auto-answer: the link in the email opens a page with two buttons.

Opening the page changes nothing (mail scanners follow links); only the buttons' POSTs count.
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel

from functions.api.errors import error_responses
from functions.api.pages import page, wants_html
from functions.api.responses import HTML, success
from shared.bootstrap import container
from shared.domain.answers import AnswerOutcome
from shared.observability import logger, metrics

router = Router()  # type: ignore[no-untyped-call]

AnswerId = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]

_FORMS = """<p>Did our answer solve your problem?</p>
<form method="post" action="{answer_id}/solved"><button type="submit">Yes, it is solved</button></form>
<form method="post" action="{answer_id}/not-solved"><button type="submit">No, I need a person</button></form>"""


class VerdictResponse(BaseModel):
    outcome: AnswerOutcome


_VERDICT: dict[int, Any] = {
    200: {
        "description": "The verdict counted (HTML when the browser asks for it)",
        "content": {"application/json": {"model": VerdictResponse}, "text/html": HTML},
    }
}


def _page(title: str, body: str) -> Response[str]:
    # The link is the customer's key: the shell's headers keep it out of caches and Referers.
    return page("Did this solve your problem?", f"<h1>{escape(title)}</h1>{body}")


@router.get(
    "/v1/answers/<answer_id>",
    summary="The page behind the link in an auto-answer email",
    description="HTML with two buttons. Opening it changes nothing; the buttons POST the verdict.",
    responses=error_responses(404) | success(None, description="The page", html=True),
    tags=["customers"],
)
def answer_page(answer_id: AnswerId) -> Response[str]:
    answer = container().answer_verdicts.get(answer_id)
    if answer.outcome == AnswerOutcome.EXPIRED:
        return _page("This question has closed", "<p>A person from our team has your case.</p>")
    if answer.outcome is not None:
        return _page("Thank you", "<p>We have your answer already.</p>")
    # Relative actions: they work behind any stage or domain prefix.
    return _page("Did this solve your problem?", _FORMS.format(answer_id=escape(answer_id)))


def _verdict(answer_id: str, *, solved: bool) -> Response[Any]:
    outcome = container().answer_verdicts.give(answer_id, solved=solved)
    metrics.add_metric(name=f"AutoAnswer_{outcome.value}", unit="Count", value=1)
    logger.info("auto-answer verdict", extra={"outcome": outcome.value})
    if wants_html(router.current_event.raw_event):
        text = "Glad it helped." if solved else "A person from our team will get back to you."
        return _page("Thank you", f"<p>{text}</p>")
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=VerdictResponse(outcome=outcome))


@router.post(
    "/v1/answers/<answer_id>/solved",
    summary="The auto-answer solved the problem: the case is resolved",
    responses=error_responses(404, 409, 410) | _VERDICT,
    tags=["customers"],
)
def solved(answer_id: AnswerId) -> Response[Any]:
    return _verdict(answer_id, solved=True)


@router.post(
    "/v1/answers/<answer_id>/not-solved",
    summary="The auto-answer did not help: a person takes the case",
    responses=error_responses(404, 409, 410) | _VERDICT,
    tags=["customers"],
)
def not_solved(answer_id: AnswerId) -> Response[Any]:
    return _verdict(answer_id, solved=False)
