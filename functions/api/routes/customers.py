"""Agent routes for customers: find, read, timeline, merge, unmerge."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from functions.api.errors import error_responses
from functions.api.responses import success
from functions.api.routes.caller import AGENT_SECURITY, SUPERVISOR_SECURITY, SUPERVISORS, current_caller
from shared.bootstrap import container
from shared.domain.identity import Identity
from shared.domain.ids import CustomerId
from shared.domain.merge import MergeRecord
from shared.domain.timeline import TimelineEntry
from shared.errors import InvalidInput
from shared.observability import logger
from shared.services.customers import CustomerView

router = Router()  # type: ignore[no-untyped-call]


class TimelineResponse(BaseModel):
    items: list[TimelineEntry]
    next_cursor: str | None


class MergeCustomerRequest(BaseModel):
    source_customer_id: CustomerId = Field(description="The customer merged into this one (its timeline moves)")


@router.get(
    "/v1/customers",
    summary="Find a customer by email or phone",
    description="Give `email` or `phone` (neither: 422 `identity_required`), in any spelling.",
    tags=["customers"],
    security=AGENT_SECURITY,
    responses=success(CustomerView) | error_responses(401, 403, 404, 422),
)
def find_customer(
    email: Annotated[str | None, Query(max_length=254)] = None,
    phone: Annotated[str | None, Query(max_length=32)] = None,
) -> CustomerView:
    current_caller(router)
    services = container()
    identities = [
        *([Identity.email(email)] if email else []),
        *([Identity.phone(phone, services.settings.default_phone_region)] if phone else []),
    ]
    if not identities:
        raise InvalidInput("give email or phone", code="identity_required")
    return services.customers.find(identities)


@router.get(
    "/v1/customers/<customer_id>",
    summary="A customer and their identities",
    tags=["customers"],
    security=AGENT_SECURITY,
    responses=success(CustomerView) | error_responses(401, 403, 404),
)
def get_customer(customer_id: str) -> CustomerView:
    current_caller(router)
    return container().customers.get(CustomerId(customer_id))


class ChangeCustomerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vip: StrictBool = Field(description="VIP customers' cases start at a higher priority")


@router.patch(
    "/v1/customers/<customer_id>",
    summary="Mark a customer as VIP, or not (supervisors)",
    tags=["customers"],
    security=SUPERVISOR_SECURITY,
    responses=success(CustomerView) | error_responses(401, 403, 404, 409, 422),
)
def change_customer(customer_id: str, request: ChangeCustomerRequest) -> CustomerView:
    caller = current_caller(router, allowed=SUPERVISORS)
    return container().customers.set_vip(CustomerId(customer_id), request.vip, actor=caller.agent_id)


@router.get(
    "/v1/customers/<customer_id>/timeline",
    summary="Every message and event of the customer, newest first",
    tags=["customers"],
    security=AGENT_SECURITY,
    responses=success(TimelineResponse) | error_responses(401, 403, 404, 422),
)
def timeline(
    customer_id: str,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> TimelineResponse:
    current_caller(router)
    logger.append_keys(customer_id=customer_id)
    services = container()
    page = services.customers.timeline(
        CustomerId(customer_id), limit=limit or services.settings.default_page_size, cursor=cursor
    )
    return TimelineResponse(items=page.items, next_cursor=page.next_cursor)


@router.post(
    "/v1/customers/<customer_id>/merge",
    summary="Merge another customer into this one",
    description="Both timelines become one and the cases move. Idempotent; undo with `/unmerge`.",
    tags=["customers"],
    security=AGENT_SECURITY,
    responses=success(MergeRecord) | error_responses(401, 403, 404, 409, 422),
)
def merge(customer_id: str, request: MergeCustomerRequest) -> MergeRecord:
    caller = current_caller(router)
    logger.append_keys(customer_id=customer_id)
    return container().customers.merge(
        target_id=CustomerId(customer_id), source_id=request.source_customer_id, actor=caller.agent_id
    )


@router.post(
    "/v1/customers/<customer_id>/unmerge",
    summary="Undo the merge of this customer into another",
    description="Its identities and cases (and those that came through them since) move back. Idempotent.",
    tags=["customers"],
    security=AGENT_SECURITY,
    responses=success(MergeRecord) | error_responses(401, 403, 404, 409, 422),
)
def unmerge(customer_id: str) -> MergeRecord:
    caller = current_caller(router)
    logger.append_keys(customer_id=customer_id)
    return container().customers.unmerge(source_id=CustomerId(customer_id), actor=caller.agent_id)
