"""``cpu_tiles``: TRL's fused LM head scores narrower tiles on CPU and gives the same
log-probabilities and gradients (up to float rounding); TRL's sizes come back after."""

from __future__ import annotations

import pytest

pytest.importorskip("trl", reason="memgym train grpo needs the rl extra: pip install -e '.[rl]'")

import torch
import trl.kernels.chunked_logprob as kernel
import trl.trainer.utils as trl_utils
from trl.trainer.utils import add_fused_lm_head

from memgym.train.fused_head import cpu_tiles
from tests.tiny_lm import tiny_lm


def _scored(model: torch.nn.Module, ids: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """Per-token log-probabilities through the fused head, and every weight's gradient."""
    model.zero_grad()
    labels = ids.clone()
    labels[:, :5] = -100  # the prompt, as GRPO's passes leave it out
    out = model(
        input_ids=ids, attention_mask=torch.ones_like(ids), labels=labels, fused_lm_head=True
    )
    out.log_probs.sum().backward()
    return out.log_probs.detach(), [p.grad.clone() for p in model.parameters()]


def test_narrow_tiles_score_what_trls_own_score() -> None:
    _, model = tiny_lm(["the store keeps what the budget allows"] * 3)
    add_fused_lm_head(model)
    vocab = model.config.vocab_size
    ids = torch.randint(0, vocab, (1, 40), generator=torch.Generator().manual_seed(0))
    wide = _scored(model, ids)
    sizes = (kernel.TOKEN_CHUNK_SIZE, trl_utils._CHUNKED_LOGPROB_CHUNK_SIZE)
    assert sizes[0] >= 40 and sizes[1] >= vocab  # TRL's: one tile holds it all
    with cpu_tiles((3, 7)) as set_:  # 14 token tiles by 286 vocabulary tiles
        assert set_ and (kernel.TOKEN_CHUNK_SIZE, trl_utils._CHUNKED_LOGPROB_CHUNK_SIZE) == (3, 7)
        narrow = _scored(model, ids)
    assert (kernel.TOKEN_CHUNK_SIZE, trl_utils._CHUNKED_LOGPROB_CHUNK_SIZE) == sizes
    assert torch.allclose(narrow[0], wide[0], atol=1e-5) and wide[0].abs().sum() > 0
    for ours, theirs in zip(narrow[1], wide[1], strict=True):
        assert torch.allclose(ours, theirs, atol=1e-5)
    with cpu_tiles(None) as set_:
        assert not set_ and kernel.TOKEN_CHUNK_SIZE == sizes[0]
