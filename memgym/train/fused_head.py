"""TRL's fused LM head with tiles sized for a CPU.

TRL 1.16's ``GRPOTrainer`` scores each loss pass through a fused LM head
(``trl.kernels.chunked_logprob``): the log-probability of every token without the whole
``[tokens, vocabulary]`` logits, one tile of the projection at a time. Its tiles are sized for a
GPU, 4,096 tokens by 32,768 vocabulary entries (512 MiB in float32), and on a device without
Triton each tile is folded with torch operations that make several float32 copies of it: on CPU
one loss pass over a 3,700-token episode (SmolLM2-135M's shape, 10 layers, LoRA on the top 8)
peaked 5,338 MiB above the model, and 1,606 MiB with these tiles. ``cpu_tiles`` narrows them (256 tokens by 4,096 entries: 4 MiB) while
training on CPU; the log-probabilities are the same up to float rounding (a sum split otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

CPU_TILES: tuple[int, int] | None = (256, 4096)
"""(tokens, vocabulary entries) of a tile on CPU; None leaves TRL's own."""


@contextmanager
def cpu_tiles(tiles: tuple[int, int] | None = CPU_TILES) -> Iterator[bool]:
    """Within: TRL's fused head projects tiles of ``tiles`` (tokens, vocabulary entries); TRL's
    sizes come back after. Yields whether they were set (not with ``tiles`` None, nor with a TRL
    that has no such sizes: it is then left as it is)."""
    import trl.kernels.chunked_logprob as kernel
    from trl.trainer import utils

    places = ((kernel, "TOKEN_CHUNK_SIZE"), (utils, "_CHUNKED_LOGPROB_CHUNK_SIZE"))
    if tiles is None or not all(isinstance(getattr(m, n, None), int) for m, n in places):
        yield False
        return
    kept = [getattr(m, n) for m, n in places]
    for (module, name), size in zip(places, tiles, strict=True):
        setattr(module, name, size)
    try:
        yield True
    finally:
        for (module, name), size in zip(places, kept, strict=True):
            setattr(module, name, size)
