"""The example plugin (``examples/plugins/keep_numbers.py``) through the command line, as
docs/memory.md tells an author to run it: ``memgym run`` and ``memgym compare`` with
``--plugin`` and a file path, on the four question-stream tracks and the three interactive ones
(swe, web; tau2 where τ²-bench is installed: run this file in its venv). Its episodes run behind
the boundary (``sandbox`` where bubblewrap is installed; on an interactive track the memory
compacts the agent's history there) and score what the same memory scores in an evaluator's own
process on the same scenario (so the boundary changes no number)."""

from __future__ import annotations

import importlib.util
import json
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from memgym.cli import main
from memgym.run.results import ResultsStore
from memgym.run.sandbox import PROCESS, SANDBOX, sandboxed
from tests.engines import missing

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = Path("examples/plugins/keep_numbers.py")
TRACKS = ("entities", "research", "codeqa", "dialogue")
INTERACTIVE = ("swe", "web", "tau2")
AGENT = "context"
"""The agent ``compare`` runs on an interactive track (it acts only on what its view shows)."""
SPEC = "keep-numbers:max_tokens=3000"


def _import_example() -> None:
    spec = importlib.util.spec_from_file_location("keep_numbers", REPO / EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["keep_numbers"] = module
    spec.loader.exec_module(module)


def _in_process(tracks: tuple[str, ...]) -> dict[str, float]:
    """Seed 0 of each track, lite, with the example's ``keep-numbers`` built in this process
    (a spawned child: registering the plugin here would leave it in the test's registry)."""
    _import_example()
    from memgym.memory import make_memory
    from memgym.reasoners import make_reasoner
    from memgym.run.episode import evaluate
    from memgym.tracks import get_track

    scores = {}
    for name in tracks:
        track = get_track(name)
        scenario = track.generate(0, "lite")
        memory, reasoner = make_memory(SPEC, track), make_reasoner("scripted", track)
        scores[name] = evaluate(scenario, memory, reasoner).composite
    return scores


def _interactive_in_process(track_name: str) -> tuple[float, int]:
    """Seed 0 of an interactive track, lite: the reward and compactions of ``AGENT`` with the
    example's ``keep-numbers`` compacting its history in this (spawned) process."""
    _import_example()
    from memgym.interactive.episode import evaluate_interactive
    from memgym.tracks import get_track

    track = get_track(track_name)
    result = evaluate_interactive(track, track.generate(0, "lite"), SPEC, AGENT)  # type: ignore[arg-type]
    assert result.boundary == "in-process (third-party)"
    return result.composite, len(result.compactions)


def _spawned(function: Any, *args: Any) -> Any:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result(timeout=300)


@pytest.fixture(scope="module")
def expected() -> dict[str, float]:
    return _spawned(_in_process, TRACKS)  # type: ignore[no-any-return]


@pytest.mark.parametrize("track", TRACKS)
def test_the_example_runs_and_compares_behind_the_boundary(
    track: str,
    expected: dict[str, float],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)  # the path is given as an author would: relative to the checkout
    boundary = SANDBOX if sandboxed() else PROCESS
    base = ["--track", track, "--tier", "lite", "--seeds", "1", "--plugin", str(EXAMPLE)]
    db = str(tmp_path / "run.db")
    assert main(["run", *base, "--memory", SPEC, "--results", db, "--json"]) == 0
    (episode,) = json.loads(capsys.readouterr().out)["episodes"]
    assert episode["boundary"] == boundary and episode["status"] == "ok"
    assert episode["memory"] == SPEC and episode["questions"] > 0
    assert episode["composite"] == pytest.approx(expected[track])

    db = str(tmp_path / "compare.db")
    memories = ["--memories", "keep-numbers:max_tokens=3000", "number-notes"]
    assert main(["compare", *base, *memories, "--results", db]) == 0
    table = capsys.readouterr().out
    assert "keep-numbers" in table and "number-notes" in table
    with ResultsStore.open_read(db) as store:
        where = {e.memory.split(":")[0]: e for e in store.episodes(compactions=False)}
    assert {where[m].boundary for m in ("keep-numbers", "number-notes")} == {boundary}
    assert {where[m].boundary for m in ("none", "full", "oracle")} == {"in-process"}
    assert where["keep-numbers"].composite == pytest.approx(expected[track])


@pytest.mark.parametrize("track", INTERACTIVE)
def test_the_example_compacts_an_interactive_history_behind_the_boundary(
    track: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if missing(track):
        pytest.skip(missing(track) or "")
    reward, compactions = _spawned(_interactive_in_process, track)
    monkeypatch.chdir(REPO)
    boundary = SANDBOX if sandboxed() else PROCESS
    base = ["--track", track, "--tier", "lite", "--seeds", "1", "--plugin", str(EXAMPLE)]
    db = str(tmp_path / "compare.db")
    memories = ["--memories", SPEC, "number-notes"]
    assert main(["compare", *base, *memories, "--results", db]) == 0
    table = capsys.readouterr().out
    assert "keep-numbers 3000" in table and "number-notes 200" in table
    with ResultsStore.open_read(db) as store:
        where = {e.memory.split(":")[0]: e for e in store.episodes(compactions=True)}
    assert {where[m].boundary for m in ("keep-numbers", "number-notes")} == {boundary}
    assert {where[m].boundary for m in ("none", "full")} == {"in-process"}
    ours = where["keep-numbers"]
    assert ours.status == "ok" and ours.reasoner == AGENT and ours.questions > 0
    assert (ours.composite, len(ours.compactions)) == (pytest.approx(reward), compactions)
    assert compactions > 0  # the history was compacted, and the records came back
    assert {c.episode for c in ours.compactions} == {ours.scenario_hash}
    if track != "swe":
        return
    db = str(tmp_path / "run.db")  # memgym run too, with the agent named
    argv = ["run", *base, "--memory", SPEC, "--reasoner", AGENT, "--results", db, "--json"]
    assert main(argv) == 0
    (episode,) = json.loads(capsys.readouterr().out)["episodes"]
    assert (episode["boundary"], episode["status"], episode["memory"]) == (boundary, "ok", SPEC)
    assert episode["composite"] == pytest.approx(reward)


def test_a_module_in_the_current_folder_needs_no_pythonpath(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from memgym.run.plugins import canonical, locate, locate_all

    (tmp_path / "my_memory.py").write_text((REPO / EXAMPLE).read_text())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    plugin = locate("my_memory")
    assert (plugin.module, plugin.top) == ("my_memory", tmp_path / "my_memory.py")
    assert locate("./my_memory.py").top == plugin.top
    assert canonical("./my_memory.py") == str(tmp_path / "my_memory.py")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "my_memory.py").write_text("")
    with pytest.raises(ValueError, match="clashes with --plugin my_memory"):
        locate_all(["my_memory", "other/my_memory.py"])
    assert locate_all(["my_memory", "./my_memory.py"])[0].top == plugin.top
    with pytest.raises(ValueError, match="no Python file or package folder at that path"):
        locate("./nothing.py")
    with pytest.raises(ValueError, match="no module of that name can be imported"):
        locate("no_such_memory_module")
