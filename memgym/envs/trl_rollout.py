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

from memgym.envs.shared_prefix import SharedPrefix

PREFIX = "memgym:"


def _cache_arg() -> str:
    """The name ``generate`` gives the key/value cache: ``cache`` from transformers 5."""
    from transformers.generation.utils import GenerateDecoderOnlyOutput

    return (
        "cache" if "cache" in GenerateDecoderOnlyOutput.__dataclass_fields__ else "past_key_values"
    )


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


def play(
    model: Any,
    tokenizer: Any,
    env: Any,
    seed: int,
    max_turns: int,
    max_new_tokens: int,
    temperature: float,
    prefix: SharedPrefix | None = None,
) -> dict[str, Any]:
    """One episode (sampled; greedy when ``temperature`` <= 0): its prompt ids, completion ids,
    mask, logprobs, actions and return. The model runs in eval mode (no dropout) and keeps its
    key/value cache from turn to turn, so each turn encodes only the new observation; with
    ``prefix`` (made for this model, weights unchanged since) the prompt's shared opening is not
    encoded again either."""
    import torch

    cache_arg = _cache_arg()
    obs, _ = env.reset(seed=seed)
    prompt = prompt_ids(tokenizer, obs)
    ids: list[int] = []
    mask: list[int] = []
    logprobs: list[float] = []
    actions: list[str] = []
    earned = 0.0
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    stops = turn_end_ids(tokenizer)
    sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {
        "do_sample": False, "temperature": None, "top_p": None, "top_k": None}  # fmt: skip
    training = model.training
    model.eval()
    try:
        cache = prefix.start(prompt) if prefix is not None else None
        for _ in range(max_turns):
            context = torch.tensor([prompt + ids], device=model.device)
            with torch.no_grad():
                out = model.generate(
                    input_ids=context,
                    attention_mask=torch.ones_like(context),
                    **{cache_arg: cache},
                    max_new_tokens=max_new_tokens,
                    eos_token_id=stops,
                    output_scores=True,
                    return_dict_in_generate=True,
                    pad_token_id=pad,
                    **sampling,
                )
                scores = model.compute_transition_scores(
                    out.sequences, out.scores, normalize_logits=True
                )
            cache = getattr(out, cache_arg)
            new = out.sequences[0, context.shape[1] :].tolist()
            ids += new
            mask += [1] * len(new)
            logprobs += [float(x) for x in scores[0, : len(new)].tolist()]
            action = tokenizer.decode(new, skip_special_tokens=True).strip()
            actions.append(action)
            obs, reward, terminated, truncated, _ = env.step(action)
            earned += float(reward)
            if terminated or truncated:
                break
            shown = shown_ids(tokenizer, obs)
            ids += shown
            mask += [0] * len(shown)
            logprobs += [0.0] * len(shown)
    finally:
        model.train(training)
    return {
        "prompt_ids": prompt,
        "completion_ids": ids,
        "env_mask": mask,
        "logprobs": logprobs,
        "actions": actions,
        "env_reward": earned,
    }


def turn_end_ids(tokenizer: Any) -> list[int]:
    """The tokens that end a model turn: the tokenizer's end-of-sequence token (the one a
    demonstration row ends each action with) and the end-of-turn markers of common chat templates
    that the vocabulary has. Generation stops on these whatever the model's own generation config
    says (a converted model's may name another token, and its turns would then run on)."""
    vocab = tokenizer.get_vocab()
    ends = {
        tokenizer.eos_token_id,
        *(vocab.get(t) for t in ("<|im_end|>", "<end_of_turn>", "<|eot_id|>")),
    }
    return sorted(int(i) for i in ends if i is not None)


def prompt_ids(tokenizer: Any, first: str) -> list[int]:
    """The episode's prompt: the first observation as a user turn in the chat template."""
    return _ids(
        tokenizer.apply_chat_template(
            [{"role": "user", "content": first}], add_generation_prompt=True
        )
    )


def shown_ids(tokenizer: Any, obs: str) -> list[int]:
    """An observation as it is appended to the completion after a model turn."""
    return [int(i) for i in tokenizer(f"\n{obs}\n", add_special_tokens=False)["input_ids"]]


def _ids(rendered: Any) -> list[int]:
    """Token ids of ``apply_chat_template(..., tokenize=True)`` (a list, or a BatchEncoding)."""
    if isinstance(rendered, list):
        return [int(i) for i in rendered]
    return [int(i) for i in rendered["input_ids"]]


def rollout_func(
    env_id: str | None = None,
    *,
    max_turns: int = 32,
    max_new_tokens: int = 48,
    temperature: float = 1.0,
    **make_kwargs: Any,
) -> Callable[[list[Any], Any], dict[str, list[Any]]]:
    """A ``GRPOTrainer`` ``rollout_func`` playing memgym episodes (``env_id`` None: each prompt's
    own id; ``make_kwargs`` go to ``memgym.make``, e.g. track parameters for a short curriculum)."""
    from memgym.envs.registration import make

    def rollout(batch: list[Any], trainer: Any) -> dict[str, list[Any]]:
        model, tokenizer = trainer.model, trainer.processing_class
        out: dict[str, list[Any]] = {}
        envs: dict[str, Any] = {}
        prefix = SharedPrefix(model)  # the weights stay fixed through one batch of rollouts
        try:
            for prompt in batch:  # the sampler already repeated each prompt per generation
                named, seed = parse_prompt(prompt)
                name = env_id or named
                env = envs.get(name) or envs.setdefault(name, make(name, **make_kwargs))
                episode = play(
                    model, tokenizer, env, seed, max_turns, max_new_tokens, temperature, prefix
                )
                for key, value in episode.items():
                    out.setdefault(key, []).append(value)
        finally:
            for env in envs.values():
                env.close()
        return out

    return rollout
