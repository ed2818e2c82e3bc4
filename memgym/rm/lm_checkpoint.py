"""What lets a killed ``memgym rm train --model lm`` resume at its last checkpoint.

Every ``every`` steps one file (``memgym.checkpoint``, written whole: a kill leaves the previous
one) holds the adapter's weights, the optimizer's and the schedule's state, the batch sampler's and
torch's random state, the step reached and the steps skipped, beside the config and a digest of
the training rows. Training again with the same config and rows loads it and goes on from that
step, as an unbroken run does (a test compares the adapters); another training's file is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

EVERY = 25
"""Steps between checkpoints by default."""


def training_key(config: Any, rows: Any) -> str:
    """The digest a checkpoint must match: the config and the training rows' ids and labels."""
    digest = hashlib.sha256(json.dumps(asdict(config), sort_keys=True).encode())
    for row in rows:
        digest.update(f"{row.get('id')}|{int(row['harmful'])}\n".encode())
    return digest.hexdigest()
