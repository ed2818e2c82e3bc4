"""A running interactive session's LLM calls and tokens reach the run's live progress turn by
turn, before the session ends (a CPU model's swe session takes minutes: a log line a minute
that said 0 calls all that time told nothing)."""

from __future__ import annotations

from memgym.run.results import ResultsStore
from memgym.run.runner import Snapshot, run_concurrent
from memgym.run.work import WorkItem
from tests.interactive.careful_model import CarefulModel
from tests.interactive.world import CodesTrack

TASKS = 2


def test_a_sessions_calls_show_in_the_progress_while_it_runs(
    codes_track: CodesTrack, model_url: str, tmp_path
):
    CarefulModel.delay = 0.1  # each turn long enough for several progress ticks, under load too
    agent = f"llm:model=careful,base_url={model_url}"
    item = WorkItem("test-codes", "lite", 0, (("tasks", TASKS),), "full", agent)
    seen: list[Snapshot] = []
    with ResultsStore(tmp_path / "r.sqlite") as store:
        (result,) = run_concurrent([item], store, store.start_run({}), 1, seen.append, 0.01)
    assert result.status == "ok" and result.composite == 1.0
    running = [s.usage.get("calls", 0) for s in seen if s.done == 0]
    calls = len(CarefulModel.requests)
    assert calls >= 2 * TASKS and result.usage["calls"] == calls
    # counted as they happen, one turn at a time, never ahead of the model's requests (a tick
    # between the last reply and the episode's end may show them all: the session is scored then)
    assert 0 < max(running) <= calls and any(0 < n < calls for n in running), running
    assert running == sorted(running)
    assert seen[-1].done == 1 and seen[-1].usage["calls"] == calls
    assert seen[-1].usage["prompt_tokens"] == result.usage["prompt_tokens"] > 0
