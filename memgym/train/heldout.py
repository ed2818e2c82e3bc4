"""``memgym train heldout``: two models on the same held-out seeds of one env, paired.

Each model plays every seed once, greedily, in the env a GRPO run trains in (same env id, track
parameters and turn limits), so the return of an episode is its validated score. Seeds are played
``batch`` at a time in lock-step (``memgym.envs.play.play_lockstep``: one batched ``generate`` a
turn, each row computed as if alone, so each episode is the one ``play`` gives up to floating-point
ties). The differences after - before, one per seed, are summarised as ``train lift`` summarises
episodes: the mean with a seeded percentile bootstrap interval, the exact paired sign-flip p and the
Student t interval (``memgym.train.lift.paired``). Give seeds the GRPO run never trained on (its
``--seeds`` are recorded in ``OUT/rewards.json``).

Greedy play is deterministic, so each episode played can be kept in a cache folder (one JSON file
an episode) and read back instead of replayed when the same model files (each file's size and
modification time), env, parameters, seed and turn limits come again: a start policy's side is
played once, while the run that trains from it goes on, and paired later with each model trained;
processes playing different seeds of one side can share the folder.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from memgym.files import read_json, write_atomic
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
    cache: str | None = None,
    processes: int = 1,
    threads: int = 1,
    batch: int = 1,
) -> Side:
    """``name`` (a model folder, a ``.gguf`` or ``smollm2``) played greedily on every seed,
    ``batch`` seeds at a time; the episodes found in ``cache`` (a folder) are read back, the
    others played and kept there (each batch as it ends). With ``processes`` > 1 the seeds are
    shared out in contiguous slices among that many spawned worker processes (each loads the
    model once; ``threads`` torch threads each). An episode's CPU seconds are its batch's, shared
    equally."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    if processes > 1 and len(seeds) > 1:
        return _in_processes(name, env_id, params, seeds, max_turns, max_new_tokens, cache,
                             processes, threads, batch)  # fmt: skip
    from memgym.envs.play import play_lockstep
    from memgym.envs.registration import make

    stamp = model_stamp(name)
    files = {seed: _cached(cache, stamp, env_id, params, seed, max_turns, max_new_tokens)
             for seed in seeds}  # fmt: skip
    done = {s: e for s, f in files.items() if f and (e := _read_episode(f)) is not None}
    missing = [s for s in seeds if s not in done]
    if missing:
        from memgym.envs.shared_prefix import SharedPrefix
        from memgym.train.sft import load_model

        tokenizer, model = load_model(name)
        model.eval()
        prefix = SharedPrefix(model)
        rows = [make(env_id, **params) for _ in range(min(batch, len(missing)))]
        try:
            for at in range(0, len(missing), batch):
                chunk = missing[at : at + batch]
                started = time.process_time()
                played = play_lockstep(model, tokenizer, rows[: len(chunk)], chunk, max_turns,
                                       max_new_tokens, 0.0, prefix)  # fmt: skip
                cpu = (time.process_time() - started) / len(chunk)
                for seed, episode in zip(chunk, played, strict=True):
                    done[seed] = {"return": float(episode["env_reward"]),
                                  "actions": len(episode["actions"]),
                                  "cpu_seconds": cpu}  # fmt: skip
                    target = files[seed]
                    if target is not None:
                        target.parent.mkdir(parents=True, exist_ok=True)
                        write_atomic(target, json.dumps(done[seed]))
        finally:
            for env in rows:
                env.close()
    rows = [done[s] for s in seeds]
    return Side(name, [r["return"] for r in rows], sum(r["actions"] for r in rows) / len(rows),
                sum(r["cpu_seconds"] for r in rows))  # fmt: skip


def _in_processes(name: str, env_id: str, params: dict[str, Any], seeds: Sequence[int],
                  max_turns: int, max_new_tokens: int, cache: str | None, processes: int,
                  threads: int, batch: int) -> Side:  # fmt: skip
    """``play_seeds`` over ``processes`` spawned workers, one contiguous slice of seeds each."""
    from memgym.pool import finished

    seeds = list(seeds)
    count = min(processes, len(seeds))
    cuts = [len(seeds) * i // count for i in range(count + 1)]
    tasks = [(name, env_id, params, seeds[a:b], max_turns, max_new_tokens, cache, batch, threads)
             for a, b in pairwise(cuts)]  # fmt: skip
    parts = [side for _, side in finished(tasks, _play_slice, count, processes=True,
                                          start_method="spawn", ordered=True)]  # fmt: skip
    returns = [r for p in parts for r in p.returns]
    actions = sum(p.actions * len(p.returns) for p in parts) / len(returns)
    return Side(name, returns, actions, sum(p.cpu_seconds for p in parts))


def _play_slice(task: tuple[Any, ...]) -> Side:
    """One worker's slice of ``_in_processes`` (its own torch threads)."""
    import torch

    name, env_id, params, seeds, max_turns, max_new_tokens, cache, batch, threads = task
    torch.set_num_threads(threads)
    return play_seeds(name, env_id, params, seeds, max_turns, max_new_tokens, cache,
                      threads=threads, batch=batch)  # fmt: skip


def _read_episode(path: Path) -> dict[str, Any] | None:
    """A cached episode's figures, or None when there is none or it cannot be read (replayed)."""
    entry = read_json(path)
    return entry if isinstance(entry, dict) and "return" in entry else None


def _cached(cache: str | None, stamp: list[list[Any]], env_id: str, params: dict[str, Any],
            seed: int, max_turns: int, max_new_tokens: int) -> Path | None:  # fmt: skip
    """The cache file of one greedy episode (None without a cache). The key holds the salt's
    digest: under ``MEMGYM_SALT`` a seed draws another scenario, so another episode."""
    if cache is None:
        return None
    from memgym.salt import salt_digest

    parts = [stamp, env_id, params, seed, max_turns, max_new_tokens]
    salt = salt_digest()
    key = json.dumps(parts + ([salt] if salt else []), sort_keys=True)  # unsalted: keys as before
    return Path(cache) / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"


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
