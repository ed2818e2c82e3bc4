"""MemRM rows from an interactive track: real swe sessions in the sandbox, labelled by re-running
them with a compaction's dropped units kept in view, checked against re-runs made here, then
added as a split and scored by the evaluator."""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest

from memgym.cli import main
from memgym.interactive.loop import Limits, run_session
from memgym.interactive.registry import make_agent
from memgym.memory.history.history_memory import HistoryMemory
from memgym.rm.rows import read_jsonl
from memgym.rmdata.dataset import add_split
from memgym.rmdata.interactive import label_session, session_rows
from memgym.tracks import get_track
from memgym.types import Scenario
from tests.engines import needs

pytestmark = needs("swe")
TINY = {"tasks": 2, "target_tokens": 1500}
MEMORY = "window:max_tokens=800"
SEED = 5  # two tasks; the window loses the second one's outline line: HARMFUL and SAFE rows


def rerun(scenario: Scenario, keep: Collection[str]) -> tuple[list[bool], list[Any]]:
    """The context agent's session with ``keep`` pinned, run here without the labeller's code:
    each task solved or not, and the strategy's records."""
    track = get_track("swe")
    history = HistoryMemory(MEMORY, "swe", scenario.hash, keep)
    session = track.open(scenario)  # type: ignore[attr-defined]
    agent = make_agent("context", track)
    try:
        log = run_session(session, agent, history, Limits())
    finally:
        session.close()
    return [o.reward == 1.0 and o.status == "ok" for o in log.outcomes], history.records


@pytest.fixture(scope="module")
def labelled() -> tuple[Scenario, Any]:
    track = get_track("swe")
    scenario = track.generate(SEED, None, **TINY)
    return scenario, label_session(track, scenario, MEMORY, "context")  # type: ignore[arg-type]


def test_single_undo_label_is_exactly_a_loss_turned_around(labelled: tuple[Scenario, Any]) -> None:
    scenario, labels = labelled
    actual, records = rerun(scenario, ())
    assert actual == labels.actual.solved and not all(actual)  # deterministic, and harm to find
    assert [r.dropped for r in records] == [r.dropped for r in labels.actual.records]
    assert labels.kept and any(labels.single.values()) and not all(labels.single.values())
    for i in labels.kept:
        dropped = [s.text for s in records[i].dropped]
        counter, pinned_records = rerun(scenario, dropped)
        # the strategy decides exactly as before up to and at the compaction
        assert [r.dropped for r in pinned_records[: i + 1]] == [r.dropped for r in records[: i + 1]]
        ahead = range(labels.actual.positions[i], len(actual))
        turned = any(counter[t] and not actual[t] for t in ahead)
        assert labels.single[i] == turned


def test_shared_label_charges_what_fixes_the_loss(labelled: tuple[Scenario, Any]) -> None:
    scenario, labels = labelled
    records = labels.actual.records
    actual = labels.actual.solved
    charged = [i for i in labels.kept if labels.shared[i]]
    assert charged and labels.stats["lost"] == actual.count(False)
    assert labels.stats["charged_shared"] == labels.stats["recoverable"] >= 1
    keep = [s.text for i in charged for s in records[i].dropped]
    fixed, _ = rerun(scenario, keep)
    lost = [t for t, ok in enumerate(actual) if not ok]
    assert any(fixed[t] for t in lost)  # keeping what the charged compactions dropped recovers
    for i in charged:  # ... and each charged compaction came before a lost task ended
        assert any(labels.actual.positions[i] <= t for t in lost)


def test_rows_add_as_a_split_and_score(
    labelled: tuple[Scenario, Any], lite_model: tuple[Path, Any], tmp_path: Path
) -> None:
    scenario, labels = labelled
    rows = session_rows(labels, scenario, MEMORY, "context")
    assert len(rows) == len(labels.kept)
    assert {r["episode"] for r in rows} == {scenario.hash} and all(
        r["track"] == "swe" for r in rows
    )
    needs = {n for ns in labels.actual.needs.values() for n in ns}
    assert needs  # the oracle's needs became the rows' "facts"
    for row in rows:
        for d in row["dropped"]:
            assert all(f in needs and f in d["text"] for f in d["facts"])
    data = tmp_path / "data"
    data.mkdir()
    (data / "manifest.json").write_text(json.dumps({"splits": {}}))
    manifest = add_split(data, "swe_ood", rows)
    assert manifest["splits"]["swe_ood"]["rows"] == len(rows)
    assert manifest["splits"]["swe_ood"]["harmful"] == sum(labels.shared[i] for i in labels.kept)
    model_path, model = lite_model
    p = model.predict(list(read_jsonl(data / "swe_ood.jsonl")))
    assert len(p) == len(rows) and all(0.0 <= x <= 1.0 for x in p)
    out = tmp_path / "eval.json"
    code = main(["rm", "eval", "--model", str(model_path), "--data", str(data), "--split",
                 "swe_ood", "--resamples", "20", "--json", str(out)])  # fmt: skip
    assert code == 0
    report = json.loads(out.read_text())["swe_ood"]
    assert report["all"]["n"] == len(rows) and report["all"]["harmful"] == sum(
        r["harmful"] for r in rows
    )


def test_command_writes_rows_resumes_and_refuses_bad_input(tmp_path: Path) -> None:
    out = tmp_path / "rows.jsonl"
    args = ["rm", "interactive", "--track", "swe", "--seed", "4", "--seeds", "1",
            "--memories", "window:max_tokens=1200", "--param", "tasks=2",
            "--param", "target_tokens=0", "--single-only", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    rows = list(read_jsonl(out))
    jobs = (tmp_path / "rows.jsonl.jobs").read_text().splitlines()
    assert len(jobs) == 1 and json.loads(jobs[0])["rows"] == len(rows) >= 1
    assert all(r["harmful"] == r["harmful_single"] for r in rows)
    before = out.read_text()
    (tmp_path / "rows.jsonl").write_text(
        before + '{"job": "unfinished", "after": [], "dropped": []}\n'
    )
    assert main(args) == 0  # resumed: the finished session is not run again, the stray row goes
    assert out.read_text() == before
    assert main(["rm", "interactive", "--track", "entities", "--memories", "window:max_tokens=9",
                 "--out", str(out)]) == 2  # fmt: skip
    assert main(["rm", "interactive", "--track", "swe", "--memories", "nope:x=1",
                 "--out", str(out)]) == 2  # fmt: skip
    assert main([*args[:-2], "--param", "tasks=0", "--out", str(out)]) == 2
