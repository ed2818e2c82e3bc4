"""``memgym train heldout``: two models on the same held-out seeds of one env, paired.

Each model plays every seed once, greedily, in the env a GRPO run trains in (same env id, track
parameters and turn limits; ``memgym.envs.trl_rollout.play``), so the return of an episode is its
validated score. The differences after - before, one per seed, are summarised as ``train lift``
summarises episodes: the mean with a seeded percentile bootstrap interval, the exact paired
sign-flip p and the Student t interval (``memgym.train.lift.paired``). Give seeds the GRPO run
never trained on (its ``--seeds`` are recorded in ``OUT/rewards.json``).

Greedy play is deterministic, so a side can be kept in a JSON cache (``SideCache``) and read back
instead of replayed when the same model files (each file's size and modification time), env,
parameters, seeds and turn limits come again: a start policy's side is played once, while the
run that trains from it goes on, and paired later with each model trained.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from memgym.train.lift import Interval, paired


@dataclass(frozen=True)
class Side:
    """One model's returns, one per held-out seed, and the CPU seconds they took."""

    model: str
    returns: list[float]
    actions: float
    """Mean actions per episode."""
    cpu_seconds: float

    @property
    def mean(self) -> float:
        return sum(self.returns) / len(self.returns)


def play_seeds(
    name: str,
    env_id: str,
    params: dict[str, Any],
    seeds: Sequence[int],
    max_turns: int,
    max_new_tokens: int,
) -> Side:
    """``name`` (a model folder, a ``.gguf`` or ``smollm2``) played greedily on every seed."""
    from memgym.envs.registration import make
    from memgym.envs.trl_rollout import play
    from memgym.train.sft import load_model

    tokenizer, model = load_model(name)
    model.eval()
    env = make(env_id, **params)
    started = time.process_time()
    returns: list[float] = []
    actions = 0
    try:
        for seed in seeds:
            episode = play(model, tokenizer, env, seed, max_turns, max_new_tokens, 0.0)
            returns.append(float(episode["env_reward"]))
            actions += len(episode["actions"])
    finally:
        env.close()
    return Side(name, returns, actions / len(seeds), time.process_time() - started)


def compare(before: Side, after: Side, resamples: int = 1000, seed: int = 0) -> Interval:
    """after - before per seed: mean, bootstrap interval, sign-flip p and t interval."""
    if len(before.returns) != len(after.returns):
        raise ValueError("both models must play the same seeds")
    diffs = [a - b for a, b in zip(after.returns, before.returns, strict=True)]
    return paired(diffs, resamples, seed)


def model_stamp(name: str) -> list[list[Any]]:
    """Each file of a model folder (or the file ``name``) with its size and modification time;
    ``name`` itself when it is neither (``smollm2``)."""
    path = Path(name)
    files = sorted(f for f in path.rglob("*") if f.is_file()) if path.is_dir() else [path]
    return [[str(f), f.stat().st_size, f.stat().st_mtime_ns] for f in files if f.exists()] or [
        [name, 0, 0]
    ]


class SideCache:
    """Sides already played, in a JSON file, keyed by what decides a greedy side's returns."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self.sides: dict[str, dict[str, Any]] = {}
        if self.path is not None and self.path.is_file():
            self.sides = json.loads(self.path.read_text())

    @staticmethod
    def key(name: str, env_id: str, params: dict[str, Any], seeds: Sequence[int],
            max_turns: int, max_new_tokens: int) -> str:  # fmt: skip
        return json.dumps([model_stamp(name), env_id, params, list(seeds), max_turns,
                           max_new_tokens], sort_keys=True)  # fmt: skip

    def side(self, name: str, env_id: str, params: dict[str, Any], seeds: Sequence[int],
             max_turns: int, max_new_tokens: int) -> Side:  # fmt: skip
        """The cached side when there is one, else ``play_seeds`` (then cached)."""
        key = self.key(name, env_id, params, seeds, max_turns, max_new_tokens)
        if key in self.sides:
            return Side(**self.sides[key])
        side = play_seeds(name, env_id, params, seeds, max_turns, max_new_tokens)
        if self.path is not None:
            self.sides[key] = asdict(side)
            self.path.write_text(json.dumps(self.sides, indent=1))
        return side
