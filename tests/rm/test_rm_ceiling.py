"""bench/studies/rm_ceiling.py: the rebuilt episodes reproduce the dataset labels, the redrawn questions
keep their places, and p* is what full re-runs of the episode with those questions give."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from memgym.memory import make_memory
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.rm.dataset import build, quick_config
from memgym.rm.metrics import auroc
from memgym.rm.replay import actual_run, label_episode_both, shared_labels
from memgym.rm.rows import read_jsonl, write_jsonl
from memgym.tracks import get_track
from tests.bench_scripts import load_bench_script

K = 2

ceiling = load_bench_script("rm_ceiling")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small dataset whose IID split holds entities rows (the quick one holds entities out)."""
    folder = tmp_path_factory.mktemp("rm-ceiling")
    build(replace(quick_config(), ood_track="codeqa", seeds=3, new_seeds=0), folder)
    return folder


@pytest.fixture(scope="module")
def setup(data: Path) -> tuple[list[dict[str, Any]], list[str], Any]:
    """The entities IID rows, the IID strategies and the rebuilt episode of their one seed."""
    rows = [r for r in read_jsonl(data / "iid.jsonl") if r["track"] == "entities"]
    config = json.loads((data / "manifest.json").read_text())["config"]
    strategies = [s for s in config["strategies"] if s not in config["ood_strategies"]]
    (seed,) = {r["seed"] for r in rows}
    return rows, strategies, ceiling.rebuild(seed)


def test_recomputed_rows_reproduce_the_dataset_labels(setup: Any) -> None:
    rows, strategies, ep = setup
    assert rows and ep.scenario.hash == get_track("entities").generate(ep.seed).hash
    computed = {c["id"]: c for s in strategies for c in ceiling.ceiling_rows(ep, s, K)}
    assert set(computed) == {r["id"] for r in rows}
    for r in rows:
        c = computed[r["id"]]
        assert (c["harmful"], c["later"], c["step"]) == (r["harmful"], r["later"], r["step"])
        assert c["delta"] == pytest.approx(r["delta"], abs=1e-12)
        assert 0 <= c["pstar"] <= 1 and c["pstar"] * K == round(c["pstar"] * K)


def test_reasking_the_original_questions_gives_the_dataset_labels(setup: Any) -> None:
    rows, strategies, ep = setup
    by_id = {r["id"]: r for r in rows}
    track = get_track("entities")
    brief = ep.scenario.brief
    for strategy in strategies:
        reasoner = ScriptedReasoner(track)
        asked, records = actual_run(ep.scenario, make_memory(strategy, track), reasoner)
        again = ceiling.reask(brief, asked, {a.step: a.question for a in asked}, reasoner)
        assert [a.correct for a in again] == [a.correct for a in asked]
        labels = shared_labels(brief, again, records, reasoner)
        for i in range(len(records)):
            row = by_id.get(f"{ep.scenario.hash[:12]}-{strategy}-{i}")
            if row is not None:
                assert int(labels[i]) == row["harmful"]


@pytest.mark.parametrize(("seed", "tier"), [(1, None), (0, "hard"), (1, "hard")])
def test_redrawn_questions_keep_their_places_and_ask_only_about_the_past(
    seed: int, tier: str | None
) -> None:
    ep = ceiling.rebuild(seed, tier)
    original = {e.step: e.question for e in ep.scenario.events if e.question is not None}
    stated = {f.id: f.step for f in ep.scenario.facts}
    first_seen: dict[str, int] = {}
    for f in ep.scenario.facts:
        first_seen[f.entity] = min(f.step, first_seen.get(f.entity, f.step))
    assert ceiling.redraw(ep, 0, "test") == ceiling.redraw(ep, 0, "test")  # seeded
    for kept in range(len(ep.steps)):
        for j in range(2):
            questions = ceiling.redraw(ep, kept, f"test-{j}")
            assert sorted(questions) == ep.steps[kept:]
            for step, q in questions.items():
                assert q.id == original[step].id
                assert q.evidence or q.kind == "abstention"
                assert all(stated[f] < step for f in q.evidence)
                named = [q.spec["entity"]] if "entity" in q.spec else q.spec.get("entities", [])
                # an entity asked about has appeared by then, or never does (an absent one)
                assert all(first_seen.get(name, -1) < step for name in named)
                if (q.kind, q.spec) == (original[step].kind, original[step].spec):
                    assert q == original[step]  # same target, place and kind: same question


def test_pstar_is_the_harm_rate_of_full_reruns_with_the_redrawn_questions(setup: Any) -> None:
    """The ceiling relabels on the views recorded once; here each redraw is written into the
    scenario and the episode labelled from scratch, as the dataset is built."""
    _, strategies, ep = setup
    strategy = strategies[0]
    track = get_track("entities")
    computed = ceiling.ceiling_rows(ep, strategy, K)
    by_kept: dict[int, list[dict[str, Any]]] = {}
    for c in computed:
        by_kept.setdefault(sum(s <= c["step"] for s in ep.steps), []).append(c)
    cuts = sorted(by_kept)
    checked = 0
    for kept in {cuts[0], cuts[len(cuts) // 2], cuts[-1]}:
        harmful = {c["id"]: 0 for c in by_kept[kept]}
        for j in range(K):
            questions = ceiling.redraw(ep, kept, f"ceiling-{ep.seed}-{kept}-{j}")
            events = [
                e.model_copy(update={"question": questions[e.step], "text": questions[e.step].text})
                if e.step in questions
                else e
                for e in ep.scenario.events
            ]
            scenario = ep.scenario.model_copy(update={"events": events})
            memory = make_memory(strategy, track)
            labelled = label_episode_both(scenario, memory, ScriptedReasoner(track))
            for i, shared in enumerate(labelled.shared):
                row_id = f"{ep.scenario.hash[:12]}-{strategy}-{i}"
                if row_id in harmful:
                    harmful[row_id] += shared
        for c in by_kept[kept]:
            assert c["pstar"] == harmful[c["id"]] / K
            checked += 1
    assert checked


def test_main_prints_the_ceiling_and_refuses_stale_data(
    data: Path,
    setup: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no default model here
    monkeypatch.setattr(sys, "argv", ["rm_ceiling.py", "--data", str(data), "--k", str(K)])
    ceiling.main()
    out = capsys.readouterr().out
    assert "dataset labels reproduced: 1.0000" in out
    rows, strategies, ep = setup
    pstar = {c["id"]: c["pstar"] for s in strategies for c in ceiling.ceiling_rows(ep, s, K)}
    value = auroc([r["harmful"] for r in rows], [pstar[r["id"]] for r in rows])
    assert f"AUROC(p*, label): {value:.4f}" in out
    assert "model" not in out

    stale = tmp_path / "stale"
    stale.mkdir()
    (stale / "manifest.json").write_text((data / "manifest.json").read_text())
    flipped = list(read_jsonl(data / "iid.jsonl"))
    first = next(r for r in flipped if r["track"] == "entities")
    first["harmful"] = 1 - first["harmful"]
    write_jsonl(stale / "iid.jsonl", flipped)
    monkeypatch.setattr(sys, "argv", ["rm_ceiling.py", "--data", str(stale), "--k", "1"])
    with pytest.raises(SystemExit, match="do not reproduce"):
        ceiling.main()

    monkeypatch.setattr(sys, "argv", ["rm_ceiling.py", "--data", str(tmp_path / "none")])
    with pytest.raises(SystemExit, match="no MemRM dataset"):
        ceiling.main()
