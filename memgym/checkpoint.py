"""One file that lets a killed training resume: its state saved whole (``torch.save`` to a
temporary file, then renamed: a kill leaves the previous one) under a key that names the training
(its config and data), and read back only by the same training."""

from __future__ import annotations

import pickle
import random
from pathlib import Path
from typing import Any

from memgym.files import atomic_path


def save_checkpoint(path: Path, key: str, state: dict[str, Any], torch: Any) -> None:
    """Write the checkpoint ``state`` of the training ``key`` to ``path`` (whole or not at all)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as temp:
        torch.save({"key": key, **state}, temp)


def load_checkpoint(path: Path, key: str, torch: Any) -> dict[str, Any] | None:
    """The checkpoint at ``path`` (None when there is none), read with ``weights_only`` (tensors
    and plain values, no code); ``ValueError`` when it belongs to another training (other config
    or data) or cannot be read."""
    if not path.is_file():
        return None
    try:
        state: dict[str, Any] = torch.load(path, weights_only=True)
    except (RuntimeError, EOFError, OSError, ValueError, pickle.UnpicklingError) as exc:
        raise ValueError(
            f"checkpoint {path} cannot be read ({exc}): remove it to start over"
        ) from None
    if state.get("key") != key:
        raise ValueError(
            f"checkpoint {path} belongs to a training with another config or other data: train"
            " with those to resume it, or remove it to start over"
        )
    return state


def restore_random(rng: random.Random, state: Any) -> None:
    """Put back ``rng``'s state as ``getstate`` gave it, once a checkpoint read it back (its
    tuple of ints may come back as a list)."""
    version, internal, gauss = state
    rng.setstate((version, tuple(internal), gauss))


def torch_random(torch: Any) -> dict[str, Any]:
    """torch's random states for a checkpoint: the CPU generator's and, with CUDA, every
    device's (dropout on a GPU draws from the device's generator)."""
    state = {"torch_rng": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda_rng"] = torch.cuda.get_rng_state_all()
    return state


def restore_torch_random(torch: Any, saved: dict[str, Any]) -> None:
    """Put back what ``torch_random`` saved (the device states when both runs had CUDA)."""
    torch.set_rng_state(saved["torch_rng"])
    if "cuda_rng" in saved and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(saved["cuda_rng"])
