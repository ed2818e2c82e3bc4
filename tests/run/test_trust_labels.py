"""Trust labels say whose code ran: a memory or an agent registered in the evaluator's process
from outside memgym's package (a wrapper script calling the CLI: its ``__main__``, which no
worker can import) is ``in-process (third-party)``, judged by the files its code came from, not
by the module name it claims, and the leaderboard lists such rows after the others, unranked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from memgym.interactive.agents import GoldAgent
from memgym.memory.full import full
from memgym.memory.registry import _MEMORIES, memory_factory, register_memory
from memgym.run.results import ResultsStore
from memgym.run.runner import run_item
from memgym.run.trust import in_process, trusted_memory
from memgym.run.work import WorkItem
from memgym.specs import IN_PROCESS, THIRD_PARTY, in_process_label, memgym_code
from memgym.tracks import get_track
from memgym.tracks.agent import _AGENTS, register_agent
from memgym.tracks.base import Track
from tests.engines import needs


class OutsideGold(GoldAgent):
    """memgym's gold agent, subclassed outside memgym (the replay of an issue's report)."""

    name = "outside-gold"


def outside_full(track: Track) -> object:
    return full(track)


outside_full.__module__ = "__main__"  # as a wrapper script calling the CLI registers it


def posing_full(track: Track) -> object:
    """A factory claiming to be memgym's own by its module name."""
    return full(track)


posing_full.__module__ = "memgym.memory.full"


@pytest.fixture
def registered() -> Iterator[None]:
    register_memory("outside-full")(outside_full)
    register_memory("posing-full")(posing_full)
    register_agent("outside-gold")(OutsideGold)
    yield
    for registry, name in ((_MEMORIES, "outside-full"), (_MEMORIES, "posing-full"),
                           (_AGENTS, "outside-gold")):  # fmt: skip
        registry.pop(name, None)


def test_code_is_judged_by_its_files(registered: None) -> None:
    assert memgym_code(memory_factory("window")) and memgym_code(GoldAgent)
    assert not memgym_code(outside_full) and not memgym_code(OutsideGold)
    assert not memgym_code(posing_full)  # its module name says memgym; its file does not
    assert not trusted_memory("posing-full") and trusted_memory("full")
    entities = get_track("entities")
    assert not in_process("posing-full", "scripted", entities, isolate=False)  # to the worker
    assert in_process_label(memory_factory("full"), GoldAgent) == IN_PROCESS
    assert in_process_label(memory_factory("full"), OutsideGold) == THIRD_PARTY


@needs("swe")
@pytest.mark.parametrize(
    ("memory", "agent", "label"),
    [
        ("full", "gold", IN_PROCESS),
        ("outside-full", "gold", THIRD_PARTY),
        ("full", "outside-gold", THIRD_PARTY),
    ],
)
def test_an_interactive_episode_with_outside_code_is_labelled_third_party(
    registered: None, memory: str, agent: str, label: str
) -> None:
    result = run_item(WorkItem("swe", None, 0, (), memory, agent))
    assert result.status == "ok" and result.boundary == label


def test_third_party_rows_are_listed_unranked(tmp_path: Path) -> None:
    from memgym.memory import make_memory
    from memgym.reasoners import make_reasoner
    from memgym.run.episode import evaluate

    track = get_track("entities")
    scenario = track.generate(0, "lite")
    store = ResultsStore(str(tmp_path / "r.db"))
    try:
        for memory, boundary in (("full", THIRD_PARTY), ("window", IN_PROCESS),
                                 ("none", "sandbox")):  # fmt: skip
            run = store.start_run({"command": "test", "memory": memory}, planned=1)
            result = evaluate(
                scenario, make_memory(memory, track), make_reasoner("scripted", track)
            )
            result.seed, result.boundary = 0, boundary  # type: ignore[assignment]
            store.add_episode(run, result)
        rows = store.leaderboard()
    finally:
        store.close()
    assert [(r["memory"].split(":")[0], r["rank"]) for r in rows] == [
        ("window", 1),
        ("none", 2),
        ("full", None),
    ]
    assert rows[-1]["composite"] > rows[0]["composite"]  # the best score, still unranked
