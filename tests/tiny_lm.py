"""A tiny causal LM built from a config, with a byte-level BPE tokenizer trained on the texts it
will see: RL adapters' tests train it on CPU in seconds (nothing is downloaded)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

NEXT_EVENT = '{"name": "next_event", "arguments": {}}'

CHAT_TEMPLATE = (
    "{% for m in messages %}<{{ m.role }}>{{ m.content }}\n{% endfor %}"
    "{% if add_generation_prompt %}<assistant>{% endif %}"
)


def tiny_lm(texts: list[str], seed: int = 0) -> tuple[Any, Any]:
    """(tokenizer, model): a 2-layer Llama of hidden size 16 over a 2,000-token vocabulary."""
    import torch
    import transformers

    from memgym.rm.tiny import byte_level_bpe

    bpe = byte_level_bpe(texts, 2000, ["<pad>", "<eos>"])
    tok = transformers.PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token="<eos>", pad_token="<pad>", padding_side="left"
    )
    tok.chat_template = CHAT_TEMPLATE
    config = transformers.LlamaConfig(
        vocab_size=len(tok), hidden_size=16, intermediate_size=32, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=4096,
        eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
    )  # fmt: skip
    torch.manual_seed(seed)
    return tok, transformers.LlamaForCausalLM(config)


def saved_episode_lm(
    folder: Path, entities: int, *, call: bool = True, repeat: int = 1, seed: int = 0
) -> Path:
    """``tiny_lm`` saved as a model folder, its tokenizer trained on the first observation of
    entities lite (``entities`` entities, one question; seed 0) and, with ``call``, a
    ``next_event`` call, the pair ``repeat`` times."""
    from memgym import envs

    env = envs.make("memgym/entities-lite-v0", entities=entities, questions=1)
    try:
        obs, _ = env.reset(seed=0)
    finally:
        env.close()
    tokenizer, model = tiny_lm(([obs, NEXT_EVENT] if call else [obs]) * repeat, seed=seed)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return Path(folder)
