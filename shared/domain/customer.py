"""The customer: one person across every channel."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.domain.channels import Channel
from shared.domain.ids import CustomerId


class Customer(BaseModel):
    customer_id: CustomerId
    name: str | None = Field(default=None, max_length=200)
    locale: str | None = Field(default=None, max_length=35)
    preferred_channel: Channel | None = None
    vip: bool = False
    created_at: datetime
    merged_into: CustomerId | None = None
    version: int = 1

    @property
    def is_merged(self) -> bool:
        return self.merged_into is not None
