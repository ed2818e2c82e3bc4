"""What lets a killed ``memgym rm train --model lm`` resume at its last checkpoint.

Every ``every`` steps one file (``torch.save``, written whole: a kill leaves the previous one)
holds the adapter's weights, the optimizer's and the schedule's state, the batch sampler's and
torch's random state, the step reached and the steps skipped, beside the config and a digest of
the training rows. Training again with the same config and rows loads it and goes on from that
step, as an unbroken run does (a test compares the adapters); another training's file is refused.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import asdict
from pathlib import Path
from typing import Any

from memgym.files import atomic_path

EVERY = 25
"""Steps between checkpoints by default."""


def training_key(config: Any, rows: Any) -> str:
    """The digest a checkpoint must match: the config and the training rows' ids and labels."""
    digest = hashlib.sha256(json.dumps(asdict(config), sort_keys=True).encode())
    for row in rows:
        digest.update(f"{row.get('id')}|{int(row['harmful'])}\n".encode())
    return digest.hexdigest()


def save(path: Path, key: str, state: dict[str, Any], torch: Any) -> None:
    """Write the checkpoint ``state`` of the training ``key`` to ``path`` (whole or not at all)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as temp:
        torch.save({"key": key, **state}, temp)


def load(path: Path, key: str, torch: Any) -> dict[str, Any] | None:
    """The checkpoint at ``path`` (None when there is none); ``ValueError`` when it belongs to
    another training (other config or rows)."""
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
            f"checkpoint {path} belongs to a training with another config or other rows: train"
            " with those to resume it, or remove it to start over"
        )
    return state
