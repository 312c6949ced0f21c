"""Keep what a customer sent when we refuse it, so nothing they wrote is lost."""

from __future__ import annotations

import json

from shared.domain.clock import utc_now
from shared.ports import BlobStore


class RejectedInputArchive:
    def __init__(self, store: BlobStore) -> None:
        self.store = store

    def keep(self, *, channel: str, request_id: str, body: bytes, status: int, code: str, content_type: str) -> str:
        """Store the raw body and why it was refused; returns the key (the raw-mail bucket's `rejected/`)."""
        now = utc_now()
        key = f"rejected/{channel}/{now:%Y/%m/%d}/{request_id}"
        # Stored as opaque bytes: the declared type is the customer's claim, kept in the metadata.
        self.store.put(f"{key}.body", body, "application/octet-stream")
        meta = {"status": status, "code": code, "received_at": now.isoformat(), "content_type": content_type}
        self.store.put(f"{key}.json", json.dumps(meta).encode(), "application/json")
        return key
