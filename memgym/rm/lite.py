"""The ``lite`` MemRM: a calibrated logistic regression over hashed tokens and hand features.

Trains in seconds on a CPU. Fitting holds out a fifth of the training episodes (whole episodes,
so calibration sees unseen scenarios), fits the regression on the rest, then a Platt (sigmoid)
calibration of its score on the held-out fifth. Needs the ``rm`` extra (numpy, scikit-learn).
"""

from __future__ import annotations

import math
import pickle
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memgym.rm.features import BUCKETS, HAND_FEATURES, features, hand_features
from memgym.rm.rows import Row, dropped_texts

KIND = "memgym-rm-lite"


def _sklearn() -> Any:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise ValueError(
            "the lite MemRM needs scikit-learn: pip install 'memgym[rm]'"
        ) from None
    import sklearn.linear_model as linear

    return linear


def row_parts(row: Row) -> tuple[str, list[str], list[str]]:
    """(brief, dropped texts, kept texts): all a model may read of a row."""
    return str(row.get("brief", "")), dropped_texts(row), list(row["after"])


@dataclass
class LiteModel:
    """The fitted pieces; ``predict`` gives P(HARMFUL) per row."""

    mean: list[float]
    scale: list[float]
    regression: Any
    platt: tuple[float, float]
    feature_names: tuple[str, ...] = field(default_factory=lambda: HAND_FEATURES)
    """The hand features it was fitted on: a model from another feature set is refused."""

    def matrix(self, parts: Sequence[tuple[str, list[str], list[str]]]) -> Any:
        """The feature matrix of compactions given as (brief, dropped, kept): l2-normalised
        binary token buckets, then the standardised hand features."""
        import numpy as np
        import scipy.sparse as sp

        width = len(HAND_FEATURES)
        indices: list[int] = []
        data: list[float] = []
        indptr = [0]
        hand_rows = []
        for brief, dropped, kept in parts:
            hand, buckets = features(brief, dropped, kept)
            hand_rows.append(hand)
            indices.extend(buckets)
            data.extend([1.0 / math.sqrt(len(buckets))] * len(buckets) if buckets else [])
            indptr.append(len(indices))
        hashed = sp.csr_matrix(
            (np.asarray(data), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
            shape=(len(parts), BUCKETS),
        )
        hand_m = (np.asarray(hand_rows, dtype=np.float64).reshape(-1, width)
                  - np.asarray(self.mean)) / np.asarray(self.scale)
        return sp.hstack([hashed, sp.csr_matrix(hand_m)], format="csr")

    def predict_parts(self, parts: Sequence[tuple[str, list[str], list[str]]]) -> list[float]:
        """P(HARMFUL) of each (brief, dropped, kept)."""
        import numpy as np

        if not parts:
            return []
        score = self.regression.decision_function(self.matrix(parts))
        a, b = self.platt
        return list(1.0 / (1.0 + np.exp(-(a * score + b))))

    def predict(self, rows: Sequence[Row]) -> list[float]:
        """P(HARMFUL) of each row."""
        return self.predict_parts([row_parts(r) for r in rows])

    def save(self, path: str | Path) -> None:
        """Pickle the model (load only files you made: pickle runs code)."""
        Path(path).write_bytes(pickle.dumps({"kind": KIND, "model": self}))


def load_lite(path: str | Path) -> LiteModel:
    """A model ``LiteModel.save`` wrote; ``ValueError`` for anything else."""
    try:
        payload = pickle.loads(Path(path).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError) as exc:
        raise ValueError(f"cannot read a lite MemRM from {path}: {exc}") from None
    if not isinstance(payload, dict) or payload.get("kind") != KIND:
        raise ValueError(f"{path} is not a lite MemRM model")
    model: LiteModel = payload["model"]
    if tuple(vars(model).get("feature_names", ())) != HAND_FEATURES:
        raise ValueError(
            f"{path} was trained on another feature set than this memgym's; retrain it with"
            " memgym rm train"
        )
    return model


def train_lite(rows: Sequence[Row], seed: int = 0, c: float = 0.5) -> LiteModel:
    """Fit on labelled rows: regression on 4/5 of the episodes, Platt on the other 1/5."""
    import numpy as np

    linear = _sklearn()
    labels = [int(r["harmful"]) for r in rows]
    if len(set(labels)) < 2:
        raise ValueError("training rows need both SAFE and HARMFUL labels")
    episodes = sorted({str(r.get("episode", "")) + str(r.get("strategy", "")) for r in rows})
    random.Random(seed).shuffle(episodes)
    held = set(episodes[: max(1, len(episodes) // 5)])
    fit_idx = [i for i, r in enumerate(rows) if _ep(r) not in held]
    cal_idx = [i for i, r in enumerate(rows) if _ep(r) in held]
    if len({labels[i] for i in cal_idx}) < 2 or len({labels[i] for i in fit_idx}) < 2:
        fit_idx = cal_idx = list(range(len(rows)))
    parts = [row_parts(r) for r in rows]
    hand = np.asarray([hand_features(*parts[i]) for i in fit_idx], dtype=np.float64)
    mean = hand.mean(axis=0)
    scale = np.where(hand.std(axis=0) > 0, hand.std(axis=0), 1.0)
    model = LiteModel(list(mean), list(scale), None, (1.0, 0.0))
    y = np.asarray(labels)
    regression = linear.LogisticRegression(C=c, max_iter=2000, random_state=seed)
    regression.fit(model.matrix([parts[i] for i in fit_idx]), y[fit_idx])
    model.regression = regression
    score = regression.decision_function(model.matrix([parts[i] for i in cal_idx]))
    platt = linear.LogisticRegression(C=1e6, max_iter=1000)
    platt.fit(score.reshape(-1, 1), y[cal_idx])
    model.platt = (float(platt.coef_[0][0]), float(platt.intercept_[0]))
    return model


def _ep(row: Row) -> str:
    return str(row.get("episode", "")) + str(row.get("strategy", ""))


__all__ = ["HAND_FEATURES", "LiteModel", "load_lite", "row_parts", "train_lite"]
