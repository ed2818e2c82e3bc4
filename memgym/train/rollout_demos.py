"""Expert demonstrations in the token format of a GRPO rollout, to start GRPO from a policy that
earns some reward.

A row is one episode of a Gym env played by memgym's expert (``memgym.envs.expert``: a scripted
write policy and the scripted reasoner): the first observation, then each action with the
observation it brought back. ``encode_rollout`` lays it out exactly as
``memgym.envs.play.play`` does (the first observation as a user turn of the chat template,
then each action's tokens and end-of-turn token, then ``"\\n<observation>\\n"``), with labels on
the actions only, so ``memgym train sft`` teaches the model the turns GRPO will sample.

``writes=False`` leaves the expert's memory writes and searches out (its ``next_event`` calls and
its answers stay): the expert's writes hold whole fact sheets (about 200 tokens a call), more than
a small model's turn budget. Such a demonstration answers from what the rollout keeps in its
context (every observation so far), not from the memory store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from memgym.envs import tools as T

ROLLOUT_FORMAT = "memgym-rollout-v1"
IGNORE = -100


def expert_actions(env: Any, policy: str, writes: bool) -> list[str]:
    """The expert's actions (JSON text) on the scenario ``env`` was just reset to."""
    from memgym.envs.expert import run_expert

    episode = env.unwrapped.episode
    played = run_expert(
        episode.scenario, policy, tier=episode.tier, overrides=dict(episode.overrides)
    )
    return [
        json.dumps({"name": s.name, "arguments": s.args})
        for s in played.steps
        if writes or s.name in (T.NEXT, T.ANSWER)
    ]


def demonstration(
    env: Any, seed: int, max_turns: int, policy: str = "strategic", writes: bool = False
) -> dict[str, Any]:
    """One expert episode on ``seed`` as a row: ``first`` (the first observation), ``turns``
    (``[action, observation shown next]``; the last has none) and ``memgym`` (seed, return,
    ``correct``: whether it earned anything within ``max_turns`` actions)."""
    first, _ = env.reset(seed=seed)
    turns: list[list[Any]] = []
    earned = 0.0
    for n, action in enumerate(expert_actions(env, policy, writes)[:max_turns]):
        obs, reward, terminated, truncated, info = env.step(action)
        if not info.get("ok", True):  # a demonstration teaches only calls the env carries out
            raise ValueError(
                f"seed {seed}: the {policy} expert's action {n} was refused by the env"
                f" ({_refusal(obs)}); demonstrations replay only calls the env accepts"
            )
        earned += float(reward)
        done = terminated or truncated
        turns.append([action, None if done else obs])
        if done:
            break
    if turns:
        turns[-1][1] = None
    meta = {"format": ROLLOUT_FORMAT, "seed": seed, "policy": policy, "writes": writes,
            "return": earned, "correct": earned > 0}  # fmt: skip
    return {"first": first, "turns": turns, "memgym": meta}


def demonstrations(
    env_id: str,
    params: Mapping[str, Any],
    seeds: Iterable[int],
    max_turns: int,
    policy: str = "strategic",
    writes: bool = False,
) -> Iterator[dict[str, Any]]:
    """``demonstration`` of every seed of ``env_id`` made with track ``params``. With ``writes``,
    a policy whose write budget is lifted (``perfect``) is refused: the env keeps the budget, so
    its writes would be refused and its answers come from a memory the env never allows."""
    from memgym.envs.registration import make
    from memgym.memory.writers import make_policy

    if writes and make_policy(policy).waives_budget:
        raise ValueError(
            f"--policy {policy} writes past the write budget, which the env enforces: its"
            " --writes demonstrations would teach refused calls; use a policy within the budget"
            " (strategic, priority, ...) or leave out --writes"
        )

    env = make(env_id, **params)
    try:
        for seed in seeds:
            row = demonstration(env, seed, max_turns, policy, writes)
            row["memgym"].update(env=env_id, params=dict(params))
            yield row
    finally:
        env.close()


def encode_rollout(tokenizer: Any, row: Mapping[str, Any]) -> tuple[list[int], list[int]]:
    """Token ids of a row laid out as ``play`` lays out an episode, and labels on its actions
    (each action's tokens and the end-of-turn token; ``IGNORE`` elsewhere)."""
    from memgym.envs.play import prompt_ids, shown_ids

    ids = prompt_ids(tokenizer, row["first"])
    labels = [IGNORE] * len(ids)
    for action, obs in row["turns"]:
        said = tokenizer(action, add_special_tokens=False)["input_ids"]
        said = [int(i) for i in said] + [int(tokenizer.eos_token_id)]
        ids += said
        labels += said
        if obs is not None:
            shown = shown_ids(tokenizer, obs)
            ids += shown
            labels += [IGNORE] * len(shown)
    return ids, labels


def is_rollout_row(row: Mapping[str, Any]) -> bool:
    """Whether ``row`` is a demonstration of this module."""
    meta = row.get("memgym")
    return isinstance(meta, Mapping) and meta.get("format") == ROLLOUT_FORMAT


def _refusal(observation: str) -> str:
    """The refusal line of an observation (its last line), cut to 160 characters."""
    lines = observation.strip().splitlines()
    return (lines[-1] if lines else "")[:160]
