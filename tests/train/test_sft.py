"""LoRA fine-tuning of a tiny model built here (no downloads), served over HTTP to memgym run."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch", reason="memgym train needs torch (a CPU torch==2.13.0)")
pytest.importorskip("transformers", reason="memgym train needs the train extra")
pytest.importorskip("peft", reason="memgym train needs the train extra")

from memgym.cli import main
from memgym.envs.expert import run_expert
from memgym.envs.trajectories import chat_record
from memgym.rm.tiny import build_tiny_base
from memgym.run.results import ResultsStore
from memgym.tracks import get_track
from memgym.train.dataset import answer_conversations
from memgym.train.serve import serving
from memgym.train.sft import SFTConfig, answer_loss, encode, load_model, train_sft

PARAMS = {"entities": 4, "questions": 2}
STEPS = 24
TEXT_TOOLS = "tools=text,max_turns=2"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A tiny base, the rows of one expert episode, and the same base fine-tuned on them."""
    root = tmp_path_factory.mktemp("sft")
    scenario = get_track("entities").generate(0, "lite", **PARAMS)
    record = chat_record(run_expert(scenario, "strategic", tier="lite", overrides=PARAMS))
    rows = list(answer_conversations(json.loads(json.dumps(record))))
    texts = [m["content"] for r in rows for m in r["messages"]]
    base = build_tiny_base(root / "base", texts, vocab=600)
    config = SFTConfig(
        base=base,
        steps=STEPS,
        lr=1e-2,
        layers=1,
        max_length=8192,
        correct_only=False,
        save_every=10,
    )
    summary = train_sft(rows, config, root / "out")
    return {"rows": rows, "base": base, "out": root / "out", "summary": summary}


def test_labels_cover_exactly_the_assistant_turns(trained: dict[str, Any]) -> None:
    tokenizer, _ = load_model(trained["base"])
    row = trained["rows"][0]
    ids, labels = encode(tokenizer, row["messages"])
    assert len(ids) == len(labels)
    learnt = tokenizer.decode([t for t in labels if t != -100])
    for m in row["messages"]:
        if m["role"] == "assistant":
            assert m["content"] in learnt
        else:
            assert m["content"][:40] not in learnt


def test_training_lowers_the_loss_and_saves_what_serves(trained: dict[str, Any]) -> None:
    out, rows, summary = trained["out"], trained["rows"], trained["summary"]
    assert len(summary["losses"]) == len(summary["step_seconds"]) == STEPS
    assert len(summary["step_cpu_seconds"]) == STEPS
    assert summary["rows_used"] == len(rows)
    assert (out / "checkpoint-10" / "adapter_config.json").is_file()
    assert (out / "checkpoint-20" / "adapter_config.json").is_file()
    assert json.loads((out / "train.json").read_text())["config"]["steps"] == STEPS
    tokenizer, base = load_model(trained["base"])
    before = answer_loss(base, tokenizer, rows)
    tokenizer, merged = load_model(str(out / "model"))
    after = answer_loss(merged, tokenizer, rows)
    assert after < before - 0.2, (before, after)
    _, applied = load_model(trained["base"], str(out / "adapter"))
    assert answer_loss(applied, tokenizer, rows) == pytest.approx(after, rel=1e-4)


def test_the_tuned_model_runs_through_memgym_run(trained: dict[str, Any], tmp_path: Path) -> None:
    """The merged model behind the HTTP server, asked by memgym run's llm reasoner: every
    request it served is a call the run recorded, and every question is scored."""
    tokenizer, model = load_model(str(trained["out"] / "model"))
    results = tmp_path / "r.sqlite"
    with serving(model, tokenizer, "tiny-sft") as server:
        code = main(
            [
                "run",
                "--tier",
                "lite",
                "--seed",
                "7",
                "--seeds",
                "1",
                "--param",
                f"entities={PARAMS['entities']}",
                "--param",
                f"questions={PARAMS['questions']}",
                "--memory",
                "agentic:policy=strategic",
                "--reasoner",
                f"llm:model=tiny-sft,base_url={server.base_url},{TEXT_TOOLS}",
                "--max-tokens",
                "16",
                "--results",
                str(results),
            ]
        )
        stats = dict(server.stats)
    assert code == 0
    with ResultsStore.open_read(results) as store:
        (episode,) = store.episodes(compactions=False)
    assert episode.model == "tiny-sft" and episode.status == "ok"
    assert len(episode.answers) == PARAMS["questions"]
    assert {a.status for a in episode.answers} <= {"ok", "model_error"}
    assert episode.usage["calls"] == stats["completions"] >= PARAMS["questions"]
    assert episode.usage["prompt_tokens"] == stats["prompt_tokens"]
    assert episode.usage["completion_tokens"] == stats["completion_tokens"]


def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url + "/chat/completions", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_server_refuses_native_tools_and_overlong_prompts(trained: dict[str, Any]) -> None:
    tokenizer, model = load_model(trained["base"])
    messages = [{"role": "user", "content": "What is the home city of Torkbury Falcons?"}]
    with serving(model, tokenizer, "tiny") as server:
        status, body = _post(
            server.base_url,
            {
                "model": "tiny",
                "messages": messages,
                "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
            },
        )
        assert status == 400 and "tools=text" in body["error"]["message"]
        status, body = _post(server.base_url, {"messages": messages, "max_tokens": 5})
        assert status == 200
        assert body["usage"]["completion_tokens"] <= 5
        assert body["choices"][0]["finish_reason"] in ("stop", "length")
        server.positions = 8
        status, body = _post(server.base_url, {"messages": messages})
        assert status == 400 and body["error"]["code"] == "context_length_exceeded"


def test_a_base_converted_from_gguf_trains_and_saves(
    trained: dict[str, Any], tmp_path: Path
) -> None:
    """`memgym rm convert-base` leaves a gguf quantization_config in the folder's config, which
    transformers refuses to save; the merged model must still be written, as plain weights."""
    import shutil

    base = tmp_path / "converted"
    shutil.copytree(trained["base"], base)
    config = json.loads((base / "config.json").read_text())
    config["quantization_config"] = {"dequantize": False, "quant_method": "gguf"}
    (base / "config.json").write_text(json.dumps(config))
    rows = trained["rows"][:1]
    train_sft(rows, SFTConfig(base=str(base), steps=1, max_length=8192), tmp_path / "out")
    saved = json.loads((tmp_path / "out" / "model" / "config.json").read_text())
    assert "quantization_config" not in saved
    assert (tmp_path / "out" / "model" / "model.safetensors").is_file()


def test_resume_goes_on_from_a_saved_adapter(trained: dict[str, Any], tmp_path: Path) -> None:
    """`--resume` starts from the adapter's weights (a fresh LoRA would start at the base's loss),
    keeps its layers, and a missing adapter is a one-line error before any model loads."""
    rows, checkpoint = trained["rows"], str(trained["out"] / "checkpoint-10")
    tokenizer, base = load_model(trained["base"])
    at_base = answer_loss(base, tokenizer, rows)
    _, tuned = load_model(trained["base"], checkpoint)
    at_checkpoint = answer_loss(tuned, tokenizer, rows)
    assert at_checkpoint < at_base - 0.1, (at_base, at_checkpoint)
    config = SFTConfig(
        base=trained["base"],
        steps=1,
        lr=1e-12,
        max_length=8192,
        correct_only=False,
        resume=checkpoint,
    )
    train_sft(rows, config, tmp_path / "out")
    _, resumed = load_model(str(tmp_path / "out" / "model"))
    assert answer_loss(resumed, tokenizer, rows) == pytest.approx(at_checkpoint, rel=1e-3)
    saved = json.loads((tmp_path / "out" / "adapter" / "adapter_config.json").read_text())
    assert (
        saved["layers_to_transform"]
        == json.loads((Path(checkpoint) / "adapter_config.json").read_text())["layers_to_transform"]
    )
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code = main(
        [
            "train",
            "sft",
            "--data",
            str(data),
            "--base",
            trained["base"],
            "--out",
            str(tmp_path / "x"),
            "--resume",
            str(tmp_path),
        ]
    )
    assert code == 2
    with pytest.raises(ValueError, match="no LoRA adapter"):
        train_sft(rows, SFTConfig(base=trained["base"], resume=str(tmp_path)), tmp_path / "y")


def test_a_killed_run_resumes_to_the_unbroken_weights(
    trained: dict[str, Any], tmp_path: Path
) -> None:
    """Stopped after step 7 with a resume file at step 5, the same run again goes on from step 5
    and ends with the unbroken run's adapter, weight for weight, and its whole loss curve."""
    import torch
    from safetensors.torch import load_file

    rows = trained["rows"]
    config = SFTConfig(
        base=trained["base"], steps=9, lr=1e-2, layers=1, max_length=8192, correct_only=False,
        save_every=5, dropout=0.3,  # dropout draws from torch's random state: it must resume too
    )  # fmt: skip
    whole = train_sft(rows, config, tmp_path / "whole")

    def stop_after_seven(step: int, _loss: float, _seconds: float) -> None:
        if step == 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_sft(rows, config, tmp_path / "cut", stop_after_seven)
    assert (tmp_path / "cut" / "resume.pt").is_file()
    seen: list[int] = []
    resumed = train_sft(rows, config, tmp_path / "cut", lambda step, *_: seen.append(step))
    assert seen == [5, 6, 7, 8] and resumed["resumed_at"] == 5
    assert resumed["losses"] == whole["losses"]
    assert not (tmp_path / "cut" / "resume.pt").exists()
    a = load_file(tmp_path / "whole" / "adapter" / "adapter_model.safetensors")
    b = load_file(tmp_path / "cut" / "adapter" / "adapter_model.safetensors")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    other = SFTConfig(**{**config.__dict__, "lr": 2e-2})
    with pytest.raises(KeyboardInterrupt):
        train_sft(rows, config, tmp_path / "other", stop_after_seven)
    with pytest.raises(ValueError, match="another config or other data"):
        train_sft(rows, other, tmp_path / "other")
