"""Paging cursors: an opaque, URL-safe LastEvaluatedKey that only the query that issued it accepts back."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.adapters.dynamo.table import decode_cursor, encode_cursor
from shared.domain.paging import InvalidCursor

LAST_KEY = {"PK": "CUSTOMER#cus_01", "SK": "CASE#2026-11-22T10:00:00.000000Z#case_01"}
SAME_PARTITION = {"PK": "CUSTOMER#cus_01"}


def cursor_of(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def test_cursor_gives_back_the_last_evaluated_key() -> None:
    cursor = encode_cursor(LAST_KEY)
    assert cursor is not None
    assert decode_cursor(cursor, expect=SAME_PARTITION) == LAST_KEY


def test_cursor_is_url_safe_without_padding() -> None:
    cursor = encode_cursor({"PK": "CUSTOMER#ü?/+", "SK": "~~~>>>???"})
    assert cursor is not None
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_cursor_of_the_same_key_is_the_same_whatever_the_key_order() -> None:
    assert encode_cursor({"PK": "a", "SK": "b"}) == encode_cursor({"SK": "b", "PK": "a"})


@pytest.mark.parametrize("last_key", [None, {}])
def test_no_last_key_means_no_cursor(last_key: dict[str, str] | None) -> None:
    assert encode_cursor(last_key) is None


@pytest.mark.parametrize("cursor", [None, ""])
def test_no_cursor_means_start_from_the_beginning(cursor: str | None) -> None:
    assert decode_cursor(cursor, expect=SAME_PARTITION) is None


def test_cursor_from_another_partition_is_refused() -> None:
    cursor = encode_cursor({"PK": "CUSTOMER#cus_02", "SK": "CASE#x"})
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, expect=SAME_PARTITION)


def test_cursor_without_the_expected_key_is_refused() -> None:
    cursor = encode_cursor({"SK": "CASE#x"})
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, expect=SAME_PARTITION)


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("!!!!", id="not-base64"),
        pytest.param("a", id="one-character"),
        pytest.param("not a cursor at all", id="words"),
        pytest.param("ÿÿÿÿ", id="non-ascii"),
        pytest.param(cursor_of(b"\xff\xfe\x00garbage"), id="binary"),
        pytest.param(cursor_of(b"{'PK': 'x'}"), id="not-json"),
        pytest.param(cursor_of(json.dumps(LAST_KEY).encode())[:-5], id="truncated"),
        pytest.param(cursor_of(b"null"), id="json-null"),
        pytest.param(cursor_of(b'["PK", "CUSTOMER#cus_01"]'), id="json-list"),
        pytest.param(cursor_of(b'"CUSTOMER#cus_01"'), id="json-string"),
        pytest.param(cursor_of(b"42"), id="json-number"),
        pytest.param(cursor_of(b'{"PK": "CUSTOMER#cus_01", "SK": 1}'), id="number-value"),
        pytest.param(cursor_of(b'{"PK": "CUSTOMER#cus_01", "SK": null}'), id="null-value"),
        pytest.param(cursor_of(b'{"PK": "CUSTOMER#cus_01", "SK": {"S": "x"}}'), id="object-value"),
        pytest.param(cursor_of(b'{"PK": "CUSTOMER#cus_01", "SK": ["x"]}'), id="list-value"),
    ],
)
def test_garbage_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, expect=SAME_PARTITION)


def test_cursor_of_deeply_nested_json_is_refused_not_a_crash() -> None:
    # About 6.7 kB: fits in a query string, and nests deeper than the JSON parser recurses.
    cursor = cursor_of(b"[" * 5_000)
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, expect=SAME_PARTITION)


def test_cursor_with_padding_left_on_is_accepted() -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(LAST_KEY).encode()).decode()
    assert decode_cursor(cursor, expect=SAME_PARTITION) == LAST_KEY


@settings(max_examples=50)
@given(st.dictionaries(st.text(), st.text(), min_size=1, max_size=5))
def test_any_string_key_round_trips(last_key: dict[str, str]) -> None:
    cursor = encode_cursor(last_key)
    assert cursor is not None
    assert decode_cursor(cursor, expect={}) == last_key


@settings(max_examples=50)
@given(st.dictionaries(st.text(min_size=1), st.text(), min_size=1, max_size=5), st.text(), st.text())
def test_cursor_is_accepted_only_by_its_own_partition(last_key: dict[str, str], pk: str, other_pk: str) -> None:
    cursor = encode_cursor({**last_key, "PK": pk})
    assert decode_cursor(cursor, expect={"PK": pk}) == {**last_key, "PK": pk}
    if other_pk != pk:
        with pytest.raises(InvalidCursor):
            decode_cursor(cursor, expect={"PK": other_pk})
