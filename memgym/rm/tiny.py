"""A tiny local base model for the ``lm`` path's tests and smoke runs: no downloads.

A two-layer Qwen3 (hidden size 64) built from a config with random weights, and a byte-level BPE
tokenizer trained here on the given texts, with " Y" and " N" guaranteed to be single tokens.
Saved like any Hugging Face model folder, so ``load_base`` reads it as it reads a real one.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

SPECIALS = ["<|endoftext|>", "<|pad|>"]


def byte_level_bpe(texts: Iterable[str], vocab: int, specials: list[str]) -> Any:
    """A byte-level BPE ``tokenizers.Tokenizer`` trained on ``texts``: every byte is in its
    alphabet, so no text is unknown to it; ``specials`` get the first ids."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    return tok


def build_tiny_base(path: str | Path, texts: Iterable[str], seed: int = 0, vocab: int = 800) -> str:
    """Write a tiny Qwen3 and its tokenizer into ``path``; the path, for ``LMConfig.base_model``."""
    from memgym.rm.lm import _libs

    torch, transformers, _ = _libs()
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    tok = byte_level_bpe([*texts, *(["Answer: Y Answer: N"] * 50)], vocab, SPECIALS)
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token=SPECIALS[0], pad_token=SPECIALS[1]
    )
    for word in (" Y", " N"):
        if len(fast.encode(word, add_special_tokens=False)) != 1:
            fast.add_tokens([word])
    torch.manual_seed(seed)
    config = transformers.Qwen3Config(
        vocab_size=len(fast),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        max_position_embeddings=4096,
        tie_word_embeddings=True,
        pad_token_id=fast.pad_token_id,
        eos_token_id=fast.eos_token_id,
        bos_token_id=fast.eos_token_id,
    )
    model = transformers.Qwen3ForCausalLM(config)
    model.save_pretrained(str(folder))
    fast.save_pretrained(str(folder))
    return str(folder)
