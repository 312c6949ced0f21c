"""Shared test set-up: the environment handlers expect, and paths to the real data beside the repo."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# Before any Powertools import: no X-Ray daemon, no metrics on stdout in tests.
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

from hypothesis import settings

# CI replays the same examples every run (a landing never fails on a newly drawn edge case);
# local runs draw new ones, which is where edge cases are found and then pinned as tests.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]


def _shared_data() -> Path:
    """The real data we did not write: `$TUGI_SHARED_DATA`, else `../shared/data` beside this checkout,
    else beside the checkout this one was cloned from (a fresh clone in a temporary folder)."""
    candidates = [Path(os.environ["TUGI_SHARED_DATA"])] if os.environ.get("TUGI_SHARED_DATA") else []
    candidates.append(REPO.parent / "shared" / "data")
    origin = subprocess.run(
        ["git", "-C", str(REPO), "config", "--get", "remote.origin.url"],  # noqa: S607 - git from PATH, as make does
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if origin and Path(origin).is_dir():
        candidates.append(Path(origin).resolve().parent / "shared" / "data")
    for candidate in candidates:
        if (candidate / "emails").is_dir():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise RuntimeError(f"the shared test data is not at {tried}; set TUGI_SHARED_DATA to its data/ folder")


SHARED_DATA = _shared_data()
EMAILS = SHARED_DATA / "emails"
AWS_EVENTS = SHARED_DATA / "webhooks" / "aws"
