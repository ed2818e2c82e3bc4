"""The key/value cache of the tokens episodes' prompts begin with, encoded once.

Every memgym prompt opens with the same system prompt and tool schemas (about 1,200 SmolLM2
tokens of a 2,700-token short episode); the rollouts of one GRPO step even share their whole
prompt (one seed, ``num_generations`` copies). ``SharedPrefix`` encodes the first prompt it sees
(all but its last token), then keeps only the part each later prompt shares with it (the cache
cropped), and hands every episode its own copy to start from. Its weights must not change while
it is used: one is made per GRPO batch and per held-out side.
"""

from __future__ import annotations

import copy
from typing import Any

MIN_SHARED = 16
"""Fewer shared tokens than this: the episode starts without the cache (not worth a copy)."""


class SharedPrefix:
    """A model's cache of the longest prefix shared by the prompts seen so far."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.ids: list[int] = []
        self.cache: Any = None

    def start(self, prompt: list[int], *others: list[int]) -> Any:
        """A copy of the cache of the prefix ``prompt`` (and each of ``others``) shares with the
        prompts seen before (None when it is too short); the first prompt is encoded here, all
        but its last token. With ``others`` the copy holds what every one of them shares, so a
        batch of different prompts can start from it."""
        if self.cache is None:
            self._encode(prompt[:-1])
        shared = min(common_prefix(self.ids, p[:-1]) for p in (prompt, *others))
        if shared < MIN_SHARED:
            return None
        if shared < len(self.ids):
            self.cache.crop(shared - len(self.ids))  # negative: the tokens to drop
            self.ids = self.ids[:shared]
        return copy.deepcopy(self.cache)

    def _encode(self, ids: list[int]) -> None:
        import torch

        with torch.no_grad():
            out = self.model(
                input_ids=torch.tensor([ids], device=self.model.device), use_cache=True
            )
        self.ids, self.cache = list(ids), out.past_key_values


def common_prefix(a: list[int], b: list[int]) -> int:
    """Length of the longest common prefix of ``a`` and ``b``."""
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n
