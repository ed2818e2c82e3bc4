"""The red team: every attack of ``tests/run/redteam_plugins.py``, run as a plugin through the
official path (``memgym.run.runner.run_item``, what ``memgym run --plugin`` does), scores at most
0.05; run in the evaluator's own process, each would have scored (so the test can fail). A
mutating memory changes nothing the evaluator scores next, and a scenario changed in place is
reported ``tampered``, never scored silently."""

from __future__ import annotations

import importlib
import json
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from memgym.cli import main
from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate, run_episode, score, untouched
from memgym.run.results import ResultsStore
from memgym.run.runner import run_item
from memgym.run.sandbox import SANDBOX, _bwrap
from memgym.run.work import WorkItem
from memgym.salt import SALT_ENV
from memgym.tracks import get_track
from memgym.types import EpisodeResult

PLUGINS = ("tests.run.redteam_plugins",)
SEEDS = (0, 1)
CEILING = 0.05
SALT = "red team salt"


def official(memory: str, reasoner: str, seed: int) -> EpisodeResult:
    """One episode the way ``memgym run --plugin tests.run.redteam_plugins`` runs it."""
    item = WorkItem("entities", "lite", seed, (), memory, reasoner, plugins=PLUGINS)
    return run_item(item)


def mean_composite(results: list[EpisodeResult]) -> float:
    return sum(r.composite for r in results) / len(results)


@pytest.fixture(scope="module")
def thieves_here() -> Iterator[None]:
    """The plugins registered in this process too (for the in-process demonstrations)."""
    importlib.import_module(PLUGINS[0])
    yield


def in_process(memory: str, reasoner: str, seed: int) -> EpisodeResult:
    track = get_track("entities")
    scenario = track.generate(seed, "lite")
    return evaluate(scenario, make_memory(memory, track), make_reasoner(reasoner, track))


@pytest.mark.parametrize(
    ("memory", "reasoner"),
    [("none", "frames"), ("none", "gc"), ("none", "globals"), ("prepare_thief", "view_reader")],
)
def test_each_attack_works_in_the_evaluators_process(
    thieves_here: None, memory: str, reasoner: str
) -> None:
    if memory == "prepare_thief":  # the hook is gone: the old call, made by hand, still steals
        track = get_track("entities")
        scenario = track.generate(0, "lite")
        thief = make_memory(memory, track)
        thief.prepare(scenario)  # type: ignore[attr-defined]
        transcript = run_episode(scenario, thief, make_reasoner(reasoner, track))
        result = score(transcript, scenario, memory, reasoner)
    else:
        result = in_process(memory, reasoner, 0)
    assert result.composite > 0.9


@pytest.mark.parametrize(
    ("memory", "reasoner"),
    [
        ("none", "frames"),
        ("none", "gc"),
        ("none", "globals"),
        ("prepare_thief", "view_reader"),
        ("bound_thief", "view_reader"),
        ("full", "frames"),
    ],
)
def test_each_attack_scores_nothing_through_the_official_path(memory: str, reasoner: str) -> None:
    results = [official(memory, reasoner, seed) for seed in SEEDS]
    assert all(r.boundary != "in-process" and r.status == "ok" for r in results)
    assert all(r.questions > 0 for r in results)
    assert mean_composite(results) <= CEILING


def test_replaying_public_seeds_wins_unsalted_and_nothing_salted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unsalted = [official("none", "replay", seed) for seed in SEEDS]
    assert mean_composite(unsalted) > 0.9  # public seeds can be regenerated: the attack is real
    monkeypatch.setenv(SALT_ENV, SALT)
    if _bwrap() is None:  # a salted run needs the sandbox: refused in one line without it
        with pytest.raises(ValueError, match="a salted run needs the worker's sandbox"):
            official("none", "replay", 0)
        return
    salted = [official("none", "replay", seed) for seed in SEEDS]
    assert all(r.salt and r.seed == s for r, s in zip(salted, SEEDS, strict=True))
    assert mean_composite(salted) <= CEILING
    assert {r.scenario_hash for r in salted}.isdisjoint(r.scenario_hash for r in unsalted)


@pytest.mark.skipif(_bwrap() is None, reason="needs bubblewrap (the sandbox)")
def test_the_salt_is_out_of_reach_of_evaluated_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SALT_ENV, SALT)
    result = official("none", "salt_reader", 0)
    assert result.boundary == SANDBOX
    answers = " ".join(a.answer for a in result.answers)
    assert SALT not in answers and "MEMGYM_SALT" not in answers


def test_a_mutating_memory_changes_nothing_the_evaluator_scores(thieves_here: None) -> None:
    track = get_track("entities")
    scenario = track.generate(2, "lite")
    before = scenario.fresh_hash()
    spoiled = official("mutator", "scripted", 2)  # through the boundary: a fresh scenario there
    assert spoiled.status == "ok" and spoiled.boundary != "in-process"
    from memgym.run.remote import evaluate_remote

    evaluate_remote(scenario, "mutator", "scripted", PLUGINS)  # the very scenario, remotely
    assert scenario.fresh_hash() == before
    again = evaluate(scenario, make_memory("full", track), make_reasoner("scripted", track))
    assert again.composite == 1.0 and again.scenario_hash == before


def test_what_a_memory_is_handed_is_a_copy() -> None:
    """Even in process, events and questions handed out are fresh copies: a memory that
    rewrites them (without reaching around the loop) leaves the scenario as it was."""
    track = get_track("entities")
    scenario = track.generate(3, "lite")
    before = scenario.fresh_hash()

    class Rewriter:
        def __init__(self) -> None:
            self.inner = make_memory("full", track)

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def observe(self, event: object) -> None:
            self.inner.observe(event)
            event.text = "changed"  # type: ignore[attr-defined]
            event.facts.append("f0")  # type: ignore[attr-defined]

        def recall(self, question: object) -> object:
            view = self.inner.recall(question)
            question.spec["rewritten"] = True  # type: ignore[attr-defined]
            return view

    run_episode(scenario, Rewriter(), make_reasoner("scripted", track))  # type: ignore[arg-type]
    assert scenario.fresh_hash() == before == scenario.hash


def _tamper_then_clean() -> tuple[str, str]:
    """The statuses of a ``mutator`` episode run in process and of a clean one after it."""
    importlib.import_module(PLUGINS[0])  # a spawned child registers the red team itself
    track = get_track("entities")
    scenario = track.generate(4, "lite")
    memory = make_memory("mutator", track)
    transcript = run_episode(scenario, memory, make_reasoner("scripted", track))
    spoiled = untouched(score(transcript, scenario, "mutator", "scripted"), scenario).status
    clean = get_track("entities").generate(4, "lite")
    ok = evaluate(clean, make_memory("full", track), make_reasoner("scripted", track))
    return spoiled, untouched(ok, clean).status


def test_a_scenario_changed_in_place_is_tampered_not_scored(thieves_here: None) -> None:
    """A memory in the evaluator's process that reaches around the loop (gc) and rewrites the
    scenario: the result says ``tampered`` (the hash taken afresh differs). It runs in a child
    process: in this process its gc sweep would spoil every scenario other tests hold. Spawned,
    not forked: a fork of a process whose earlier tests left threads (Playwright's, torch's) can
    hang on a lock one of them held."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        spoiled, clean = pool.submit(_tamper_then_clean).result(timeout=120)
    assert (spoiled, clean) == ("tampered", "ok")


def test_a_reference_memory_with_a_plugin_reasoner_is_refused() -> None:
    with pytest.raises(ValueError, match="reference"):
        official("oracle", "frames", 0)


def test_memgym_run_plugin_runs_behind_the_boundary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "r.db")
    base = ["run", "--track", "entities", "--tier", "lite", "--seeds", "1", "--results", db]
    thief = ["--memory", "none", "--reasoner", "frames", "--plugin", PLUGINS[0], "--json"]
    assert main([*base, *thief]) == 0
    episode = json.loads(capsys.readouterr().out)["episodes"][0]
    assert episode["boundary"] in ("process", "sandbox") and episode["composite"] == 0.0
    assert main([*base, "--memory", "none", "--reasoner", "frames", "--plugin", "no_such_mod"]) == 2
    assert "--plugin no_such_mod: no module of that name" in capsys.readouterr().err
    # a plugin no pair needs is still checked: a typo never passes for a run that used it
    assert main([*base, "--policies", "perfect", "--plugin", "no_such_mod"]) == 2
    assert "--plugin no_such_mod: no module of that name" in capsys.readouterr().err
    assert main([*base, "--policies", ","]) == 2
    assert "--policies names no policy" in capsys.readouterr().err
    with ResultsStore.open_read(db) as store:
        assert len(store.runs()) == 1  # only the first, good run was recorded
    assert main([*base, "--memory", "oracle", "--reasoner", "frames", "--plugin", PLUGINS[0]]) == 2
    assert "reference" in capsys.readouterr().err
