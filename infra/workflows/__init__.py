"""The state machine definitions, one ASL file each, shared by CDK and the local runtime."""

from __future__ import annotations

import re
from pathlib import Path

WORKFLOWS_DIR = Path(__file__).resolve().parent
CONTACT_WORKFLOW = WORKFLOWS_DIR / "contact.asl.json"
# What runs the workflow, the same in CDK and in the local runtime.
TASKS_HANDLER = "functions.workflow.tasks.handler"
STREAM_HANDLER = "functions.workflow.case_stream.handler"
SWEEP_HANDLER = "functions.workflow.sweep.handler"
CASE_SORT_KEY = "CASE"  # the case item's sort key (docs/data-model.md): only case changes feed the stream handler
STREAM_BATCH_SIZE = 25
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def substitution_names(path: Path) -> set[str]:
    """The `${Name}` placeholders a definition file uses."""
    return set(_PLACEHOLDER.findall(path.read_text(encoding="utf-8")))


def render(path: Path, substitutions: dict[str, str]) -> str:
    """The definition with every `${Name}` replaced, as CDK's `definition_substitutions` does."""
    text = path.read_text(encoding="utf-8")
    missing = substitution_names(path) - substitutions.keys()
    if missing:
        raise KeyError(f"no value for {sorted(missing)} in {path.name}")
    return _PLACEHOLDER.sub(lambda m: substitutions[m.group(1)], text)
