"""bench/studies/rm_hard_rows.py --transfer: each training track is scored by models that never read
its rows, and the figures are those of a model fitted on the other tracks alone."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from memgym.rm.lite import train_lite
from memgym.rm.metrics import auroc
from memgym.rm.rows import drops_fact, read_jsonl
from memgym.rmdata.dataset import build, quick_config
from tests.bench_scripts import load_bench_script

hard_rows = load_bench_script("rm_hard_rows")


@pytest.fixture(scope="module")
def splits(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], list[Any]]:
    """Train and val rows of two training tracks (the quick dataset trains on one)."""
    folder = tmp_path_factory.mktemp("rm-transfer")
    build(
        replace(
            quick_config(),
            tracks=["entities", "codeqa", "research"],
            ood_track="research",
            new_seeds=0,
        ),
        folder,
    )
    return list(read_jsonl(folder / "train.jsonl")), list(read_jsonl(folder / "val.jsonl"))


def test_transfer_scores_each_track_by_models_fitted_on_the_others(
    splits: tuple[list[Any], list[Any]],
) -> None:
    train, val = splits
    tracks = sorted({r["track"] for r in train})
    assert tracks == ["codeqa", "entities"]
    figures = hard_rows.transfer_figures(train, val)
    assert sorted(figures) == tracks
    for held in tracks:
        rows = [r for r in val if r["track"] == held and drops_fact(r)]
        y = [int(r["harmful"]) for r in rows]
        model = train_lite(
            [r for r in train if r["track"] != held], val=[r for r in val if r["track"] != held]
        )
        lite = figures[held]["lite"]
        assert lite["n"] == len(rows) and lite["base"] == pytest.approx(sum(y) / len(y))
        assert lite["auroc"] == pytest.approx(auroc(y, model.predict(rows)))

    # Flipping every training label of one track moves the figures of the track its rows train
    # for, never its own: the held-out track's training rows are not read.
    flipped = [dict(r, harmful=not r["harmful"]) if r["track"] == "entities" else r for r in train]
    again = hard_rows.transfer_figures(flipped, val)
    assert again["entities"] == figures["entities"]
    assert again["codeqa"]["lite"]["auroc"] != pytest.approx(figures["codeqa"]["lite"]["auroc"])


transfer = load_bench_script("rm_transfer")


def test_rm_transfer_scores_each_track_by_a_model_fitted_on_the_others(
    splits: tuple[list[Any], list[Any]],
) -> None:
    """bench/studies/rm_transfer.py: each held-out track's figure at each vote weight is that of a
    model fitted on the other tracks (recomputed), and the IID figure that of one fitted on all."""
    import numpy as np

    from memgym.rm.lite import row_parts

    train, val = splits
    weights = [0.0, 0.5]
    figures = transfer.transfer_figures(train, val, weights, c=[0.5])
    tracks = sorted({r["track"] for r in train})
    for held in [*tracks, None]:
        rows = [r for r in val if (held is None or r["track"] == held) and drops_fact(r)]
        y = [int(r["harmful"]) for r in rows]
        model = train_lite(
            [r for r in train if r["track"] != held],
            val=[r for r in val if r["track"] != held],
            grid=[0.5],
            vote=0.5,
        )
        parts = [row_parts(r) for r in rows]
        key = held or "iid"
        assert figures[key][0.5] == pytest.approx(auroc(y, model.scores(parts)))
        assert figures[key][0.0] == pytest.approx(auroc(y, model.scores(parts, vote=False)))
    lines = transfer.report(figures, weights)
    assert len(lines) == 2
    mean = np.mean([figures[t][0.5] for t in tracks])
    assert f"mean {mean:.3f} worst {min(figures[t][0.5] for t in tracks):.3f}" in lines[1]


def test_rm_transfer_reads_lean_rows_that_train_alike(quick_data: tuple[Any, Any]) -> None:
    from memgym.rm.lite import row_parts

    folder, _ = quick_data
    full = list(read_jsonl(folder / "val.jsonl"))
    lean = list(transfer.lean_rows(folder / "val.jsonl"))
    assert [row_parts(r) for r in lean] == [row_parts(r) for r in full]
    assert [(r["harmful"], drops_fact(r), r["track"]) for r in lean] == [
        (r["harmful"], drops_fact(r), r["track"]) for r in full
    ]
