"""The ``lm`` MemRM: a causal LM with a LoRA adapter that answers " Y" (HARMFUL) or " N" (SAFE).

The prompt holds the brief, the questions asked so far, the view before and the view after the
compaction and ends with "Answer:"; P(HARMFUL) is the softmax over the next-token logits of " Y"
and " N". Training minimises the cross-entropy of those two logits against the label. The base
model (``Qwen/Qwen3-1.7B-Base`` by default) is loaded only from a local path or the local Hugging
Face cache (``HF_HUB_OFFLINE=1``), never downloaded; 4-bit loading is used when bitsandbytes and
a CUDA device are present. Needs the ``rm-lm`` extra (torch, transformers, peft).
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from memgym.rm.rows import Row, asked_questions, before_texts

DEFAULT_BASE = "Qwen/Qwen3-1.7B-Base"
QUESTION = "Does this compaction drop information a later question needs?"
CONFIG_FILE = "memrm_lm.json"


@dataclass
class LMConfig:
    """Base model, LoRA shape and the training schedule (cosine with linear warm-up)."""

    base_model: str = DEFAULT_BASE
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: list[str] = field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"]
    )
    lr: float = 5e-5
    steps: int = 600
    batch_size: int = 4
    warmup: float = 0.05
    max_length: int = 32768
    view_chars: int = 24000
    seed: int = 0


def _libs() -> tuple[Any, Any, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import peft
        import torch
        import transformers
    except ImportError:
        raise ValueError(
            "the lm MemRM needs torch, transformers and peft: install torch==2.13.0 first, then"
            " pip install 'memgym[rm-lm]'"
        ) from None
    return torch, transformers, peft


def _clip(text: str, chars: int) -> str:
    """``text`` with its middle elided to at most ``chars`` characters."""
    if len(text) <= chars:
        return text
    half = max(1, chars // 2)
    return text[:half] + "\n[...]\n" + text[-half:]


def prompt(row: Row, view_chars: int = 24000) -> str:
    """The scoring prompt of one compaction row."""
    asked = "\n".join(f"- {text}" for _, text in asked_questions(row)) or "(none yet)"
    before = _clip("\n".join(before_texts(row)), view_chars)
    after = _clip("\n".join(row["after"]), view_chars)
    return (
        f"Brief:\n{row.get('brief', '')}\n\n### Questions asked so far\n{asked}\n\n"
        f"### Context before compaction\n{before}\n\n"
        f"### Context after compaction\n{after}\n\n{QUESTION} Y = yes, N = no.\nAnswer:"
    )


def answer_ids(tokenizer: Any) -> tuple[int, int]:
    """The token ids of " Y" and " N"; ``ValueError`` unless each is one token."""
    ids = []
    for word in (" Y", " N"):
        enc = tokenizer.encode(word, add_special_tokens=False)
        if len(enc) != 1:
            raise ValueError(f"tokenizer splits {word!r} into {len(enc)} tokens; need one")
        ids.append(enc[0])
    return ids[0], ids[1]


def load_base(name: str) -> tuple[Any, Any]:
    """Tokenizer and model of a local base model (path or cached hub id; never downloaded)."""
    torch, transformers, _ = _libs()
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(name, local_files_only=True)
    except OSError as exc:
        raise ValueError(
            f"base model {name!r} is not available locally (no downloads at run time): {exc}"
        ) from None
    kwargs: dict[str, Any] = {"local_files_only": True}
    if torch.cuda.is_available():
        try:
            import bitsandbytes  # noqa: F401

            kwargs["quantization_config"] = transformers.BitsAndBytesConfig(
                load_in_4bit=True,
                bnb_4bit_quant_type="nf4",
                bnb_4bit_compute_dtype=torch.bfloat16,
            )
            kwargs["device_map"] = {"": 0}
        except ImportError:
            kwargs["dtype"] = torch.bfloat16
    model = transformers.AutoModelForCausalLM.from_pretrained(name, **kwargs)
    if torch.cuda.is_available() and "device_map" not in kwargs:
        model = model.to("cuda")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    tokenizer.truncation_side = "left"  # an over-long prompt loses its start, never "Answer:"
    return tokenizer, model


@dataclass
class LMModel:
    """A base model with its LoRA adapter, ready to score rows."""

    config: LMConfig
    tokenizer: Any
    model: Any

    def _logits(self, rows: Sequence[Row]) -> Any:
        """The (batch, 2) logits of " Y" and " N" after each row's prompt."""
        torch, _, _ = _libs()
        texts = [prompt(r, self.config.view_chars) for r in rows]
        enc = self.tokenizer(
            texts,
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=self.config.max_length,
        ).to(self.model.device)
        out = self.model(**enc)
        yes, no = answer_ids(self.tokenizer)
        last = out.logits[:, -1, :]
        return torch.stack([last[:, yes], last[:, no]], dim=1).float()

    def predict(self, rows: Sequence[Row], batch_size: int = 8) -> list[float]:
        """P(HARMFUL) per row: softmax over the " Y" and " N" logits."""
        torch, _, _ = _libs()
        self.model.eval()
        probs: list[float] = []
        with torch.no_grad():
            for i in range(0, len(rows), batch_size):
                logits = self._logits(rows[i : i + batch_size])
                probs.extend(torch.softmax(logits, dim=1)[:, 0].tolist())
        return probs

    def save(self, path: str | Path) -> None:
        """Write the adapter and the config (base model named, not copied)."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(str(folder))
        (folder / CONFIG_FILE).write_text(json.dumps(asdict(self.config), indent=2))


def train_lm(
    rows: Sequence[Row],
    config: LMConfig,
    on_step: Callable[[int, float], None] | None = None,
) -> LMModel:
    """Fit a fresh LoRA adapter on labelled rows for ``config.steps`` steps."""
    torch, transformers, peft = _libs()
    if not rows:
        raise ValueError("no training rows")
    torch.manual_seed(config.seed)
    tokenizer, base = load_base(config.base_model)
    answer_ids(tokenizer)
    lora = peft.LoraConfig(
        r=config.r,
        lora_alpha=config.alpha,
        lora_dropout=config.dropout,
        target_modules=list(config.target_modules),
        task_type="CAUSAL_LM",
    )
    model = peft.get_peft_model(base, lora)
    lm = LMModel(config, tokenizer, model)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr)
    warm = max(1, math.ceil(config.warmup * config.steps))
    schedule = transformers.get_cosine_schedule_with_warmup(optimizer, warm, config.steps)
    rng = random.Random(config.seed)
    order: list[int] = []
    model.train()
    for step in range(config.steps):
        if len(order) < config.batch_size:
            fresh = list(range(len(rows)))
            rng.shuffle(fresh)
            order.extend(fresh)
        batch = [rows[order.pop(0)] for _ in range(min(config.batch_size, len(rows)))]
        target = torch.tensor(
            [0 if int(r["harmful"]) else 1 for r in batch], device=model.device
        )
        loss = torch.nn.functional.cross_entropy(lm._logits(batch), target)
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        if on_step is not None:
            on_step(step, float(loss.detach()))
    return lm


def load_lm(path: str | Path) -> LMModel:
    """A model ``LMModel.save`` wrote: its base loaded locally, its adapter applied."""
    _, _, peft = _libs()
    folder = Path(path)
    try:
        config = LMConfig(**json.loads((folder / CONFIG_FILE).read_text()))
    except (OSError, json.JSONDecodeError, TypeError) as exc:
        raise ValueError(f"{path} is not an lm MemRM folder: {exc}") from None
    tokenizer, base = load_base(config.base_model)
    model = peft.PeftModel.from_pretrained(base, str(folder))
    return LMModel(config, tokenizer, model)
