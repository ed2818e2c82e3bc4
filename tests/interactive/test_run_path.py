"""Interactive tracks through the normal paths: `memgym run`, results file, `compare`, and an
OpenAI-compatible model served over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from memgym.cli import main
from memgym.commands.compare import run_comparison
from memgym.interactive.episode import evaluate_interactive
from memgym.interactive.loop import Limits
from memgym.run.results import ResultsStore
from tests.interactive.careful_model import CarefulModel
from tests.interactive.world import CodesTrack

TIGHT = "window:max_tokens=400"


def test_memgym_run_stores_interactive_episodes(
    codes_track: CodesTrack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "r.sqlite"
    code = main(["run", "--track", "test-codes", "--seeds", "2", "--results", str(results)])
    assert code == 0
    table = capsys.readouterr().out
    assert "reward" in table and "turns / task" in table and "breadth" not in table
    with ResultsStore(results) as store:
        (run_id,) = [r["id"] for r in store.runs()]
        episodes = list(store.episodes(run_id))
    by_agent: dict[str, list[float]] = {}
    for e in episodes:
        by_agent.setdefault(e.reasoner, []).append(e.composite)
    assert by_agent == {"gold": [1.0, 1.0], "context": [1.0, 1.0], "noop": [0.0, 0.0]}


def test_compare_pairs_tasks_against_full(codes_track: CodesTrack) -> None:
    comparison = run_comparison("test-codes", None, [0, 1, 2, 3], [TIGHT], resamples=200)
    scores = comparison.scores
    assert list(scores) == ["none", "full", TIGHT]
    assert scores["full"].accuracy == 1.0 and scores["full"].isolated == 1.0
    # none keeps only the pinned head: the first errand of each session; the window keeps the
    # same here (every later code is read away), so both solve 1 of 3.
    assert scores["none"].accuracy == pytest.approx(1 / 3)
    assert scores[TIGHT].accuracy == pytest.approx(1 / 3)
    assert scores[TIGHT].ci_high < 1.0
    assert comparison.compactions_per_episode[TIGHT] > 0
    assert comparison.tokens_per_question["full"] > comparison.tokens_per_question[TIGHT]


def test_llm_agent_makes_tool_calls_over_http(codes_track: CodesTrack, model_url: str) -> None:
    scenario = codes_track.generate(4)
    agent = f"llm:model=careful,base_url={model_url}"
    full = evaluate_interactive(codes_track, scenario, "full", agent)
    pages = codes_track.params()["pages"]
    tasks = len(scenario.events)
    assert full.composite == 1.0 and full.model == "careful"
    assert full.usage["tool_calls"] == tasks * (pages + 1)
    assert full.usage["calls"] == len(CarefulModel.requests) == tasks * (pages + 2)
    assert all(r.get("tool_choice") == "auto" and r["tools"] for r in CarefulModel.requests)


def test_context_overflow_forces_compaction_then_counts(
    codes_track: CodesTrack, model_url: str
) -> None:
    CarefulModel.limit = 2500  # a page is ~1,000 characters: the full history outgrows it
    scenario = codes_track.generate(4)
    agent = f"llm:model=small,base_url={model_url}"
    result = evaluate_interactive(codes_track, scenario, "full", agent, Limits(turns_per_task=6))
    assert result.usage["overflows"] > 0
    forced = [c for c in result.compactions if c.strategy.endswith("+forced")]
    assert len(forced) == result.usage["overflows"] and forced[0].dropped
    assert result.status == "ok"  # an overflow is the model's limit, never an infra failure


@pytest.mark.parametrize("retries", [0, 1])
def test_compare_reruns_an_infra_error_session(
    codes_track: CodesTrack, model_url: str, retries: int
) -> None:
    """An endpoint down for one request (the client does not retry it) makes that session an
    ``infra_error``; ``compare --episode-retries`` runs it again, as ``run`` does."""
    CarefulModel.failures = 1
    agent = f"llm:model=careful,base_url={model_url},max_retries=0"
    seen: list[Any] = []
    comparison = run_comparison(
        "test-codes", None, [4], ["full"], agent, on_episode=seen.append, resamples=50,
        retries=retries,
    )  # fmt: skip
    first = seen[0]  # the first memory's session met the failure
    if retries:
        assert first.status == "ok" and first.usage["episode_retries"] == 1
        assert comparison.scores["full"].accuracy == 1.0
    else:
        assert first.status == "infra_error" and "episode_retries" not in first.usage
    assert all(r.status == "ok" for r in seen[1:])


def test_audit_names_the_options_an_interactive_track_does_not_use(
    codes_track: CodesTrack, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["audit", "--track", "test-codes", "--seeds", "1", "--json"]
    assert main([*argv, "--no-cheats", "--lengths", "10k", "--context", "4000"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "--lengths, --context, --no-cheats only apply to question-stream tracks" in err
    assert main(argv) == 0
    assert "only apply" not in capsys.readouterr().err


def test_compare_resumes_an_interactive_comparison(
    codes_track: CodesTrack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = ["compare", "--track", "test-codes", "--seeds", "3", "--memories", TIGHT]
    args += ["--resamples", "50", "--json"]
    assert main([*args, "--results", str(tmp_path / "whole.sqlite")]) == 0
    whole = json.loads(capsys.readouterr().out)
    add_episode = ResultsStore.add_episode
    added: list[str] = []

    def stop_at_the_fifth(self: ResultsStore, run_id: int, result: Any, key: Any = None) -> None:
        added.append(result.memory)  # none, full, the window: seed 0 whole, seed 1 one in
        if len(added) == 5:
            raise KeyboardInterrupt
        add_episode(self, run_id, result, key)

    path = str(tmp_path / "r.sqlite")
    monkeypatch.setattr(ResultsStore, "add_episode", stop_at_the_fifth)
    assert main([*args, "--results", path]) == 130
    monkeypatch.undo()
    capsys.readouterr()
    assert main([*args, "--results", path, "--resume"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == whole and "1 seed of 3 finished before" in err
    assert whole["memories"][2]["compactions_per_episode"] > 0  # counts kept, not re-read
    with ResultsStore.open_read(path) as store:
        assert [(e.seed, e.memory) for e in store.episodes()] == [
            (seed, memory) for seed in range(3) for memory in ("none", "full", TIGHT)
        ]
