"""What reaches the logs about an error: never the words of its message."""

from __future__ import annotations

import json

import pytest

from shared.observability import error_fields


def _fail_with(message: str) -> None:
    raise ValueError(message)


def test_error_fields_name_the_error_and_where_but_not_its_message() -> None:
    with pytest.raises(ValueError, match="mari") as caught:
        _fail_with("mari.maasikas@example.ee has a bad phone +37251234567")

    fields = error_fields(caught.value)

    assert fields["error_type"] == "ValueError"
    assert any("_fail_with" in frame for frame in fields["stack"])
    text = json.dumps(fields)
    assert "mari" not in text
    assert "3725" not in text
