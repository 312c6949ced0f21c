"""Lambda entry, on a schedule: start the workflow of any case whose start was lost.

The case stream starts every execution; a record it could not deliver within a day goes to its
DLQ. This sweep is the second net: a case still `new` some minutes after it arrived gets its
execution now (named after the case, so a start that did happen is not repeated).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.bootstrap import container
from shared.observability import logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False, capture_error=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    result = container().workflow_sweep.run()
    metrics.add_metric(name="WorkflowsStartedBySweep", unit="Count", value=result.started)
    metrics.add_metric(name="CasesStuckNew", unit="Count", value=result.stuck)
    if result.started or result.stuck:
        logger.warning("the sweep found cases without a workflow", extra=result.model_dump())
    return result.model_dump()
