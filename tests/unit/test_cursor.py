"""Paging cursors: an opaque, URL-safe LastEvaluatedKey that only the query that issued it accepts back."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.adapters.dynamo.table import decode_cursor, encode_cursor
from shared.domain.paging import InvalidCursor

LAST_KEY = {
    "PK": "CASE#case_01",
    "SK": "MSG#2026-11-22T10:00:00.000000Z#msg_01",
    "GSI1PK": "TIMELINE#cus_01",
    "GSI1SK": "2026-11-22T10:00:00.000000Z#MSG#msg_01",
}
SAME_PARTITION = {"GSI1PK": "TIMELINE#cus_01"}


def cursor_of(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def test_cursor_gives_back_the_last_evaluated_key() -> None:
    cursor = encode_cursor(LAST_KEY)
    assert cursor is not None
    assert decode_cursor(cursor, expect=SAME_PARTITION, index_sort_key="GSI1SK") == LAST_KEY


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
    assert decode_cursor(cursor, expect=SAME_PARTITION, index_sort_key="GSI1SK") is None


def test_cursor_from_another_partition_is_refused() -> None:
    cursor = encode_cursor({"PK": "CUSTOMER#cus_02", "SK": "CASE#x"})
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, expect=SAME_PARTITION, index_sort_key="GSI1SK")


def test_cursor_without_the_expected_key_is_refused() -> None:
    cursor = encode_cursor({"SK": "CASE#x"})
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, expect=SAME_PARTITION, index_sort_key="GSI1SK")


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
        decode_cursor(cursor, expect=SAME_PARTITION, index_sort_key="GSI1SK")


def test_cursor_of_deeply_nested_json_is_refused_not_a_crash() -> None:
    # About 6.7 kB: fits in a query string, and nests deeper than the JSON parser recurses.
    cursor = cursor_of(b"[" * 5_000)
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, expect=SAME_PARTITION, index_sort_key="GSI1SK")


def test_cursor_with_padding_left_on_is_accepted() -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(LAST_KEY).encode()).decode()
    assert decode_cursor(cursor, expect=SAME_PARTITION, index_sort_key="GSI1SK") == LAST_KEY


_keys = st.fixed_dictionaries({"PK": st.text(), "SK": st.text(), "GSI1PK": st.text(), "GSI1SK": st.text()})


@settings(max_examples=50)
@given(_keys)
def test_any_string_key_round_trips(last_key: dict[str, str]) -> None:
    cursor = encode_cursor(last_key)
    assert cursor is not None
    expect = {"GSI1PK": last_key["GSI1PK"]}
    assert decode_cursor(cursor, expect=expect, index_sort_key="GSI1SK") == last_key


@settings(max_examples=50)
@given(_keys, st.text())
def test_cursor_is_accepted_only_by_its_own_partition(last_key: dict[str, str], other_pk: str) -> None:
    cursor = encode_cursor(last_key)
    assert decode_cursor(cursor, expect={"GSI1PK": last_key["GSI1PK"]}, index_sort_key="GSI1SK") == last_key
    if other_pk != last_key["GSI1PK"]:
        with pytest.raises(InvalidCursor):
            decode_cursor(cursor, expect={"GSI1PK": other_pk}, index_sort_key="GSI1SK")


@pytest.mark.parametrize(
    "key",
    [
        {k: v for k, v in LAST_KEY.items() if k != "SK"},
        LAST_KEY | {"extra": "x"},
        {"GSI1PK": "TIMELINE#cus_01"},
    ],
    ids=["missing table key", "extra attribute", "index partition only"],
)
def test_cursor_must_be_exactly_a_start_key_of_the_index(key: dict[str, str]) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor(key), expect=SAME_PARTITION, index_sort_key="GSI1SK")


def test_cursor_outside_the_queried_sort_range_is_refused() -> None:
    queue_key = {"PK": "CASE#c", "SK": "CASE", "GSI2PK": "QUEUE#general", "GSI2SK": "new#2026#c"}
    cursor = encode_cursor(queue_key)

    assert decode_cursor(cursor, expect={"GSI2PK": "QUEUE#general"}, index_sort_key="GSI2SK", sort_prefix="new#")
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, expect={"GSI2PK": "QUEUE#general"}, index_sort_key="GSI2SK", sort_prefix="open#")
