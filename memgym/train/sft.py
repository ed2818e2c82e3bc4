"""Supervised fine-tuning with LoRA: a local causal LM learns the expert's answer conversations.

Each row (``memgym.train.dataset``) is tokenised with the model's own chat template, the loss kept
on the assistant turns only (the model learns the expert's calls and answers, not the prompts or
the tool results). LoRA adapters go on the attention projections of the top ``layers`` layers
(all layers when 0): the backward pass then stops at the lowest adapted layer, which is what
makes a CPU run affordable. Rows are drawn in a shuffled order from ``random.Random(seed)``;
rows longer than ``max_length`` tokens are left out and counted.

The output folder holds ``adapter/`` (the LoRA weights, ``peft`` format), ``model/`` (the base
with the adapter merged in, and its tokenizer: a plain model folder that ``memgym train serve`` or
any transformers code loads) and ``train.json`` (the settings, the rows used and left out, the
loss, the wall-clock and CPU seconds of every step, the total time of this call and the step it
resumed at).

A killed run resumes: every ``save_every`` steps (every ``RESUME_EVERY`` when that is 0)
``resume.pt`` in the output folder keeps the adapter, the optimizer's and the schedule's state,
the row order and random states and the figures so far (``memgym.checkpoint``); the same run
again (same config but for ``threads`` and ``save_every``, same rows) goes on from there and ends
with the weights an unbroken run ends with. The file goes when the run ends.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from memgym.checkpoint import (
    load_checkpoint,
    restore_random,
    restore_torch_random,
    save_checkpoint,
    torch_random,
)
from memgym.extras import require
from memgym.files import write_atomic

CHATML = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
"""The chat template given to a tokenizer that has none (a tiny test model's)."""

IGNORE = -100

RESUME_FILE = "resume.pt"
"""The file in the output folder that lets a killed run resume (removed when it ends)."""
RESUME_EVERY = 25
"""Steps between resume files when ``save_every`` is 0."""


@dataclass
class SFTConfig:
    """The settings of one fine-tuning run (all recorded in ``train.json``)."""

    base: str
    steps: int = 60
    lr: float = 1e-3
    warmup: float = 0.05
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    layers: int = 0
    """Adapt only the top N layers (0: all)."""
    target_modules: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")
    max_length: int = 1024
    accumulate: int = 1
    """Rows per optimizer step (gradients accumulated, batch 1 each)."""
    threads: int = 1
    seed: int = 0
    correct_only: bool = True
    """Learn only the exchanges where the expert's answer scored right."""
    save_every: int = 0
    """Also save the adapter every N steps (``checkpoint-N/``; 0: only at the end)."""
    resume: str | None = None
    """A saved LoRA adapter of ``base`` to go on training (its rank, layers and modules kept)."""
    extra: dict[str, Any] = field(default_factory=dict)


def libs() -> tuple[Any, Any, Any]:
    """torch, transformers and peft; a clear error naming the extra when one is missing."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    what = "memgym train"
    torch = require("torch", what, "train")
    transformers = require("transformers", what, "train")
    return torch, transformers, require("peft", what, "train")


def load_model(name: str, adapter: str | None = None) -> tuple[Any, Any]:
    """Tokenizer and model of a local model folder or a GGUF (``smollm2`` or a ``.gguf`` path,
    dequantised), never downloaded, with a saved LoRA ``adapter`` merged in when given; a
    tokenizer without a chat template gets ``CHATML``."""
    torch, transformers, peft = libs()
    from memgym.rm.lm import _load_gguf, check_base, gguf_path

    check_base(name, "model")
    gguf = gguf_path(name)
    if gguf is not None:
        tokenizer, model = _load_gguf(gguf, transformers)
    else:
        tokenizer = transformers.AutoTokenizer.from_pretrained(name, local_files_only=True)
        dtype = torch.bfloat16 if torch.cuda.is_available() else torch.float32
        model = transformers.AutoModelForCausalLM.from_pretrained(
            name, local_files_only=True, dtype=dtype
        )
        model = _plain(model, transformers)
    if adapter is not None:
        if not (Path(adapter) / "adapter_config.json").is_file():
            raise ValueError(f"no LoRA adapter at {adapter} (adapter_config.json is missing)")
        model = peft.PeftModel.from_pretrained(model, adapter).merge_and_unload()
    if torch.cuda.is_available():
        model = model.to("cuda")
    if not tokenizer.chat_template:
        tokenizer.chat_template = CHATML
    return tokenizer, model


def _plain(model: Any, transformers: Any) -> Any:
    """``model`` without a quantisation marker: a folder written from a GGUF-loaded model
    (``memgym rm convert-base``) holds plain weights but keeps ``quantization_config`` (gguf), and
    transformers refuses to save such a model; rebuilt from its config with the same weights."""
    config = model.config
    if getattr(config, "quantization_config", None) is None:
        return model
    del config.quantization_config
    plain = transformers.AutoModelForCausalLM.from_config(config, dtype=model.dtype)
    plain.load_state_dict(model.state_dict())
    return plain


def _template(tokenizer: Any, messages: Sequence[dict[str, Any]], prompt: bool) -> list[int]:
    ids = tokenizer.apply_chat_template(
        list(messages), tokenize=True, add_generation_prompt=prompt, return_dict=False
    )
    if isinstance(ids, dict) or hasattr(ids, "keys"):
        ids = ids["input_ids"]
    return [int(i) for i in ids]


def encode(tokenizer: Any, messages: Sequence[dict[str, Any]]) -> tuple[list[int], list[int]]:
    """Token ids of a conversation and its labels: the assistant turns' tokens (their end marker
    included), ``IGNORE`` elsewhere. ``ValueError`` when the template does not extend each
    prefix (the labels would be misplaced)."""
    ids: list[int] = []
    labels: list[int] = []
    for i, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        prompt = _template(tokenizer, messages[:i], True)
        full = _template(tokenizer, messages[: i + 1], False)
        if full[: len(prompt)] != prompt or prompt[: len(ids)] != ids:
            raise ValueError("the chat template does not extend a conversation's prefix")
        labels += [IGNORE] * (len(prompt) - len(ids)) + full[len(prompt) :]
        ids = full
    return ids, labels


def encode_row(tokenizer: Any, row: dict[str, Any]) -> tuple[list[int], list[int]]:
    """``encode`` of an answer conversation, or of a rollout demonstration laid out as a GRPO
    rollout (``memgym.train.rollout_demos``)."""
    from memgym.train.rollout_demos import encode_rollout, is_rollout_row

    if is_rollout_row(row):
        return encode_rollout(tokenizer, row)
    return encode(tokenizer, row["messages"])


def answer_loss(model: Any, tokenizer: Any, rows: Sequence[dict[str, Any]]) -> float:
    """Mean loss per assistant token of ``rows`` under ``model`` (no gradients)."""
    import torch

    total, count = 0.0, 0
    model.eval()
    with torch.no_grad():
        for row in rows:
            ids, labels = encode(tokenizer, row["messages"])
            n = sum(1 for t in labels[1:] if t != IGNORE)  # the model predicts labels[1:]
            x = torch.tensor([ids], device=model.device)
            y = torch.tensor([labels], device=model.device)
            total += float(model(input_ids=x, labels=y).loss) * n
            count += n
    return total / count if count else math.nan


def _adapted_layers(model: Any, layers: int) -> list[int] | None:
    total = int(model.config.num_hidden_layers)
    if layers <= 0 or layers >= total:
        return None
    return list(range(total - layers, total))


def _lora(config: SFTConfig, base: Any, peft: Any) -> Any:
    return peft.LoraConfig(
        r=config.r,
        lora_alpha=config.alpha,
        lora_dropout=config.dropout,
        target_modules=list(config.target_modules),
        layers_to_transform=_adapted_layers(base, config.layers),
        task_type="CAUSAL_LM",
    )


def train_sft(
    rows: Sequence[dict[str, Any]],
    config: SFTConfig,
    out: str | Path,
    on_step: Callable[[int, float, float], None] | None = None,
) -> dict[str, Any]:
    """Fine-tune ``config.base`` on ``rows`` and write ``out`` (see the module docstring); the
    summary that ``train.json`` holds."""
    torch, transformers, peft = libs()
    if config.steps < 1:
        raise ValueError(f"steps must be at least 1, got {config.steps}")
    if config.resume is not None and not (Path(config.resume) / "adapter_config.json").is_file():
        raise ValueError(f"no LoRA adapter at {config.resume} (adapter_config.json is missing)")
    torch.set_num_threads(max(1, config.threads))
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    started = time.perf_counter()
    tokenizer, base = load_model(config.base)
    chosen = [r for r in rows if r["memgym"].get("correct", True) or not config.correct_only]
    encoded, too_long = [], 0
    for row in chosen:
        ids, labels = encode_row(tokenizer, row)
        if len(ids) > config.max_length:
            too_long += 1
        else:
            encoded.append((ids, labels))
    if not encoded:
        raise ValueError(
            f"no row to learn: {len(rows)} rows, {len(chosen)} kept, {too_long} over"
            f" max_length {config.max_length}"
        )
    if config.resume is not None:
        model = peft.PeftModel.from_pretrained(base, config.resume, is_trainable=True)
    else:
        model = peft.get_peft_model(base, _lora(config, base, peft))

    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr)
    warm = max(1, math.ceil(config.warmup * config.steps))
    schedule = transformers.get_cosine_schedule_with_warmup(optimizer, warm, config.steps)
    order: list[int] = []
    losses: list[float] = []
    seconds: list[float] = []
    cpu: list[float] = []
    resume_file = Path(out) / RESUME_FILE
    key = _training_key(config, encoded)
    saved = load_checkpoint(resume_file, key, torch)
    start = 0
    if saved is not None:
        peft.set_peft_model_state_dict(model, saved["adapter"])
        optimizer.load_state_dict(saved["optimizer"])
        schedule.load_state_dict(saved["schedule"])
        restore_random(rng, saved["rng"])
        restore_torch_random(torch, saved)
        order, start = list(saved["order"]), int(saved["step"])
        losses, seconds, cpu = list(saved["losses"]), list(saved["seconds"]), list(saved["cpu"])
    every = config.save_every or RESUME_EVERY
    model.train()
    for step in range(start, config.steps):
        tick, tock = time.perf_counter(), time.process_time()
        total = 0.0
        for _ in range(config.accumulate):
            if not order:
                order = list(range(len(encoded)))
                rng.shuffle(order)
            ids, labels = encoded[order.pop()]
            x = torch.tensor([ids], device=model.device)
            y = torch.tensor([labels], device=model.device)
            loss = model(input_ids=x, labels=y).loss / config.accumulate
            loss.backward()
            total += float(loss.detach())
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        losses.append(total)
        seconds.append(time.perf_counter() - tick)
        cpu.append(time.process_time() - tock)
        if on_step is not None:
            on_step(step, total, seconds[-1])
        if config.save_every and (step + 1) % config.save_every == 0 and step + 1 < config.steps:
            model.save_pretrained(str(Path(out) / f"checkpoint-{step + 1}"))
        if (step + 1) % every == 0 and step + 1 < config.steps:
            state = {
                "adapter": peft.get_peft_model_state_dict(model), "optimizer": optimizer.state_dict(),
                "schedule": schedule.state_dict(), "rng": rng.getstate(), "order": order,
                **torch_random(torch), "step": step + 1, "losses": losses,
                "seconds": seconds, "cpu": cpu,
            }  # fmt: skip
            save_checkpoint(resume_file, key, state, torch)
    folder = Path(out)
    model.save_pretrained(str(folder / "adapter"))
    merged = model.merge_and_unload()
    merged.save_pretrained(str(folder / "model"))
    tokenizer.save_pretrained(str(folder / "model"))
    summary = {
        "config": asdict(config),
        "rows": len(rows),
        "rows_used": len(encoded),
        "rows_wrong": len(rows) - len(chosen),
        "rows_too_long": too_long,
        "tokens_mean": sum(len(i) for i, _ in encoded) / len(encoded),
        "losses": losses,
        "step_seconds": seconds,
        "step_cpu_seconds": cpu,
        "train_seconds": sum(seconds),
        "total_seconds": time.perf_counter() - started,
        "resumed_at": start,
    }
    write_atomic(folder / "train.json", json.dumps(summary, indent=1))
    resume_file.unlink(missing_ok=True)
    return summary


def _training_key(config: SFTConfig, encoded: Sequence[tuple[list[int], list[int]]]) -> str:
    """What a resume file must match: the config (but for ``threads`` and ``save_every``, which
    a resumed run may change) and the rows as learnt (token ids and labels)."""
    settings = {k: v for k, v in asdict(config).items() if k not in ("threads", "save_every")}
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    for ids, labels in encoded:
        digest.update(json.dumps([ids, labels]).encode())
    return digest.hexdigest()
