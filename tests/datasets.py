"""Readers of the real data in ../shared/data that tests and benchmarks share."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from tests.conftest import SHARED_DATA

BANKING77 = SHARED_DATA / "banking77" / "train.csv"
BUEROKRATT = SHARED_DATA / "estonian" / "buerokratt_nlu" / "nlu"
_ENTITY = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def banking77(path: Path = BANKING77) -> list[tuple[str, str]]:
    """(text, intent) rows of a Banking77-shaped CSV (`text`, `category`)."""
    with path.open(newline="", encoding="utf-8") as file:
        return [(row["text"], row["category"]) for row in csv.DictReader(file)]


def buerokratt() -> list[tuple[str, str]]:
    """(utterance, intent) of every Bürokratt intent's `examples` (not synonyms), `[word](entity)` unwrapped."""
    rows: list[tuple[str, str]] = []
    for path in sorted(BUEROKRATT.glob("*.yml")):
        intent: str | None = None
        in_examples = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if header := re.match(r"- (\w+):\s*(.*)", line):
                intent = header.group(2).strip() if header.group(1) == "intent" else None
                in_examples = False
            elif line.strip().startswith("examples:"):
                in_examples = intent is not None
            elif in_examples and intent and (item := re.match(r"\s+- (.*)", line)):
                rows.append((_ENTITY.sub(r"\1", item.group(1)).strip(), intent))
    return rows
