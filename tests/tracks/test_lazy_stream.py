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


def test_a_short_stream_is_generated_once_per_scenario_and_a_long_one_never_kept() -> None:
    from memgym.tracks import registry

    track = get_track("codeqa")
    scenario = track.generate(4, "lite")
    fresh = list(track.stream(scenario))
    first = list(stream_events(scenario))
    again = list(stream_events(scenario))
    assert first == fresh and all(a is b for a, b in zip(first, again))  # kept, not remade
    changed = scenario.model_copy(update={"brief": scenario.brief + " "})
    core = {e.step for e in scenario.events}
    remade = [a is not b for a, b in zip(stream_events(changed), first) if a.step not in core]
    assert remade and all(remade)  # another scenario object: its filler is generated again
    long = track.generate(4, "lite", target_tokens=100_000)
    assert long.params["target_tokens"] > registry.STREAM_CACHE_TOKENS
    head = [e.text for e, _ in zip(stream_events(long), range(50))]
    assert registry._last_stream[0][0] is changed  # the long stream was not kept
    assert head == [e.text for e, _ in zip(track.stream(long), range(50))]
