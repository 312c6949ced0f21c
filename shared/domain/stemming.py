"""Snowball stems per locale (PyStemmer), so the embedded search and the gaps report stem words alike."""

from __future__ import annotations

import threading
from typing import Any

SNOWBALL = {"en": "english", "et": "estonian", "ru": "russian", "fi": "finnish", "de": "german", "lv": "porter"}
_local = threading.local()  # a stemmer is not thread-safe: one per thread and locale


def stemmer(locale: str) -> Any:
    """This thread's Snowball stemmer for the locale (Porter for a locale Snowball lacks)."""
    stemmers: dict[str, Any] = _local.__dict__.setdefault("stemmers", {})
    found = stemmers.get(locale)
    if found is None:
        import Stemmer  # type: ignore[import-not-found]  # noqa: PLC0415 - on first use, not at a Lambda's cold start

        found = stemmers[locale] = Stemmer.Stemmer(SNOWBALL.get(locale, "porter"))
    return found
