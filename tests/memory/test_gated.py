"""The gated memory: refuses the compactions MemRM scores harmful, passes the others."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from memgym.memory import make_memory
from memgym.memory.gated import GatedMemory
from memgym.memory.window import window
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.run.episode import run_episode
from memgym.tracks import get_track
from memgym.types import AskedQuestion, Span


def _gate(score: float, threshold: float = 0.5) -> GatedMemory:
    track = get_track("entities")

    def fixed(
        _brief: str,
        candidates: Sequence[Sequence[Span]],
        _kept: Sequence[Span],
        _asked: Sequence[AskedQuestion],
    ) -> list[float]:
        return [score] * len(candidates)

    return GatedMemory(window(track, max_tokens=800), fixed, threshold, "gated:test")


def test_passing_gate_equals_inner_memory() -> None:
    track = get_track("entities")
    scenario = track.generate(0)
    plain = run_episode(scenario, window(track, max_tokens=800), ScriptedReasoner(track))
    gated = _gate(0.0)
    out = run_episode(scenario, gated, ScriptedReasoner(track))
    assert [c.step for c in out.compactions] == [c.step for c in plain.compactions]
    assert [a.correct for a in out.answers] == [a.correct for a in plain.answers]
    assert gated.refused == 0


def test_closed_gate_refuses_every_compaction() -> None:
    track = get_track("entities")
    scenario = track.generate(0)
    plain = run_episode(scenario, window(track, max_tokens=800), ScriptedReasoner(track))
    gated = _gate(0.9)
    out = run_episode(scenario, gated, ScriptedReasoner(track))
    observed = [e for e in scenario.events if e.kind != "question"]
    assert out.compactions == []
    assert gated.refused >= len(plain.compactions) > 0
    assert [s.step for s in gated.spans] == [e.step for e in observed]
    full = sum(a.correct for a in out.answers)
    assert full >= sum(a.correct for a in plain.answers)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lite MemRM trained on one replay-labelled codeqa episode."""
    from memgym.rm.lite import train_lite
    from memgym.rmdata.dataset import Job, run_job

    _, rows, _, _ = run_job(Job("codeqa", "window:max_tokens=1000", 0, "train"))
    path = tmp_path_factory.mktemp("gated") / "lite.pkl"
    train_lite(rows).save(path)
    return path


def test_spec_loads_a_trained_model(model_path: Path) -> None:
    path = model_path
    track = get_track("entities")
    spec = f"gated:inner=window(max_tokens=800),model={path},threshold=0.3"
    memory = make_memory(spec, track)
    assert isinstance(memory, GatedMemory)
    assert memory.config() == spec
    run_episode(track.generate(1), memory, ScriptedReasoner(track))
    assert memory.refused + len(memory.compactions) > 0
    with pytest.raises(ValueError, match="model=PATH"):
        make_memory("gated:inner=window", track)
    with pytest.raises(ValueError, match="threshold"):
        make_memory(f"gated:inner=window,model={path},threshold=2", track)
    with pytest.raises(ValueError, match="not a context memory"):
        make_memory(f"gated:inner=rag-bm25,model={path}", track)


def test_refusal_is_span_by_span() -> None:
    """Scored harmful exactly when a dropped span states a fact: every fact-bearing observation
    stays, every fact-free one the window let go is gone, and accepted parts are recorded."""
    track = get_track("entities")
    scenario = track.generate(0)
    stating = {e.step for e in scenario.events if e.facts}  # memories are told no fact ids

    def facts_only(
        _brief: str,
        candidates: Sequence[Sequence[Span]],
        _kept: Sequence[Span],
        _asked: Sequence[AskedQuestion],
    ) -> list[float]:
        return [1.0 if any(s.step in stating for s in dropped) else 0.0 for dropped in candidates]

    gated = GatedMemory(window(track, max_tokens=800), facts_only, 0.5, "gated:test")
    out = run_episode(scenario, gated, ScriptedReasoner(track))
    observed = [e for e in scenario.events if e.kind != "question"]
    kept = {s.step for s in gated.spans}
    plain = window(track, max_tokens=800)  # what the window alone still holds at the end
    run_episode(scenario, plain, ScriptedReasoner(track))
    let_go = {e.step for e in observed} - {s.step for s in plain.spans}
    assert {e.step for e in observed if e.facts} <= kept
    assert {e.step for e in observed if not e.facts} & let_go  # the check below is not empty
    assert not {e.step for e in observed if not e.facts} & let_go & kept
    assert gated.refused > 0 and gated.protected >= gated.refused
    assert out.compactions and all(not c.facts for c in out.compactions)
    assert all(a.correct for a in out.answers)


def test_the_gate_sees_the_questions_asked_so_far() -> None:
    """A gate that refuses while nothing has been asked: no compaction before the first
    question, and each score is given exactly the questions asked before it, in order."""
    track = get_track("entities")
    scenario = track.generate(0)
    questions = [(e.step, e.text) for e in scenario.events if e.question is not None]
    seen: list[list[tuple[int, str]]] = []

    def until_asked(
        _brief: str,
        candidates: Sequence[Sequence[Span]],
        _kept: Sequence[Span],
        asked: Sequence[AskedQuestion],
    ) -> list[float]:
        seen.append([(q.step, q.text) for q in asked])
        return [0.0 if asked else 1.0] * len(candidates)

    gated = GatedMemory(window(track, max_tokens=800), until_asked, 0.5, "gated:test")
    out = run_episode(scenario, gated, ScriptedReasoner(track))
    assert gated.refused > 0
    assert out.compactions and min(c.step for c in out.compactions) > questions[0][0]
    assert all(got == questions[: len(got)] for got in seen)
    assert len({len(got) for got in seen}) >= 3
    for record in out.compactions:
        assert [(q.step, q.text) for q in record.asked] == [
            q for q in questions if q[0] < record.step
        ]


def test_model_score_batches_candidates_as_one_call_each(model_path: Path) -> None:
    """The scoring function scores a batch of candidate drops as the model scores those rows,
    one by one or all at once alike."""
    from memgym.memory.gated import model_score
    from memgym.rm.lite import load_lite
    from memgym.rm.rows import span_row

    track = get_track("codeqa")
    events = [e for e in track.generate(2).events if e.kind != "question"][:6]
    spans = [Span(step=e.step, text=e.text, facts=list(e.facts)) for e in events]
    score = model_score(str(model_path))
    candidates = [[spans[0]], [spans[1]], spans[:2]]
    batch = score("brief", candidates, spans[2:], [])
    alone = [score("brief", [c], spans[2:], [])[0] for c in candidates]
    direct = load_lite(model_path).predict(
        [span_row("brief", c, spans[2:], []) for c in candidates]
    )
    assert batch == pytest.approx(alone, abs=1e-12) and batch == pytest.approx(direct, abs=1e-12)


def test_a_model_file_is_loaded_once_while_it_stays_the_same(
    model_path: Path, tmp_path: Path
) -> None:
    """Each gated memory of a process scores with the model loaded first from that file; a file
    written again (another model at the same path) is loaded anew."""
    import os
    import shutil

    from memgym.memory.gated import model_score

    path = tmp_path / "lite.pkl"
    shutil.copyfile(model_path, path)
    first = model_score(str(path))
    assert model_score(str(path)) is first
    spans = [Span(step=i, text=f"Node{i} holds {i * 7} units", facts=[]) for i in range(4)]
    before = first("brief", [spans[:1]], spans[1:], [])
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    again = model_score(str(path))
    assert again is not first
    assert again("brief", [spans[:1]], spans[1:], []) == before


def test_a_refused_single_span_is_scored_once_and_several_spans_alone_in_one_batch() -> None:
    track = get_track("entities")
    calls: list[list[int]] = []  # per call: the number of spans of each candidate

    def harmful(
        _brief: str,
        candidates: Sequence[Sequence[Span]],
        _kept: Sequence[Span],
        _asked: Sequence[AskedQuestion],
    ) -> list[float]:
        calls.append([len(c) for c in candidates])
        return [0.9] * len(candidates)

    gated = GatedMemory(window(track, max_tokens=800), harmful, 0.5, "gated:test")
    run_episode(track.generate(0), gated, ScriptedReasoner(track))
    wholes = 0
    i = 0
    while i < len(calls):
        assert len(calls[i]) == 1  # a proposal: the whole compaction as one candidate
        wholes += 1
        spans = calls[i][0]
        if spans > 1:  # refused: its spans alone, all in the next call
            assert calls[i + 1] == [1] * spans
            i += 1
        i += 1
    assert wholes == gated.refused > 0  # every proposal refused, each scored once as a whole
    assert any(c[0] == 1 for c in calls) and any(c[0] > 1 for c in calls if len(c) == 1)


def test_the_trees_are_made_when_the_model_loads_not_in_a_call(
    model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading a lite model with trees for the gated memory makes their function then (from the
    file's stored code, or compiled for a file without it); no scoring call compiles, and both
    files score alike."""
    import pickle

    import numpy as np

    from memgym.memory import gated as gated_module
    from memgym.rm import trees as trees_module
    from memgym.rm.features import HAND_FEATURES
    from memgym.rm.lite import KIND, load_lite
    from memgym.rm.trees import fit_trees

    model = load_lite(model_path)
    rng = np.random.RandomState(3)
    model.trees = fit_trees(rng.rand(300, len(HAND_FEATURES) + 1), np.arange(300) % 2, 0)
    model.save(tmp_path / "stored.pkl")
    payload = pickle.loads((tmp_path / "stored.pkl").read_bytes())
    (tmp_path / "old.pkl").write_bytes(pickle.dumps({"kind": KIND, "model": payload["model"]}))
    compiled: list[int] = []
    real = trees_module.trees_code

    def counted(trees: object) -> object:
        compiled.append(1)
        return real(trees)

    monkeypatch.setattr(trees_module, "trees_code", counted)
    monkeypatch.setattr(gated_module, "_LOADED", {})
    track = get_track("codeqa")
    events = [e for e in track.generate(2).events if e.kind != "question"][:6]
    spans = [Span(step=e.step, text=e.text, facts=list(e.facts)) for e in events]
    scores = []
    for name, compiles in (("stored.pkl", 0), ("old.pkl", 1)):
        monkeypatch.setattr(trees_module, "_COMPILED", {})
        score = gated_module.model_score(str(tmp_path / name))
        assert len(compiled) == compiles
        scores.append(score("brief", [[spans[0]], spans[:2]], spans[2:], []))
        assert len(compiled) == compiles
        compiled.clear()
    assert scores[0] == scores[1]
