"""Static checks of every state machine definition in infra/workflows/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local.workflow import WorkflowResources
from infra.workflows import CONTACT_WORKFLOW, WORKFLOWS_DIR, substitution_names
from tests.infra.cfn import Resources, only

DEFINITIONS = sorted(WORKFLOWS_DIR.glob("*.asl.json"))


def states(definition: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Every state with the `States` it belongs to (Map and Parallel states nest their own)."""
    for name, state in definition["States"].items():
        yield name, state, definition["States"]
        for branch in [*state.get("Branches", []), *([state["ItemProcessor"]] if "ItemProcessor" in state else [])]:
            yield from states(branch)


def load(path: Path) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return parsed


def test_there_is_a_definition_to_check() -> None:
    assert CONTACT_WORKFLOW in DEFINITIONS


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.name)
def test_every_transition_names_a_state(path: Path) -> None:
    definition = load(path)
    assert definition["StartAt"] in definition["States"]
    for name, state, siblings in states(definition):
        targets = [state.get("Next"), state.get("Default")]
        targets += [c["Next"] for c in state.get("Choices", [])] + [c["Next"] for c in state.get("Catch", [])]
        for target in filter(None, targets):
            assert target in siblings, f"{path.name}: {name} goes to {target}, which is not a state"
        ends = state["Type"] in {"Succeed", "Fail", "Choice"} or state.get("End") is True
        assert ends or "Next" in state, f"{path.name}: {name} neither ends nor names its next state"


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.name)
def test_every_state_is_reachable(path: Path) -> None:
    definition = load(path)
    reached, todo = set(), [definition["StartAt"]]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        state = definition["States"][name]
        todo += [t for t in (state.get("Next"), state.get("Default")) if t]
        todo += [c["Next"] for c in state.get("Choices", []) + state.get("Catch", [])]
    assert reached == set(definition["States"]), f"unreachable: {set(definition['States']) - reached}"


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.name)
def test_every_task_retries_and_catches_everything(path: Path) -> None:
    for name, state, _ in states(load(path)):
        if state["Type"] != "Task":
            continue
        assert state.get("Retry"), f"{path.name}: {name} has no Retry"
        caught = {error for catcher in state.get("Catch", []) for error in catcher["ErrorEquals"]}
        assert "States.ALL" in caught, f"{path.name}: {name} does not catch States.ALL"


def test_the_local_runtime_supplies_every_placeholder() -> None:
    local = WorkflowResources("sm", "fn", "topic", "dlq", "stream-dlq").substitutions()
    assert set(local) == substitution_names(CONTACT_WORKFLOW)


def test_cdk_supplies_every_placeholder(resources: Resources) -> None:
    _, machine = only(resources, "AWS::StepFunctions::StateMachine")
    assert set(machine["Properties"]["DefinitionSubstitutions"]) == substitution_names(CONTACT_WORKFLOW)
