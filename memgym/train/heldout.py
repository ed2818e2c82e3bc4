"""``memgym train heldout``: two models on the same held-out seeds of one env, paired.

Each model plays every seed once, greedily, in the env a GRPO run trains in (same env id, track
parameters and turn limits; ``memgym.envs.trl_rollout.play``), so the return of an episode is its
validated score. The differences after - before, one per seed, are summarised as ``train lift``
summarises episodes: the mean with a seeded percentile bootstrap interval, the exact paired
sign-flip p and the Student t interval (``memgym.train.lift.paired``). Give seeds the GRPO run
never trained on (its ``--seeds`` are recorded in ``OUT/rewards.json``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
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
