"""Shared test set-up: the environment handlers expect, and paths to the real data beside the repo."""

from __future__ import annotations

import os
from pathlib import Path

# Before any Powertools import: no X-Ray daemon, no metrics on stdout in tests.
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
EMAILS = SHARED_DATA / "emails"
AWS_EVENTS = SHARED_DATA / "webhooks" / "aws"
