"""bench/studies/rm_ceiling_dialogue.py: a redraw changes only the profile questions after the
compaction, each what generation would have made of the redrawn choice; p* is what full re-runs
with those questions give; the bench reproduces the dataset's labels or exits non-zero."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

import memgym.tracks.dialogue.track as dialogue_track
from memgym.memory import make_memory
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.rm.rows import write_jsonl
from memgym.rmdata.dataset import Job, run_job
from memgym.rmdata.replay import label_episode_both
from memgym.tracks import get_track
from tests.bench_scripts import load_bench_script

load_bench_script("rm_ceiling")  # what the dialogue ceiling imports (bench is no package)
ceiling = load_bench_script("rm_ceiling_dialogue")
SEED = 3
STRATEGIES = ["window:max_tokens=2500", "mask:keep=6"]


def generated_with(seed: int, drafts: list[Any]) -> Any:
    """The scenario the real generator makes of ``seed`` when its profile questions are
    ``drafts`` (everything else drawn as always)."""
    real = dialogue_track.profile_questions

    def fixed(rng: Any, *args: Any) -> list[Any]:
        real(rng, *args)  # the random source advances as it would
        return drafts

    dialogue_track.profile_questions = fixed
    try:
        return get_track("dialogue").generate(seed)
    finally:
        dialogue_track.profile_questions = real


@pytest.fixture(scope="module")
def ep() -> Any:
    return ceiling.rebuild(SEED)


@pytest.mark.parametrize("given", ["kinds", "nothing"])
def test_a_redraw_changes_only_the_later_profile_questions(ep: Any, given: str) -> None:
    scenario = ep.scenario
    original = [e for e in scenario.events if e.question is not None]
    by_spec = {repr(d.spec): d for d in ep.pool}
    changed = 0
    for kept in range(ep.first + 1):
        for j in range(3):
            redrawn = ceiling.redraw(ep, kept, f"test-{kept}-{j}", given)
            assert redrawn == ceiling.redraw(ep, kept, f"test-{kept}-{j}", given)  # seeded
            assert sorted(redrawn) == ep.steps[ep.first :]  # every profile question, no other
            # what generation makes with the redrawn choice: the same stream and selection
            # questions, and these profile questions with these gold answers
            drafts = [by_spec[repr(q.spec)] for _, q in sorted(redrawn.items())]
            again = generated_with(SEED, drafts)
            assert len(again.events) == len(scenario.events)
            for old, new in zip(scenario.events, again.events, strict=True):
                if old.step in redrawn:
                    assert new.question == redrawn[old.step] and new.step == old.step
                    if given == "kinds":
                        assert new.question.kind == old.question.kind
                else:
                    assert new == old
            kinds = [q.kind for _, q in sorted(redrawn.items())]
            assert len({repr(q.spec) for q in redrawn.values()}) == len(redrawn)  # no repeats
            if given == "nothing":  # the generator's order: a count question comes early
                assert "filter_count" not in kinds or kinds.index("filter_count") < 3
            changed += any(redrawn[e.step] != e.question for e in original[ep.first :])
    assert changed  # redraws do draw other questions


def test_kinds_given_keeps_the_questions_already_asked() -> None:
    ep = ceiling.rebuild(SEED)
    kept = ep.first + 2  # (no compaction comes this late; the redraw still holds them)
    asked = {repr(d.spec) for d in ep.drafts[:2]}
    for j in range(5):
        redrawn = ceiling.redraw(ep, kept, f"late-{j}")
        assert sorted(redrawn) == ep.steps[kept:]
        assert not asked & {repr(q.spec) for q in redrawn.values()}
    with pytest.raises(ValueError, match="none may be kept"):
        ceiling.redraw(ep, kept, "x", "nothing")


def test_pstar_is_the_harm_rate_of_full_reruns_with_the_redrawn_questions(ep: Any) -> None:
    k = 2
    strategy = STRATEGIES[0]
    track = get_track("dialogue")
    computed = ceiling.ceiling_rows(ep, strategy, k)
    assert computed
    harmful = {c["id"]: 0 for c in computed}
    cuts = {sum(s <= c["step"] for s in ep.steps) for c in computed}
    for kept in cuts:
        for questions in ep.draws(kept, k):
            events = [
                e.model_copy(update={"question": questions[e.step], "text": questions[e.step].text})
                if e.step in questions
                else e
                for e in ep.scenario.events
            ]
            scenario = ep.scenario.model_copy(update={"events": events})
            labelled = label_episode_both(
                scenario, make_memory(strategy, track), ScriptedReasoner(track)
            )
            for i, shared in enumerate(labelled.shared):
                row_id = f"{ep.scenario.hash[:12]}-{strategy}-{i}"
                if (
                    row_id in harmful
                    and sum(s <= labelled.records[i].step for s in ep.steps) == kept
                ):
                    harmful[row_id] += shared
    for c in computed:
        assert c["pstar"] == harmful[c["id"]] / k


def test_main_reproduces_the_dataset_labels_and_refuses_stale_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [r for s in STRATEGIES for r in run_job(Job("dialogue", s, SEED, "scenario_ood"))[1]]
    assert rows and any(r["harmful"] for r in rows)
    config = {"strategies": STRATEGIES, "ood_strategies": [], "tier": None}
    for name, flip in (("good", False), ("stale", True)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "manifest.json").write_text(json.dumps({"config": config}))
        if flip:
            rows[0] = {**rows[0], "harmful": 1 - rows[0]["harmful"]}
        write_jsonl(folder / "scenario_ood.jsonl", rows)
    argv = ["rm_ceiling_dialogue.py", "--k", "1", "--resamples", "20", "--data"]
    monkeypatch.setattr(sys, "argv", [*argv, str(tmp_path / "good")])
    ceiling.main()
    out = capsys.readouterr().out
    assert f"dialogue rows: {len(rows)}, recomputed {len(rows)}" in out
    assert "dataset labels reproduced: 1.0000" in out and "fact rows:" in out
    monkeypatch.setattr(sys, "argv", [*argv, str(tmp_path / "stale")])
    with pytest.raises(SystemExit, match="do not reproduce"):
        ceiling.main()
    monkeypatch.setattr(sys, "argv", [*argv, str(tmp_path / "none")])
    with pytest.raises(SystemExit, match="no MemRM dataset"):
        ceiling.main()


def test_main_refuses_a_wrong_model_before_the_redraws(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model that cannot score (missing, not a model) stops the bench before its long redraws,
    not after them."""

    def no_redraws(*_: Any) -> None:
        raise AssertionError("redrew before checking the model")

    monkeypatch.setattr(ceiling, "rebuild", no_redraws)
    not_a_model = tmp_path / "notes.pkl"
    not_a_model.write_text("not a model")
    argv = ["rm_ceiling_dialogue.py", "--data", str(tmp_path), "--model"]
    monkeypatch.setattr(sys, "argv", [*argv, str(not_a_model)])
    with pytest.raises(SystemExit, match="--model: cannot read a lite MemRM"):
        ceiling.main()
    monkeypatch.setattr(sys, "argv", [*argv, str(tmp_path / "missing.pkl")])
    with pytest.raises(SystemExit, match="no model at"):
        ceiling.main()


rows_bench = load_bench_script("rm_dialogue_rows")


def test_fate_tells_restated_superseded_older_and_gone() -> None:
    from memgym.claims import Claim

    dropped = Claim("Ann Lee", "max_price_usd", "900")
    kept = [(1, [Claim("Ann Lee", "max_price_usd", "700")]), (5, [Claim("Bo Li", "cabin", "x")])]
    assert rows_bench.fate(3, dropped, kept) == "older kept"  # 700 was said before it
    assert rows_bench.fate(0, dropped, kept) == "superseded"  # 700 comes after it
    assert rows_bench.fate(0, dropped, [(9, [Claim("Ann Lee", "max_price_usd", "900")])]) == (
        "restated"
    )
    assert rows_bench.fate(0, dropped, kept[1:]) == "gone"


def test_signals_read_the_dropped_and_kept_texts_of_real_rows() -> None:
    scenario = get_track("dialogue").generate(SEED)
    user = rows_bench.customer(SEED)
    party = [f.value for f in scenario.facts if f.attribute == "travels_with"]
    assert party and set(party) == {user}  # the one every companion travels with
    facts = {f.id: f for f in scenario.facts}
    rows = [
        r
        for s in STRATEGIES
        for r in run_job(Job("dialogue", s, SEED, "scenario_ood"))[1]
        if any(d["facts"] for d in r["dropped"])
    ]
    assert rows
    for r in rows:
        got = rows_bench.signals(r, user)
        dropped = [facts[f] for d in r["dropped"] for f in d["facts"]]
        assert got["states a customer value"] == any(f.entity == user for f in dropped)
        mine = {(f.attribute, str(f.value)) for f in dropped if f.entity == user}
        kept_text = "\n".join(r["after"])
        lines = kept_text.splitlines()
        if got["every customer or companion value restated"]:
            assert all(value in kept_text for _, value in mine)
        if got["a customer value gone from the view"]:  # no kept line states it of the customer
            # (read by the track's reader: the chores' lines about the customer's friends name
            # the customer and may share a value, so a substring test would see them)
            said = {
                (c.attribute, str(c.value))
                for line in lines
                for c in get_track("dialogue").read(line)
                if c.entity == user
            }
            assert any(pair not in said for pair in mine)
    later = rows_bench.changed_later(rows)
    for r, flag in zip(rows, later, strict=True):
        keys = {(facts[f].entity, facts[f].attribute) for d in r["dropped"] for f in d["facts"]}
        assert flag == any(
            (f.entity, f.attribute) in keys and f.step > r["step"] for f in scenario.facts
        )


def test_per_kind_scores_each_strategy_kind_on_its_own_rows() -> None:
    import numpy as np

    from memgym.rm.metrics import auroc

    rows = [
        {"strategy": s}
        for s in (
            "window:max_tokens=9",
            "mask:keep=2",
            "window:max_tokens=3",
            "mask:keep=6",
            "window:max_tokens=1",
            "mask:keep=1",
        )
    ]
    y = np.asarray([1, 0, 0, 1, 1, 0])
    scores = np.asarray([0.9, 0.8, 0.1, 0.2, 0.7, 0.3])
    line = rows_bench.per_kind(rows, y, scores)
    window = auroc(y[[0, 2, 4]], scores[[0, 2, 4]])
    mask = auroc(y[[1, 3, 5]], scores[[1, 3, 5]])
    assert line == f"mask {mask:.3f}, window {window:.3f}"
    assert window == 1.0 and mask < 0.5  # the kinds are scored apart, not pooled
