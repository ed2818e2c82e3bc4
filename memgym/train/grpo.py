"""``memgym train grpo``: GRPO (TRL) on memgym episodes over a curriculum, short to longer.

Each stage plays one env id with its own track parameters (``entities=8,questions=1``: a few
events and one question, then more) for a number of optimizer steps, on the same model, through
``memgym.envs.trl_rollout``. The reward is the episode's return in the env (the validated score).
Every step's mean reward is written to ``OUT/rewards.json`` and drawn in ``OUT/report.html``
(one SVG line, a mark where each stage begins), with the CPU seconds of each stage and the peak
memory; the trained model goes to ``OUT/model``.

By default only LoRA adapters (rank ``lora_rank``, on the attention projections) are trained: the
optimizer then holds a few MB instead of four float32 copies of every weight, and the adapter is
merged into ``OUT/model`` (and kept in ``OUT/adapter``). A killed run resumes at the stage it was
in when run again with the same options (``grpo_progress``). On CPU the trainer runs in float32: bf16
autocast on a CPU without native bf16 is several times slower. Gradient checkpointing stays on:
without it the attention activations of a few thousand tokens take gigabytes.
"""

from __future__ import annotations

import html
import json
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memgym.files import write_atomic
from memgym.train import fused_head
from memgym.train.grpo_progress import Progress
from memgym.train.sft import libs, load_model


@dataclass(frozen=True)
class Stage:
    """One curriculum stage: ``steps`` optimizer steps on ``env`` made with ``params``."""

    env: str
    steps: int
    params: dict[str, Any] = field(default_factory=dict)


def parse_stage(text: str, env: str) -> Stage:
    """``STEPS[:k=v,k=v]`` (e.g. ``4:entities=8,questions=1``) as a stage of ``env``."""
    steps, _, rest = text.partition(":")
    try:
        count = int(steps)
    except ValueError:
        raise ValueError(f"a stage reads STEPS[:k=v,...], got {text!r}") from None
    if count < 1:
        raise ValueError(f"a stage needs at least 1 step, got {text!r}")
    params: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise ValueError(f"a stage parameter reads k=v, got {item!r}")
        params[key] = int(value) if value.lstrip("-").isdigit() else value
    return Stage(env, count, params)


@dataclass(frozen=True)
class GRPORun:
    """What ``train_grpo`` needs."""

    base: str
    out: str
    stages: Sequence[Stage]
    seeds: Sequence[int]
    generations: int = 4
    max_turns: int = 32
    max_new_tokens: int = 48
    lr: float = 1e-5
    seed: int = 0
    lora_rank: int = 16
    """LoRA rank of the adapters trained (0: every weight)."""
    lora_layers: int = 0
    """Adapt only the top N layers (0: all). Gradient checkpointing is then off: the backward
    stops at the lowest adapted layer, and the frozen layers below keep no activations."""
    threads: int = 1
    """CPU threads torch uses."""
    temperature: float = 1.0
    """Sampling temperature of the rollouts (GRPO needs rewards that differ within a group)."""
    micro_batch: int = 1
    """Episodes per forward and backward pass (a divisor of ``generations``): the group's
    gradient is accumulated over ``generations / micro_batch`` passes, so one optimizer step still
    follows each group. 1 holds one episode's activations and logits at a time (the lowest peak
    memory); ``generations`` does the group in one pass."""
    max_minutes: float | None = None
    """Stop training once this many minutes of wall clock have passed since ``train_grpo``
    began (loading the model included): a step that finishes after it is the last; the step under
    way is given up (its rollouts before their next turn, its loss passes before the next
    micro-batch), so the weights saved are those of the last finished step, with its curve;
    later stages are skipped."""

    def __post_init__(self) -> None:
        if self.micro_batch < 1 or self.generations % self.micro_batch:
            raise ValueError(
                f"--micro-batch must divide --generations ({self.generations}), "
                f"got {self.micro_batch}"
            )


def train_grpo(
    run: GRPORun,
    model: Any = None,
    tokenizer: Any = None,
    clock: Callable[[], float] = time.monotonic,
) -> list[dict[str, Any]]:
    """Train through every stage; the per-step rewards (also written to ``OUT``). ``clock``
    (seconds) measures ``run.max_minutes``."""
    from memgym.extras import require

    deadline = None if run.max_minutes is None else clock() + 60 * run.max_minutes

    def passed() -> bool:
        return deadline is not None and clock() >= deadline

    torch, _, _ = libs()
    trl = require("trl", "memgym train grpo", "rl")
    datasets = require("datasets", "memgym train grpo", "rl")
    from memgym.envs.play import Stopped
    from memgym.envs.trl_rollout import env_reward, prompts, rollout_func

    progress = Progress.load(run)
    resumed = progress.weights
    if resumed is not None and run.lora_rank == 0:
        tokenizer, model = load_model(str(resumed))  # every weight trained: the stage's model
    elif model is None or tokenizer is None:
        tokenizer, model = load_model(run.base)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    torch.manual_seed(run.seed)
    torch.set_num_threads(max(1, run.threads))
    if resumed is not None and run.lora_rank > 0:
        _, _, peft = libs()
        model = peft.PeftModel.from_pretrained(model, str(resumed), is_trainable=True)
    else:
        model = _with_lora(model, run.lora_rank, run.lora_layers)
    cuda = torch.cuda.is_available()
    out = Path(run.out)
    out.mkdir(parents=True, exist_ok=True)
    curve: list[dict[str, Any]] = list(progress.curve)
    cpu: list[float] = list(progress.cpu)
    stopped = False
    for index, stage in enumerate(run.stages):
        if index < progress.done:
            continue  # trained before the kill: its weights were loaded above
        if passed():
            stopped = True
            break
        started = time.process_time()
        config = grpo_config(trl, run, index, str(out / f"stage-{index}"), stage.steps, cuda)
        trainer = trl.GRPOTrainer(
            model=model,
            reward_funcs=env_reward,
            train_dataset=datasets.Dataset.from_dict({"prompt": prompts(stage.env, run.seeds)}),
            args=config,
            processing_class=tokenizer,
            rollout_func=rollout_func(
                max_turns=run.max_turns, max_new_tokens=run.max_new_tokens,
                temperature=run.temperature, stop=None if deadline is None else passed,
                **stage.params,
            ),
            callbacks=[] if deadline is None else [stop_at(passed)],
        )  # fmt: skip
        try:
            with fused_head.cpu_tiles(None if cuda else fused_head.CPU_TILES):
                trainer.train()
        except Stopped:  # the step under way given up: its update was not made
            stopped = True
        for h in trainer.state.log_history:
            if "reward" in h:
                curve.append({"stage": index, "step": len(curve) + 1, "reward": h["reward"],
                              "reward_std": h.get("reward_std", 0.0)})  # fmt: skip
        model = trainer.model
        cpu.append(time.process_time() - started)
        stopped = stopped or trainer.state.global_step < stage.steps
        if not stopped and index + 1 < len(run.stages):
            progress.stage_done(model, tokenizer, curve, cpu)
    if run.lora_rank > 0:
        model.save_pretrained(out / "adapter")
        model = model.merge_and_unload()
    model.save_pretrained(out / "model")
    tokenizer.save_pretrained(out / "model")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    write_atomic(out / "rewards.json", json.dumps({
        "stages": [s.__dict__ for s in run.stages], "steps": curve, "lora_rank": run.lora_rank,
        "lora_layers": run.lora_layers, "temperature": run.temperature,
        "seeds": [min(run.seeds), max(run.seeds)], "generations": run.generations,
        "micro_batch": run.micro_batch,
        "stage_cpu_seconds": cpu, "stopped_at_max_minutes": stopped,
        "peak_rss_mb": round(peak_mb)}, indent=1))  # fmt: skip
    write_atomic(out / "report.html", reward_page(curve, run.stages))
    progress.finish()
    return curve


def stop_at(passed: Callable[[], bool]) -> Any:
    """A trainer callback for a wall-clock bound, ``passed()`` saying when it is reached: a step
    that ends after it ends the training (its update made and logged); before a step begins, and
    between the micro-batches of a step's loss passes (before its update), it raises
    ``play.Stopped``, which gives the step up."""
    from transformers import TrainerCallback

    from memgym.envs.play import Stopped

    class StopAt(TrainerCallback):  # type: ignore[misc]
        def on_step_begin(self, args: Any, state: Any, control: Any, **_: Any) -> Any:
            if passed():
                raise Stopped("the wall-clock bound passed before a step")
            return control

        def on_substep_end(self, args: Any, state: Any, control: Any, **_: Any) -> Any:
            if passed():
                raise Stopped("the wall-clock bound passed within a step")
            return control

        def on_step_end(self, args: Any, state: Any, control: Any, **_: Any) -> Any:
            if passed():
                control.should_training_stop = True
            return control

    return StopAt()


def grpo_config(trl: Any, run: GRPORun, index: int, folder: str, steps: int, cuda: bool) -> Any:
    """TRL's ``GRPOConfig`` of stage ``index``: float32 on CPU (bf16 only with CUDA), gradient
    checkpointing on (off when only the top layers are adapted), one group of ``generations``
    episodes a step, its gradient accumulated over passes of ``micro_batch`` episodes."""
    return trl.GRPOConfig(
        output_dir=folder, max_steps=steps, per_device_train_batch_size=run.micro_batch,
        gradient_accumulation_steps=run.generations // run.micro_batch,
        num_generations=run.generations, learning_rate=run.lr, logging_steps=1,
        save_strategy="no", report_to=[], use_cpu=not cuda, bf16=cuda,
        gradient_checkpointing=not top_only(run), seed=run.seed + index,
    )  # fmt: skip


def top_only(run: GRPORun) -> bool:
    """Whether only the top layers' LoRA adapters train (the lower layers frozen)."""
    return run.lora_rank > 0 and run.lora_layers > 0


def _with_lora(model: Any, rank: int, layers: int = 0) -> Any:
    """``model`` with LoRA adapters of ``rank`` on the attention projections of its top
    ``layers`` layers (all when 0; only they train); ``model`` itself when ``rank`` is 0."""
    if rank <= 0:
        return model
    _, _, peft = libs()
    total = int(model.config.num_hidden_layers)
    top = list(range(total - layers, total)) if 0 < layers < total else None
    config = peft.LoraConfig(
        r=rank, lora_alpha=2 * rank, lora_dropout=0.0, task_type="CAUSAL_LM",
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], layers_to_transform=top,
    )  # fmt: skip
    return peft.get_peft_model(model, config)


def reward_page(curve: Sequence[dict[str, Any]], stages: Sequence[Stage]) -> str:
    """A page with the reward per step as an SVG line (stage starts marked)."""
    width, height, pad = 640, 240, 30
    top = max([1.0, *(c["reward"] for c in curve)])
    n = max(1, len(curve) - 1)

    def xy(i: int, r: float) -> str:
        return f"{pad + i * (width - 2 * pad) / n:.1f},{height - pad - r / top * (height - 2 * pad):.1f}"

    points = " ".join(xy(i, c["reward"]) for i, c in enumerate(curve))
    marks = "".join(
        f'<line class="stage" x1="{xy(i, 0).split(",")[0]}" y1="{pad}" '
        f'x2="{xy(i, 0).split(",")[0]}" y2="{height - pad}" stroke="#bbb"/>'
        for i, c in enumerate(curve)
        if i == 0 or c["stage"] != curve[i - 1]["stage"]
    )
    rows = "".join(
        f"<tr><td>{c['step']}</td><td>{c['stage']}</td><td>{c['reward']:.3f}</td></tr>"
        for c in curve
    )
    legend = "; ".join(
        f"stage {i}: {html.escape(s.env)} {html.escape(json.dumps(s.params))}, {s.steps} steps"
        for i, s in enumerate(stages)
    )
    return (
        "<!doctype html><meta charset=utf-8><title>memgym train grpo</title>"
        f"<h1>GRPO reward per step</h1><p>{legend}</p>"
        f'<svg width="{width}" height="{height}" role="img" aria-label="reward per step">'
        f'{marks}<polyline fill=none stroke=#2a6 stroke-width=2 points="{points}"/></svg>'
        f"<table><tr><th>step</th><th>stage</th><th>mean reward</th></tr>{rows}</table>"
    )
