"""Customer-facing routes: the web form."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api.errors import error_responses
from functions.api.responses import success
from functions.api.visitor import Visitor
from shared.bootstrap import container
from shared.observability import logger, metrics
from shared.services.contacts import SubmitContactRequest, SubmitContactResponse

router = Router()  # type: ignore[no-untyped-call]


@router.post(
    "/v1/contacts",
    summary="Send a message through the web form",
    description="Opens a case on the customer's timeline. At least one of `email` and `phone` is required.",
    responses=success(SubmitContactResponse, HTTPStatus.ACCEPTED, "Accepted: the case is open")
    | error_responses(400, 413, 415, 422),
    tags=["customers"],
)
def submit_contact(request: SubmitContactRequest, visitor: Visitor = None) -> Response[SubmitContactResponse]:
    accepted = container().contact_form.submit(request, visitor=visitor)
    logger.append_keys(case_id=accepted.case_id, customer_id=accepted.customer_id)
    metrics.add_metric(name="ContactsSubmitted", unit="Count", value=1)
    return Response(status_code=HTTPStatus.ACCEPTED, body=accepted.public(), content_type="application/json")
