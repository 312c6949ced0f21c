"""Agent routes for cases: list, read, change, notes, replies."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, Field

from functions.api.errors import error_responses
from functions.api.responses import success
from functions.api.routes.caller import AGENT_SECURITY, current_caller
from shared.bootstrap import container
from shared.domain.case import Case, CaseStatus
from shared.domain.events import CaseEvent
from shared.domain.ids import CaseId
from shared.domain.message import Message
from shared.observability import logger
from shared.services.cases import AddNoteRequest, ChangeCaseRequest, ReplyRequest

router = Router()  # type: ignore[no-untyped-call]


class ListCasesResponse(BaseModel):
    items: list[Case]
    next_cursor: str | None


class GetCaseResponse(Case):
    messages: list[Message]
    events: list[CaseEvent]
    omitted_messages: int = Field(description="Older messages left out to keep the answer small; see the timeline")


@router.get(
    "/v1/cases",
    summary="Cases in a queue, oldest first",
    tags=["cases"],
    security=AGENT_SECURITY,
    responses=success(ListCasesResponse) | error_responses(401, 403, 422),
)
def list_cases(
    queue: Annotated[str | None, Query(max_length=100)] = None,
    status: Annotated[CaseStatus | None, Query()] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> ListCasesResponse:
    current_caller(router)
    settings = container().settings
    page = container().cases.list(
        queue=queue or settings.default_queue, status=status, limit=limit or settings.default_page_size, cursor=cursor
    )
    return ListCasesResponse(items=page.items, next_cursor=page.next_cursor)


@router.get(
    "/v1/cases/<case_id>",
    summary="A case with its messages and events, by its id or its reference (`TG-7K3P9Q`, as customers quote it)",
    tags=["cases"],
    security=AGENT_SECURITY,
    responses=success(GetCaseResponse) | error_responses(401, 403, 404),
)
def get_case(case_id: Annotated[str, Path(description="A case id, or the case's reference")]) -> GetCaseResponse:
    current_caller(router)
    detail = container().cases.view(case_id)
    logger.append_keys(case_id=detail.case.case_id, customer_id=detail.case.customer_id)
    return GetCaseResponse(
        **detail.case.model_dump(),
        messages=detail.messages,
        events=detail.events,
        omitted_messages=detail.omitted_messages,
    )


@router.patch(
    "/v1/cases/<case_id>",
    summary="Change status, priority or assignee",
    description="Send the `version` you read; if the case changed since, the answer is 409 `version_conflict`.",
    tags=["cases"],
    security=AGENT_SECURITY,
    responses=success(Case) | error_responses(401, 403, 404, 409, 422),
)
def change_case(case_id: str, request: ChangeCaseRequest) -> Case:
    caller = current_caller(router)
    logger.append_keys(case_id=case_id)
    return container().cases.change(CaseId(case_id), request, actor=caller.agent_id)


@router.post(
    "/v1/cases/<case_id>/notes",
    summary="Add an internal note",
    tags=["cases"],
    security=AGENT_SECURITY,
    responses=success(Message, HTTPStatus.CREATED, "The note") | error_responses(401, 403, 404, 409, 422),
)
def add_note(case_id: str, request: AddNoteRequest) -> Response[Message]:
    caller = current_caller(router)
    logger.append_keys(case_id=case_id)
    note = container().cases.add_note(CaseId(case_id), request, agent=caller.agent_id)
    return Response(status_code=HTTPStatus.CREATED, body=note, content_type="application/json")


@router.post(
    "/v1/cases/<case_id>/replies",
    summary="Answer the customer by email",
    description="Sent with In-Reply-To/References and a Message-ID we record, so the customer's answer threads.",
    tags=["cases"],
    security=AGENT_SECURITY,
    responses=success(Message, HTTPStatus.CREATED, "The reply, recorded and sent (one that cannot be sent is a 422)")
    | error_responses(401, 403, 404, 409, 422),
)
def reply(case_id: str, request: ReplyRequest) -> Response[Message]:
    caller = current_caller(router)
    logger.append_keys(case_id=case_id)
    message = container().cases.reply_by_email(CaseId(case_id), request, agent=caller.agent_id)
    return Response(status_code=HTTPStatus.CREATED, body=message, content_type="application/json")
