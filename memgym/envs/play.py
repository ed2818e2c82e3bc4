"""Playing memgym episodes with a Hugging Face causal LM: one episode (``play``) or a batch of
episodes in lock-step (``play_lockstep``: each turn, one batched ``generate`` for all).

GRPO plays a group of episodes from the same prompt; ``train heldout`` plays the greedy episodes of
different seeds, whose prompts differ after the shared opening. Played one at a time, each turn
decodes one sequence per step; played together, one decoding step serves the whole group. The rows
of the batch share one key/value cache, kept from turn to turn: each turn encodes only what came
since (and with a ``SharedPrefix``, the prompt's shared opening not even once per group). Rows that
diverge (each samples its own action and sees its own observation) are kept aligned with padding
*inside* the sequence: a turn that ends early is followed by padding up to the longest turn, a
shorter observation (or a shorter prompt, after the opening every prompt shares) is preceded by
padding up to the longest. Padding is masked out of attention, and position ids count only real
tokens (``generate`` derives them from the attention mask), so each row is computed as if it were
alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from memgym.envs.shared_prefix import SharedPrefix, common_prefix


class Stopped(Exception):
    """The episodes under way were given up: their caller's stop condition held (a training's
    wall-clock bound). Nothing they played is returned."""


@dataclass
class _Row:
    """One episode of the group: its env, what it returns, and its place in the batch."""

    env: Any
    ids: list[int] = field(default_factory=list)
    mask: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    earned: float = 0.0
    done: bool = False
    seq: list[int] = field(default_factory=list)
    """Its tokens as the batch holds them: padding included, as long as every live row's."""
    attend: list[int] = field(default_factory=list)
    """The attention mask of ``seq``: 0 at padding."""


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
    ``prefix`` (a ``SharedPrefix`` made for this model, weights unchanged since) the prompt's
    shared opening is not encoded again either."""
    return play_lockstep(
        model, tokenizer, [env], seed, max_turns, max_new_tokens, temperature, prefix
    )[0]


def play_lockstep(
    model: Any,
    tokenizer: Any,
    envs: Sequence[Any],
    seed: int | Sequence[int],
    max_turns: int,
    max_new_tokens: int,
    temperature: float,
    prefix: SharedPrefix | None = None,
    stop: Callable[[], bool] | None = None,
) -> list[dict[str, Any]]:
    """One episode in each of ``envs`` (distinct env objects, at least one), played together:
    of scenario ``seed``, or of ``seed[i]`` in ``envs[i]``; each as ``play`` returns it (prompt
    ids, completion ids, mask, logprobs, actions, return), in the order of ``envs``. ``stop`` is
    asked before every turn: when it returns True the episodes are given up (``Stopped``)."""
    import torch

    if not envs:
        raise ValueError("play_lockstep needs at least one env")
    seeds = [seed] * len(envs) if isinstance(seed, int) else list(seed)
    if len(seeds) != len(envs):
        raise ValueError(f"{len(seeds)} seeds for {len(envs)} envs")
    cache_arg = _cache_arg()
    rows = [_Row(env) for env in envs]
    prompts = [prompt_ids(tokenizer, row.env.reset(seed=s)[0]) for row, s in zip(rows, seeds)]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    stops = turn_end_ids(tokenizer)
    sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {
        "do_sample": False, "temperature": None, "top_p": None, "top_k": None}  # fmt: skip
    # padding goes after the opening all prompts share, and before one real token at least
    opening = min(min(common_prefix(prompts[0], p) for p in prompts),
                  min(len(p) for p in prompts) - 1)  # fmt: skip
    longest = max(len(p) for p in prompts)
    for row, p in zip(rows, prompts):  # the row's tokens as the batch holds them, padded
        gap = longest - len(p)
        row.seq = p[:opening] + [pad] * gap + p[opening:]
        row.attend = [1] * opening + [0] * gap + [1] * (len(p) - opening)
    live = list(rows)  # the batch: the rows whose episode goes on, in order
    training = model.training
    model.eval()
    try:
        cache = prefix.start(*prompts) if prefix is not None else None
        if cache is not None and len(live) > 1:
            cache.batch_repeat_interleave(len(live))
        for _ in range(max_turns):
            if stop is not None and stop():
                raise Stopped("the episodes under way were stopped")
            context = torch.tensor([row.seq for row in live], device=model.device)
            with torch.no_grad():
                out = model.generate(
                    input_ids=context,
                    attention_mask=torch.tensor([row.attend for row in live], device=model.device),
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
            new = out.sequences[:, context.shape[1] :].tolist()
            shown: list[list[int]] = []
            for i, row in enumerate(live):
                turn = _turn(new[i], stops)
                row.seq += new[i]
                row.attend += [1] * len(turn) + [0] * (len(new[i]) - len(turn))
                row.ids += turn
                row.mask += [1] * len(turn)
                row.logprobs += [float(x) for x in scores[i, : len(turn)].tolist()]
                action = tokenizer.decode(turn, skip_special_tokens=True).strip()
                row.actions.append(action)
                obs, reward, terminated, truncated, _ = row.env.step(action)
                row.earned += float(reward)
                row.done = bool(terminated or truncated)
                shown.append([] if row.done else shown_ids(tokenizer, obs))
                row.ids += shown[i]
                row.mask += [0] * len(shown[i])
                row.logprobs += [0.0] * len(shown[i])
            going = [i for i, row in enumerate(live) if not row.done]
            if not going:
                break
            if len(going) < len(live):  # ended episodes leave the batch and the cache
                cache.batch_select_indices(torch.tensor(going, device=model.device))
                live, shown = [live[i] for i in going], [shown[i] for i in going]
            longest = max(len(ids) for ids in shown)
            for row, ids in zip(live, shown, strict=True):
                gap = longest - len(ids)
                row.seq += [pad] * gap + ids
                row.attend += [0] * gap + [1] * len(ids)
    finally:
        model.train(training)
    return [
        {
            "prompt_ids": list(prompt),
            "completion_ids": row.ids,
            "env_mask": row.mask,
            "logprobs": row.logprobs,
            "actions": row.actions,
            "env_reward": row.earned,
        }
        for row, prompt in zip(rows, prompts, strict=True)
    ]


def _cache_arg() -> str:
    """The name ``generate`` gives the key/value cache: ``cache`` from transformers 5."""
    from transformers.generation.utils import GenerateDecoderOnlyOutput

    return (
        "cache" if "cache" in GenerateDecoderOnlyOutput.__dataclass_fields__ else "past_key_values"
    )


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


def _turn(new: list[int], stops: list[int]) -> list[int]:
    """A row's tokens of this turn: up to and with its first end-of-turn token (what follows is
    the padding ``generate`` gives a row that finished before the others)."""
    for k, token in enumerate(new):
        if token in stops:
            return new[: k + 1]
    return new
