"""A merge of one customer into another, kept so it can be undone."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from shared.domain.ids import CustomerId, MergeId


class MergeState(StrEnum):
    MERGING = "merging"
    MERGED = "merged"
    UNMERGING = "unmerging"
    UNMERGED = "unmerged"


class MergeRecord(BaseModel):
    merge_id: MergeId
    source_customer_id: CustomerId
    target_customer_id: CustomerId
    state: MergeState
    actor: str
    merged_at: datetime
    unmerged_at: datetime | None = None
    moved_cases: int = 0
    moved_identities: int = 0
