"""The workflow tasks' Lambda entry: what reaches Step Functions when a task fails."""

from __future__ import annotations

from functions.workflow.tasks import scrubbed
from shared.errors import InvalidInput


def test_a_failure_keeps_its_class_name_for_retry_and_catch_but_not_its_message() -> None:
    original = InvalidInput("mari.maasikas@example.ee wrote: my card 4111 1111 1111 1111 was stolen")

    reported = scrubbed(original)

    assert type(reported).__name__ == "InvalidInput"
    assert "mari" not in str(reported)
    assert "4111" not in str(reported)
