"""Lazy streams: ``fill_gaps`` interleaves on-demand filler with a scenario's core events."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from memgym.tracks import fill_gaps, get_track, stream_events
from memgym.types import Event


def _filler(step: int) -> Event:
    return Event(step=step, kind="distractor", text=f"filler {step}")


@given(st.sets(st.integers(0, 59), max_size=20), st.integers(0, 20))
def test_fill_gaps_yields_every_step_once_in_order(core_steps: set[int], extra: int) -> None:
    total = (max(core_steps) + 1 if core_steps else 0) + extra
    core = [Event(step=s, kind="document", text=f"core {s}") for s in sorted(core_steps)]
    stream = list(fill_gaps(core, total, _filler))
    assert [e.step for e in stream] == list(range(total))
    assert [e for e in stream if e.kind == "document"] == core
    assert all(e.text == f"filler {e.step}" for e in stream if e.kind == "distractor")


def test_fill_gaps_is_lazy() -> None:
    made: list[int] = []

    def filler(step: int) -> Event:
        made.append(step)
        return _filler(step)

    stream = fill_gaps([Event(step=5, kind="document", text="x")], 10**9, filler)
    first = [next(stream) for _ in range(7)]
    assert [e.step for e in first] == list(range(7))
    assert made == [0, 1, 2, 3, 4, 6]


def test_scenario_without_filler_streams_its_events() -> None:
    scenario = get_track("entities").generate(3, "lite")
    assert scenario.filler == {}
    assert list(stream_events(scenario)) == scenario.events
