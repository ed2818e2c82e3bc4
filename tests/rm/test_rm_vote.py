"""The lite MemRM's transfer vote: which features vote, how they combine, where it is fitted."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from memgym.rm.features import hand_features
from memgym.rm.lite import Vote, fit_vote, load_lite, row_parts, train_lite
from memgym.rm.metrics import auroc, best_f1_threshold
from memgym.rm.rows import drops_fact, read_jsonl


def test_the_vote_keeps_the_features_whose_direction_every_track_agrees_on() -> None:
    rng = np.random.RandomState(0)
    n = 600
    y = (np.arange(n) % 3 == 0).astype(int)
    tracks = [t for t in "abc" for _ in range(n // 3)]
    track_arr = np.asarray(tracks)
    up = y + rng.rand(n)  # higher for HARMFUL on every track
    down = -y + rng.rand(n)  # lower for HARMFUL on every track
    mixed = np.where(track_arr == "a", y, -y) + rng.rand(n)  # up on one track, down on others
    noise = rng.rand(n)
    hand = np.column_stack([up, down, mixed, noise])
    fact = np.ones(n, dtype=bool)
    expected = []
    for j in range(4):
        figures = [auroc(y[track_arr == t], hand[track_arr == t, j]) for t in "abc"]
        if min(figures) > 0.5:
            expected.append((j, 1))
        elif max(figures) < 0.5:
            expected.append((j, -1))
    vote = fit_vote(hand, y, tracks, fact, rng.rand(50), 0.5)
    assert vote.features == tuple(expected)
    assert (0, 1) in vote.features and (1, -1) in vote.features
    assert all(j != 2 for j, _ in vote.features)
    row = hand[7]
    ranks = []
    for (j, sign), ref in zip(vote.features, vote.references, strict=True):
        below = sum(v < row[j] for v in ref) + sum(v == row[j] for v in ref) / 2
        ranks.append(below / len(ref) if sign > 0 else 1 - below / len(ref))
    score_rank = (
        sum(v < 0.3 for v in vote.score_reference) + sum(v == 0.3 for v in vote.score_reference) / 2
    ) / len(vote.score_reference)
    assert vote.combine(list(row), 0.3) == pytest.approx(score_rank + 0.5 * np.mean(ranks))


def test_the_votes_remembered_parts_give_the_same_score_bit_for_bit() -> None:
    from memgym.rm.features import clear_caches

    rng = np.random.RandomState(2)
    references = tuple(tuple(sorted(rng.rand(300).round(2).tolist())) for _ in range(3))
    vote = Vote(((0, 1), (2, -1), (3, 1)), references, tuple(sorted(rng.rand(40))), 0.5)
    rows = [[float(v) for v in rng.randint(0, 5, 4) / 4] for _ in range(60)]  # values repeat
    scores = [float(s) for s in rng.rand(60)]
    first = [vote.combine(r, s) for r, s in zip(rows, scores, strict=True)]
    again = [vote.combine(r, s) for r, s in zip(rows, scores, strict=True)]  # all remembered
    fresh = [
        Vote(vote.features, references, vote.score_reference, 0.5).combine(r, s)
        for r, s in zip(rows, scores, strict=True)
    ]  # a new vote each row: nothing kept
    assert first == again == fresh
    assert sum(map(len, vote._memos())) == sum(len({r[j] for r in rows}) for j in (0, 2, 3))
    assert "_memo" not in pickle.loads(pickle.dumps(vote)).__dict__
    clear_caches()
    assert not any(vote._memos())  # benchmarks start cold


def test_the_vote_is_blended_calibrated_on_validation_and_saved(
    quick_data: tuple[Path, Any], tmp_path: Path
) -> None:
    folder, _ = quick_data
    train = list(read_jsonl(folder / "train.jsonl"))
    val = list(read_jsonl(folder / "val.jsonl"))
    plain = train_lite(train, val=val, grid=[0.5], vote=0)
    assert plain.vote is None and "vote" not in plain.choices
    model = train_lite(train, val=val, grid=[0.5], vote=0.25)
    assert isinstance(model.vote, Vote) and model.vote.weight == 0.25
    parts = [row_parts(r) for r in val]
    fitted = plain.scores(parts)
    assert model.scores(parts, vote=False) == pytest.approx(fitted)  # the same fit under it
    hand = [hand_features(p) for p in parts]
    assert model.scores(parts) == pytest.approx(
        [model.vote.combine(h, s) for h, s in zip(hand, fitted, strict=True)]
    )
    y = [int(r["harmful"]) for r in val]
    fact = [drops_fact(r) for r in val]
    blended = model.scores(parts)
    assert model.choices["vote"]["val_fact_auroc"] == pytest.approx(
        auroc(
            [v for v, f in zip(y, fact, strict=True) if f],
            [s for s, f in zip(blended, fact, strict=True) if f],
        )
    )
    p = model.predict(val)
    assert model.threshold == best_f1_threshold(y, p)
    assert model.predict_parts(parts) == pytest.approx(model.predict_matrix(parts), abs=1e-9)
    model.save(tmp_path / "m.pkl")
    assert pickle.loads((tmp_path / "m.pkl").read_bytes())["model"].vote == model.vote
    assert load_lite(tmp_path / "m.pkl").predict_parts(parts[:5]) == model.predict_parts(parts[:5])
    assert train_lite(train).vote is None  # no validation rows: nothing to place it on
