"""The interactive agent loop: scripted reference agents, memory in the loop, scoring, run path."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from memgym.interactive.episode import evaluate_interactive, score_session
from memgym.interactive.loop import Limits, run_session
from memgym.interactive.registry import make_agent
from memgym.memory.history.history_memory import HistoryMemory
from memgym.tracks.agent import Agent
from memgym.tracks.session import AgentTurn, ChatMessage, call
from tests.interactive.world import CodesTrack

TIGHT = "window:max_tokens=400"


def expected_codes(track: CodesTrack, seed: int) -> list[str]:
    """The codes recomputed from the scenario's task events (ground truth, not the output)."""
    scenario = track.generate(seed)
    return [re.search(r"K\d{6}", e.text).group(0) for e in scenario.events]  # type: ignore[union-attr]


def test_gold_agent_solves_every_task_and_noop_none(codes_track: CodesTrack) -> None:
    scenario = codes_track.generate(3)
    gold = evaluate_interactive(codes_track, scenario, "full", "gold")
    noop = evaluate_interactive(codes_track, scenario, "full", "noop")
    tasks = len(expected_codes(codes_track, 3))
    assert (gold.questions, gold.correct, gold.composite) == (tasks, tasks, 1.0)
    assert (noop.correct, noop.composite) == (0, 0.0)
    assert [a.kind for a in gold.answers] == ["task"] * tasks
    assert gold.usage["tool_calls"] == tasks * (codes_track.params()["pages"] + 1)


def test_context_agent_falls_under_tight_compaction(codes_track: CodesTrack) -> None:
    scenario = codes_track.generate(5)
    full = evaluate_interactive(codes_track, scenario, "full", "context")
    tight = evaluate_interactive(codes_track, scenario, TIGHT, "context")
    assert full.composite == 1.0
    # The first code sits in the pinned head; later codes are body messages the window drops
    # while the agent reads its pages.
    assert [a.correct for a in tight.answers] == [True, False, False]
    assert tight.compactions and all(c.episode == scenario.hash for c in tight.compactions)
    assert tight.usage["view_tokens"] < full.usage["view_tokens"]
    assert tight.memory == "window:max_tokens=400" and full.compactions == []


def test_sessions_are_deterministic(codes_track: CodesTrack) -> None:
    scenario = codes_track.generate(9)
    a = evaluate_interactive(codes_track, scenario, TIGHT, "context")
    b = evaluate_interactive(codes_track, scenario, TIGHT, "context")
    assert a.model_dump_json() == b.model_dump_json()


def test_turn_budget_ends_a_task_for_an_agent_that_never_finishes(
    codes_track: CodesTrack,
) -> None:
    class Reader(Agent):
        name = "reader"

        def act(self, messages: object, tools: object) -> AgentTurn:
            from memgym.tracks.session import call

            return AgentTurn(tool_calls=(call("c", "read_page", n=1),))

    scenario = codes_track.generate(1)
    session = codes_track.open(scenario)
    log = run_session(
        session, Reader(), HistoryMemory("full", "test-codes", "e"), Limits(turns_per_task=4)
    )
    assert log.turns == log.tool_calls == 4 * len(scenario.events)
    assert [o.reward for o in log.outcomes] == [0.0] * len(scenario.events)


def test_calls_beyond_the_sessions_cap_are_refused_and_counted(codes_track: CodesTrack) -> None:
    class Flood(Agent):
        """Reads five pages in one turn, then says it is done."""

        name = "flood"

        def act(self, messages: Sequence[ChatMessage], tools: object) -> AgentTurn:
            if messages[-1]["role"] == "tool":
                return AgentTurn("done")
            return AgentTurn(tool_calls=tuple(call(f"c{n}", "read_page", n=n) for n in range(5)))

    scenario = codes_track.generate(1)
    session = codes_track.open(scenario)
    session.calls_per_turn = 2
    carried: list[int] = []
    real = session.call
    session.call = lambda c: carried.append(c.parsed()["n"]) or real(c)  # type: ignore[method-assign]
    history = HistoryMemory("full", "test-codes", "e")
    log = run_session(session, Flood(), history, Limits(turns_per_task=4))
    tasks = len(scenario.events)
    assert carried == [0, 1] * tasks  # the first two calls of each turn, no more
    assert log.tool_calls == 5 * tasks and log.refused_calls == 3 * tasks
    results = [m for m in history._messages if m["role"] == "tool"]
    assert len(results) == 5 * tasks  # every call answered
    assert sum("at most 2 tool calls per turn" in m["content"] for m in results) == 3 * tasks
    assert score_session(scenario, log, history, Flood()).usage["refused_calls"] == 3 * tasks


def test_bad_tool_calls_are_answered_not_raised(codes_track: CodesTrack) -> None:
    session = codes_track.open(codes_track.generate(0))
    from memgym.tracks.session import ToolCall

    assert session.call(ToolCall("x", "submit", "{not json")).startswith("error:")
    assert session.call(ToolCall("x", "nope", "{}")).startswith("error:")


def test_unknown_agent_is_a_clear_error(codes_track: CodesTrack) -> None:
    with pytest.raises(ValueError, match="unknown agent 'scripted'; known agents: .*gold"):
        make_agent("scripted", codes_track)


def test_audit_counts_every_task_and_flags_track_checks(codes_track: CodesTrack) -> None:
    from memgym.interactive.audit import audit_interactive

    audit = audit_interactive(codes_track, None, [0, 1])
    tasks = sum(len(codes_track.generate(s).events) for s in (0, 1))
    assert audit.tasks == audit.kept == tasks and audit.passed
    # 2 seeds; errand 0's code sits in the pinned head, so even none has it
    assert audit.groups["errand-0"].solved == {"gold": 2, "noop": 0, "context": 2, "none": 2}
    assert audit.groups["errand-1"].solved["none"] == 0
    assert set(audit.groups["errand-1"].cheats) == {"peek", "notes", "notes-class", "self-copy"}
    gate = audit.gate()
    assert (gate.floor, gate.full) == (0.0, 1.0)
    assert gate.runs["none"] == pytest.approx(2 / tasks)  # errand 0 of each seed
    assert gate.problems() == [  # reported: the track is not gated
        f"gate: none reaches {2 / tasks:.1%} of full's gap above the floor (> 10%)",
        f"gate: notes reaches {2 / tasks:.1%} of full's gap above the floor (> 10%)",
        f"gate: peek reaches {2 / tasks:.1%} of full's gap above the floor (> 10%)",
        f"gate: self-copy reaches {2 / tasks:.1%} of full's gap above the floor (> 10%)",
    ]

    class Gated(CodesTrack):
        gated = True

    assert not audit_interactive(Gated(), None, [0]).passed  # the gate fails a gated track

    class Flagging(CodesTrack):
        def check(self, scenario: object) -> list[str]:
            return ["errand-1: the manual has no page 3"]

    flagged = audit_interactive(Flagging(), None, [0])
    assert not flagged.passed and flagged.kept == len(codes_track.generate(0).events) - 1
    assert flagged.problems == ["seed 0: errand-1: the manual has no page 3"]


def test_arguments_sent_as_an_object_or_as_another_type_never_crash(codes_track) -> None:
    """Some servers send tool arguments decoded (an object, not its text): taken as they are.
    Any other type is an error the agent reads (json.loads raised TypeError out of the run)."""
    from memgym.tracks.session import ToolCall

    session = codes_track.open(codes_track.generate(0))
    assert ToolCall("x", "read_page", {"n": 1}).parsed() == {"n": 1}  # type: ignore[arg-type]
    for odd in ([1], 7, b"{}"):
        reply = session.call(ToolCall("x", "read_page", odd))  # type: ignore[arg-type]
        assert reply.startswith("error:"), reply


class Excuser(Agent):
    """Fails every task, raising InfraError as if its endpoint were lost: an agent that is not
    memgym's own cannot excuse its failures that way."""

    name = "excuser"

    def act(self, messages: object, tools: object) -> AgentTurn:
        from memgym.errors import InfraError

        raise InfraError("endpoint unreachable")


def test_an_infra_error_raised_by_an_agent_of_its_own_is_its_failure(codes_track) -> None:
    scenario = codes_track.generate(2)
    result = evaluate_interactive(codes_track, scenario, "full", Excuser())
    assert result.status == "ok", result.status  # scored, not excluded
    assert result.composite == 0.0
    assert [a.status for a in result.answers] == ["ok"] * len(scenario.events)
    assert result.usage["model_errors"] > 0


class Disguised(Excuser):
    """The same agent claiming memgym's module name: its code is still not memgym's."""

    name = "disguised"


Disguised.__module__ = "memgym.interactive.agents"


def test_a_module_name_does_not_make_an_agent_memgyms_own(codes_track) -> None:
    scenario = codes_track.generate(2)
    result = evaluate_interactive(codes_track, scenario, "full", Disguised())
    assert result.status == "ok", result.status  # its InfraError is still its failure
    assert result.composite == 0.0 and result.usage["model_errors"] > 0
