"""Lambda entry: the contact workflow's tasks, one function for all (infra/workflows/contact.asl.json).

Errors propagate: Lambda reports the exception's class name as `errorType`, which the state
machine's `Retry` and `Catch` match. Logs carry the task and the case id, never message text.
"""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from shared.bootstrap import container
from shared.domain.ids import CaseId
from shared.observability import error_fields, logger, metrics, tracer


class TaskEvent(BaseModel):
    task: Literal["triage", "acknowledge", "auto_answer", "resolve_answered", "route", "sla_watch", "needs_attention"]
    case_id: CaseId = Field(min_length=1, max_length=64)
    task_token: str | None = None  # auto_answer: none when the case goes to a person at once
    error: dict[str, Any] | None = None
    notified: bool = False  # sla_watch: the previous round's escalation message was published
    claim: bool = False  # sla_watch: this execution's first round, which takes the watch over
    watch: str = Field(default="", max_length=80)  # sla_watch: the execution's name


def run(event: TaskEvent) -> dict[str, Any]:
    workflow = container().workflow
    match event.task:
        case "triage":
            return workflow.triage(event.case_id).model_dump()
        case "acknowledge":
            workflow.acknowledge(event.case_id)
        case "auto_answer":
            workflow.auto_answer(event.case_id, event.task_token)
        case "resolve_answered":
            workflow.resolve_answered(event.case_id)
        case "route":
            return workflow.route(event.case_id).model_dump()
        case "sla_watch":
            result = workflow.sla_watch(event.case_id, notified=event.notified, claim=event.claim, watch=event.watch)
            return result.model_dump()
        case "needs_attention":
            workflow.needs_attention(event.case_id, event.error)
    return {}


def scrubbed(exc: Exception) -> Exception:
    """The same class name, which the state machine's Retry and Catch match, without the message.

    Lambda reports the message as the error's cause into the execution's history (and prints it to
    the log); messages can quote what a customer wrote, so only our log line above has the details.
    """
    same_name: type[Exception] = type(type(exc).__name__, (Exception,), {"__module__": __name__})
    return same_name("the task failed; see the function's log for this request id")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False, capture_error=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = TaskEvent.model_validate(event)
    logger.append_keys(task=task.task, case_id=task.case_id)
    try:
        result = run(task)
    except Exception as exc:  # noqa: BLE001 - every failure is re-raised, under the same class name
        logger.warning("workflow task failed", extra=error_fields(exc))
        raise scrubbed(exc) from None
    metrics.add_metric(name=f"Task_{task.task}", unit="Count", value=1)
    return result
