"""The agent directory (who may change which profile) and routing's pick of the least-loaded agent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.domain.agents import AgentProfile, AgentUpdate, least_loaded
from shared.domain.ids import AgentId, CaseId
from shared.errors import Forbidden
from shared.services.agents import AgentDirectory, AgentNotFound
from tests.unit.fakes import InMemoryAgentStore

MARI = AgentId("agt_mari")
JYRI = AgentId("agt_jyri")
BOSS = AgentId("agt_boss")


@pytest.fixture
def store() -> InMemoryAgentStore:
    return InMemoryAgentStore(AgentProfile(agent_id=MARI, name="Mari", queues=["billing", "general"]))


@pytest.fixture
def directory(store: InMemoryAgentStore) -> AgentDirectory:
    return AgentDirectory(store)


def stored(store: InMemoryAgentStore, agent_id: AgentId) -> AgentProfile:
    profile = store.get_agent(agent_id)
    assert profile is not None
    return profile


# --- agents --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("available", [True, False])
def test_an_agent_sets_their_own_availability(
    directory: AgentDirectory, store: InMemoryAgentStore, available: bool
) -> None:
    store.put_agent(stored(store, MARI).model_copy(update={"available": not available}))

    changed = directory.update(MARI, AgentUpdate(available=available), by=MARI, supervisor=False)

    assert changed.available is available
    assert stored(store, MARI).available is available
    assert (stored(store, MARI).name, stored(store, MARI).queues) == ("Mari", ["billing", "general"])


@pytest.mark.parametrize(
    ("target", "update"),
    [
        pytest.param(MARI, AgentUpdate(name="Mari Maasikas"), id="own-name"),
        pytest.param(MARI, AgentUpdate(queues=["vip"]), id="own-queues"),
        pytest.param(MARI, AgentUpdate(available=True, queues=["vip"]), id="availability-with-queues"),
        pytest.param(JYRI, AgentUpdate(available=True), id="someone-elses-availability"),
    ],
)
def test_an_agent_may_change_only_their_own_availability(
    directory: AgentDirectory, store: InMemoryAgentStore, target: AgentId, update: AgentUpdate
) -> None:
    store.put_agent(AgentProfile(agent_id=JYRI, name="Jüri", queues=["general"]))
    before = {a.agent_id: a for a in store.list_agents()}

    with pytest.raises(Forbidden) as caught:
        directory.update(target, update, by=MARI, supervisor=False)

    assert (caught.value.instance_code, caught.value.http_status) == ("forbidden", 403)
    assert {a.agent_id: a for a in store.list_agents()} == before


def test_an_agent_without_a_profile_is_told_so_and_gets_none(
    directory: AgentDirectory, store: InMemoryAgentStore
) -> None:
    with pytest.raises(AgentNotFound) as caught:
        directory.update(JYRI, AgentUpdate(available=True), by=JYRI, supervisor=False)
    assert (caught.value.instance_code, caught.value.http_status) == ("agent_not_found", 404)
    assert store.get_agent(JYRI) is None


def test_nobody_sets_a_load_through_an_update() -> None:
    with pytest.raises(ValidationError):
        AgentUpdate.model_validate({"available": True, "load": 0})


# --- supervisors ---------------------------------------------------------------------------------------------


def test_a_supervisor_creates_a_profile_for_an_agent_who_has_none(
    directory: AgentDirectory, store: InMemoryAgentStore
) -> None:
    created = directory.update(
        JYRI, AgentUpdate(name="Jüri", queues=["general"], available=True), by=BOSS, supervisor=True
    )

    assert created == AgentProfile(agent_id=JYRI, name="Jüri", queues=["general"], available=True)
    assert stored(store, JYRI) == created


def test_a_new_profile_starts_unavailable_unless_told(directory: AgentDirectory) -> None:
    created = directory.update(JYRI, AgentUpdate(queues=["general"]), by=BOSS, supervisor=True)
    assert created.available is False


def test_a_supervisor_edit_keeps_what_it_does_not_mention(directory: AgentDirectory, store: InMemoryAgentStore) -> None:
    store.put_agent(stored(store, MARI).model_copy(update={"available": True}))

    changed = directory.update(MARI, AgentUpdate(queues=["vip"]), by=BOSS, supervisor=True)

    assert (changed.name, changed.queues, changed.available) == ("Mari", ["vip"], True)
    assert stored(store, MARI) == changed


def test_a_supervisor_edit_leaves_the_agents_load_alone(directory: AgentDirectory, store: InMemoryAgentStore) -> None:
    store.track_case(MARI, CaseId("case_01"), active=True)
    store.track_case(MARI, CaseId("case_02"), active=True)

    changed = directory.update(MARI, AgentUpdate(name="Mari M."), by=BOSS, supervisor=True)

    assert changed.load == 2
    assert stored(store, MARI).load == 2


def test_queues_are_stored_once_each_and_sorted(directory: AgentDirectory, store: InMemoryAgentStore) -> None:
    changed = directory.update(
        MARI, AgentUpdate(queues=["general", "billing", "general", "vip", "billing"]), by=BOSS, supervisor=True
    )
    assert changed.queues == ["billing", "general", "vip"]
    assert stored(store, MARI).queues == ["billing", "general", "vip"]


def test_the_directory_lists_agents_by_name_whatever_the_case_then_by_id(store: InMemoryAgentStore) -> None:
    store.put_agent(AgentProfile(agent_id=AgentId("agt_b"), name="anne"))
    store.put_agent(AgentProfile(agent_id=AgentId("agt_a"), name="Anne"))
    store.put_agent(AgentProfile(agent_id=AgentId("agt_c"), name="Berit"))

    names = [(a.name, a.agent_id) for a in AgentDirectory(store).list()]

    assert names == [("Anne", "agt_a"), ("anne", "agt_b"), ("Berit", "agt_c"), ("Mari", MARI)]


# --- least_loaded --------------------------------------------------------------------------------------------


def agent(
    agent_id: str, *, load: int = 0, queues: tuple[str, ...] = ("general",), available: bool = True
) -> AgentProfile:
    return AgentProfile(agent_id=AgentId(agent_id), queues=list(queues), available=available, load=load)


def test_the_available_agent_of_the_queue_with_the_fewest_cases_takes_it() -> None:
    agents = [agent("agt_a", load=3), agent("agt_b", load=1), agent("agt_c", load=2)]
    picked = least_loaded(agents, "general")
    assert picked is not None
    assert picked.agent_id == "agt_b"


def test_a_tie_goes_to_the_lowest_id_whatever_the_order() -> None:
    agents = [agent("agt_c", load=1), agent("agt_a", load=1), agent("agt_b", load=1)]
    picked = least_loaded(agents, "general")
    assert picked is not None
    assert picked.agent_id == "agt_a"


def test_unavailable_agents_and_other_queues_are_passed_over() -> None:
    agents = [
        agent("agt_a", load=0, available=False),
        agent("agt_b", load=0, queues=("billing",)),
        agent("agt_c", load=5),
    ]
    picked = least_loaded(agents, "general")
    assert picked is not None
    assert picked.agent_id == "agt_c"


@pytest.mark.parametrize(
    "agents",
    [
        pytest.param([], id="no-agents"),
        pytest.param([agent("agt_a", available=False)], id="nobody-available"),
        pytest.param([agent("agt_a", queues=("billing",))], id="nobody-in-the-queue"),
    ],
)
def test_nobody_takes_the_case_when_no_available_agent_works_the_queue(agents: list[AgentProfile]) -> None:
    assert least_loaded(agents, "general") is None


agent_lists = st.lists(
    st.builds(
        agent,
        st.sampled_from(["agt_a", "agt_b", "agt_c", "agt_d"]),
        load=st.integers(0, 4),
        queues=st.sets(st.sampled_from(["general", "billing"])).map(tuple),
        available=st.booleans(),
    ),
    max_size=8,
)


@given(agent_lists)
def test_the_pick_is_the_smallest_load_then_id_among_the_queues_available_agents(agents: list[AgentProfile]) -> None:
    eligible = [a for a in agents if a.available and "general" in a.queues]
    picked = least_loaded(agents, "general")
    if not eligible:
        assert picked is None
        return
    assert picked is not None
    assert picked in eligible
    assert all((picked.load, picked.agent_id) <= (a.load, a.agent_id) for a in eligible)
