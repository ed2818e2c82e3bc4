"""A causal LM of SmolLM2-135M's shape with random weights, for benches that need a model's real
cost without downloading one: a Llama (hidden size 576, 9 heads, 3 key/value heads, a
49,152-token vocabulary; ``layers`` layers), and the tokenizer of ``tests/tiny_lm.py`` trained on
an env's first observation of each seed played and padded to that vocabulary with added tokens."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

VOCAB = 49_152
REPO = Path(__file__).resolve().parents[1]


def random_smollm2(
    env_id: str, params: dict[str, Any], layers: int = 30, seeds: Sequence[int] = (0,)
) -> tuple[Any, Any]:
    """(tokenizer, model) for episodes of ``env_id`` with ``params`` of ``seeds``: the tokenizer
    learns each seed's first observation, so no seed's text splits into more pieces than another's
    (trained on seed 0 alone, it cut other seeds' observations into up to 530 tokens a turn,
    against 295-325 with SmolLM2's own tokenizer); seeded, so every call gives the same weights."""
    import torch
    import transformers

    from memgym import envs

    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))  # run as a script, the repository's tests are not on it
    from tests.tiny_lm import tiny_lm

    env = envs.make(env_id, **params)
    try:
        firsts = [env.reset(seed=seed)[0] for seed in seeds]
    finally:
        env.close()
    tok, _ = tiny_lm(firsts * 3)
    tok.add_tokens([f"<v{i}>" for i in range(VOCAB - len(tok))])
    config = transformers.LlamaConfig(
        vocab_size=VOCAB, hidden_size=576, intermediate_size=1536, num_hidden_layers=layers,
        num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=8192,
        tie_word_embeddings=True, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
    )  # fmt: skip
    torch.manual_seed(0)
    return tok, transformers.LlamaForCausalLM(config)
