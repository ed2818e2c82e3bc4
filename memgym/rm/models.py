"""Loading a trained MemRM of either kind from disk: a ``lite`` pickle file or an ``lm`` folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from memgym.rm.rows import Row


class Scorer(Protocol):
    """Anything that gives P(HARMFUL) per compaction row."""

    def predict(self, rows: Sequence[Row]) -> list[float]: ...


def model_kind(path: str | Path) -> str:
    """``"lm"`` for an adapter folder, ``"lite"`` for a file; ``ValueError`` if neither exists."""
    p = Path(path)
    if p.is_dir():
        from memgym.rm.lm import CONFIG_FILE

        if not (p / CONFIG_FILE).exists():
            raise ValueError(f"{path} is a folder without {CONFIG_FILE}: not an lm MemRM")
        return "lm"
    if p.is_file():
        return "lite"
    raise ValueError(f"no MemRM model at {path}")


def load_model(path: str | Path) -> Scorer:
    """The model saved at ``path`` (kind told by ``model_kind``)."""
    if model_kind(path) == "lm":
        from memgym.rm.lm import load_lm

        return load_lm(path)
    payload = _payload(path)
    from memgym.rm import encoder

    if isinstance(payload, dict) and payload.get("kind") == encoder.KIND:
        return encoder.load_encoder_model(payload, path)
    from memgym.rm.lite import load_lite

    return load_lite(path)


def _payload(path: str | Path) -> object:
    """The unpickled file (None when it is not a pickle: ``load_lite`` then says so)."""
    import pickle

    try:
        return pickle.loads(Path(path).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
