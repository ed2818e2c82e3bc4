"""TRL's ``GRPOTrainer`` over memgym envs: a ``rollout_func`` that plays whole episodes.

::

    from trl import GRPOConfig, GRPOTrainer
    from memgym.envs.trl_rollout import env_reward, prompts, rollout_func

    dataset = datasets.Dataset.from_dict({"prompt": prompts("memgym/entities-lite-v0", range(64))})
    trainer = GRPOTrainer(model, reward_funcs=env_reward, train_dataset=dataset, args=config,
                          processing_class=tokenizer,
                          rollout_func=rollout_func("memgym/entities-lite-v0", max_turns=40))

A dataset prompt names an env and a scenario seed (``prompts``); GRPO's sampler repeats each
``num_generations`` times, and each copy is one episode played with the trainer's model: the first observation (system prompt, tool
schemas, first event) is the prompt, rendered with the tokenizer's chat template; each model
turn (sampled, at most ``max_new_tokens``) is one action; each observation that comes back is
appended to the completion with ``env_mask`` 0 (TRL trains only on the model's tokens) and
logprob 0. An episode ends when the env ends it or after ``max_turns`` actions. The reward is the
episode's return in the env (the validated score: one per right answer to a scored question),
forwarded as the ``env_reward`` field that ``env_reward`` hands to GRPO.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from memgym.envs.play import play_lockstep
from memgym.envs.shared_prefix import SharedPrefix

PREFIX = "memgym:"


def prompts(env_id: str, seeds: Iterable[int]) -> list[str]:
    """Dataset prompts naming ``env_id`` and each scenario seed (``memgym:<id>:<seed>``)."""
    return [f"{PREFIX}{env_id}:{seed}" for seed in seeds]


def parse_prompt(prompt: Any) -> tuple[str, int]:
    """(env id, seed) of a prompt made by ``prompts`` (a chat prompt: its last message)."""
    text = prompt[-1]["content"] if isinstance(prompt, list) else prompt
    if not isinstance(text, str) or not text.startswith(PREFIX):
        raise ValueError(f"a memgym prompt reads memgym:<env id>:<seed>, got {str(text)[:80]!r}")
    env_id, _, seed = text[len(PREFIX) :].rpartition(":")
    return env_id, int(seed)


def env_reward(completions: Sequence[Any], env_reward: Sequence[float], **_: Any) -> list[float]:
    """GRPO reward function: each rollout's return in the env (``rollout_func``'s field)."""
    return [float(r) for r in env_reward]


def rollout_func(
    env_id: str | None = None,
    *,
    max_turns: int = 32,
    max_new_tokens: int = 48,
    temperature: float = 1.0,
    stop: Callable[[], bool] | None = None,
    **make_kwargs: Any,
) -> Callable[[list[Any], Any], dict[str, list[Any]]]:
    """A ``GRPOTrainer`` ``rollout_func`` playing memgym episodes (``env_id`` None: each prompt's
    own id; ``make_kwargs`` go to ``memgym.make``, e.g. track parameters for a short curriculum).
    A batch's episodes of one env id (every group, each copy with its prompt's seed) are played
    together in lock-step (``play_lockstep``: one batched ``generate`` a turn); the episodes come
    back in the batch's order. ``stop`` (asked before every turn) gives the batch up when it
    returns True: ``play.Stopped`` is raised through the trainer (a wall-clock bound)."""
    from memgym.envs.registration import make

    def rollout(batch: list[Any], trainer: Any) -> dict[str, list[Any]]:
        model, tokenizer = trainer.model, trainer.processing_class
        rows: dict[str, list[tuple[int, int]]] = {}  # env id -> (batch index, seed) of its rows
        for index, prompt in enumerate(batch):  # the sampler repeated each prompt per generation
            named, seed = parse_prompt(prompt)
            rows.setdefault(env_id or named, []).append((index, seed))
        episodes: list[dict[str, Any]] = [{} for _ in batch]
        envs: list[Any] = []
        prefix = SharedPrefix(model)  # the weights stay fixed through one batch of rollouts
        try:
            for name, placed in rows.items():
                played_envs = [make(name, **make_kwargs) for _ in placed]
                envs += played_envs
                played = play_lockstep(
                    model, tokenizer, played_envs, [seed for _, seed in placed], max_turns,
                    max_new_tokens, temperature, prefix, stop,
                )  # fmt: skip
                for (index, _), episode in zip(placed, played, strict=True):
                    episodes[index] = episode
        finally:
            for env in envs:
                env.close()
        return {key: [episode[key] for episode in episodes] for key in episodes[0]}

    return rollout
