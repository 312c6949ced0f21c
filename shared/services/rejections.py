"""Keep what a customer sent when we refuse it, so a person can still read what they wrote."""

from __future__ import annotations

import json
from collections.abc import Mapping

from shared.domain.clock import utc_now
from shared.ports import BlobStore

# What a person needs to read a refused message and tell a client's mistake from a probe; never credentials.
KEPT_HEADERS = ("content-type", "content-encoding", "content-length", "accept-language", "user-agent")


class RejectedInputArchive:
    def __init__(self, store: BlobStore, *, max_bytes: int) -> None:
        self.store = store
        self.max_bytes = max_bytes

    def keep(
        self, *, channel: str, request_id: str, body: bytes, status: int, code: str, headers: Mapping[str, str]
    ) -> str | None:
        """Store the body's first `max_bytes` and why it was refused; returns the key (the raw-mail bucket's
        `rejected/`), or None when there was no body to keep. A 10 MiB probe costs `max_bytes`, not 10 MiB."""
        if not body:
            return None
        now = utc_now()
        key = f"rejected/{channel}/{now:%Y/%m/%d}/{request_id}"
        # Stored as opaque bytes: the declared type is the customer's claim, kept in the metadata.
        self.store.put(f"{key}.body", body[: self.max_bytes], "application/octet-stream")
        wanted = {name.lower(): value for name, value in headers.items() if name.lower() in KEPT_HEADERS}
        meta = {
            "status": status,
            "code": code,
            "received_at": now.isoformat(),
            "headers": wanted,
            "body_bytes": len(body),
            "truncated": len(body) > self.max_bytes,
        }
        self.store.put(f"{key}.json", json.dumps(meta).encode(), "application/json")
        return key
