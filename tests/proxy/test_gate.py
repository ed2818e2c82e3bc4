"""The MemRM gate with a real ``lite`` model trained here: refused compactions are undone in the
forwarded history, and every score is the model's own for that record."""

import json

import pytest

from memgym.cli import main
from memgym.memory import make_memory
from memgym.proxy import MemoryProxy, RecordLog
from memgym.proxy.gate import load_gate
from memgym.proxy.naive_agent import TASK
from memgym.reasoners import make_reasoner
from memgym.run.episode import run_episode
from memgym.tracks import stream_events

SPEC = "window:max_tokens=600"


def test_a_gated_proxy_refuses_what_memrm_scores_harmful(track, tmp_path):
    pytest.importorskip("sklearn")
    lite = pytest.importorskip("memgym.rm.lite")
    from memgym.rm.models import load_model
    from memgym.rm.rows import record_row

    train = [track.generate(seed, "lite") for seed in (1, 2, 3)]
    rows = []
    for scenario in train:
        compactions = run_episode(
            scenario, make_memory(SPEC, track), make_reasoner("scripted", track)
        ).compactions
        asked = {f for q in scenario.questions for f in q.evidence}  # harmful: drops asked facts
        rows += [
            record_row(c, scenario.brief, harmful=int(bool(asked & set(c.facts))))
            for c in compactions
        ]
    lite.train_lite(rows).save(tmp_path / "rm.pkl")
    gate = load_gate(str(tmp_path / "rm.pkl"))

    scenario = track.generate(0, "lite")
    chat = [{"role": "system", "content": scenario.brief}, {"role": "user", "content": TASK}]
    chat += [{"role": "user", "content": e.text} for e in stream_events(scenario) if not e.question]
    chat.append({"role": "user", "content": "question?"})
    # the threshold: the median score the model gives this history's compactions ungated, so the
    # gate meets scores on both sides whatever the scenarios make of a model trained on three
    probe = RecordLog(tmp_path / "ungated.jsonl")
    MemoryProxy(SPEC, gate=gate, threshold=1.0, records=probe).compact(chat, {})
    probe.close()
    scores = sorted(
        json.loads(x)["gate"]["p_harmful"]
        for x in (tmp_path / "ungated.jsonl").read_text().splitlines()
    )
    threshold = scores[len(scores) // 2]
    log = RecordLog(tmp_path / "gated.jsonl")
    turn = MemoryProxy(SPEC, gate=gate, threshold=threshold, records=log).compact(chat, {})
    log.close()

    lines = [json.loads(x) for x in (tmp_path / "gated.jsonl").read_text().splitlines()]
    model = load_model(tmp_path / "rm.pkl")
    brief = f"{scenario.brief}\n{TASK}"
    refused = [x for x in lines if x["gate"]["refused"]]
    assert lines and refused and len(refused) < len(lines)
    for line in lines:
        expected = model.predict([record_row(_record(line), brief)])[0]
        assert line["gate"]["p_harmful"] == pytest.approx(expected)
        assert line["gate"]["refused"] == (expected >= threshold)
    sent = {m["content"] for m in turn.messages}
    assert all(s["text"] in sent for x in refused for s in x["dropped"])  # undone: still sent
    native = run_episode(scenario, make_memory(SPEC, track), make_reasoner("scripted", track))
    assert len(turn.messages) > 3 + len(native.compactions[-1].after)  # more kept than ungated

    # the records file feeds `memgym rm score` through the rows export
    rows, scored = tmp_path / "rows.jsonl", tmp_path / "scored.jsonl"
    assert (
        main(["proxy", "--records", str(tmp_path / "gated.jsonl"), "--export-rows", str(rows)]) == 0
    )
    assert (
        main(["rm", "score", str(rows), "--model", str(tmp_path / "rm.pkl"), "--out", str(scored)])
        == 0
    )
    out = [json.loads(x) for x in scored.read_text().splitlines()]
    assert [r["p_harmful"] for r in out] == pytest.approx([x["gate"]["p_harmful"] for x in lines])


def test_a_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no MemRM model"):
        load_gate(str(tmp_path / "nothing"))


def _record(line):
    from memgym.types import CompactionRecord

    return CompactionRecord.model_validate(line)
