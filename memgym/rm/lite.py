"""The ``lite`` MemRM: a calibrated logistic regression over hashed tokens and hand features.

Trains in seconds on a CPU. The regression is fitted on every training row. With validation
rows (the dataset's ``val`` split, the default of ``memgym rm train``) every choice is made on
them: C from ``C_GRID`` by the validation AUROC on the rows that drop a fact (the rows where harm
is possible), then the Platt (sigmoid) calibration on the validation scores, then the threshold
with the best validation Harmful-F1; boosted trees and the transfer vote (``Vote``: features
whose direction every training track agrees on, by rank) come in between. Without them, the
calibration is fitted on out-of-fold
scores (``FOLDS`` groups of whole training episodes) and the threshold is 0.5. Needs the ``rm``
extra (numpy, scikit-learn).
"""

from __future__ import annotations

import math
import operator
import pickle
import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memgym.collector import collector_paused
from memgym.extras import require
from memgym.files import write_atomic
from memgym.rm.features import BUCKETS, HAND_FEATURES, Compaction, cache_clears, features
from memgym.rm.rows import Row, asked_questions, dropped_spans

KIND = "memgym-rm-lite"
TREES_CODE = "trees_code"
"""The key of the trees' compiled code in a saved model's payload (files saved before it was
added have none: their trees are compiled on first use)."""
FOLDS = 3
"""Episode groups for the out-of-fold scores the calibration is fitted on (without validation)."""
C_GRID = (0.25, 0.5, 1.0)
"""The regularisation strengths tried on the validation split."""
VOTE_WEIGHT = 0.5
"""Weight of the transfer vote beside the fitted score's rank (``Vote``), chosen on
leave-one-training-track-out validation (bench/studies/rm_transfer.py), never on a test split."""
OFFSET_GRID = (0.25, 0.5, 1.0)
"""Shares of the regression's score added to the score of trees over the hand features alone,
tried on the validation split beside the trees that read the regression's score."""
TREE_FORMS = ("stacked", "hand")
"""The forms of boosted trees ``train_lite`` can try (``_add_trees``)."""
DEFAULT_TREE_FORMS = ("stacked",)
"""Tried by default: the hand form lifts the training tracks' validation (entities most) but
fails the transfer validation (bench/studies/rm_transfer.py: held-out-track mean 0.452, worst 0.246,
against 0.547 and 0.470 for the stacked form), so it is only an option (docs/rm.md)."""
VOTE_REFERENCE = 1024
"""Reference values kept per voting feature (evenly spaced in the sorted training values)."""
VOTE_MEMO = 1 << 12
"""Values whose vote part ``Vote.combine`` remembers per feature."""


def _sklearn() -> Any:
    return require("sklearn.linear_model", "the lite MemRM", "rm")


def _sigmoid(z: float) -> float:
    """1 / (1 + e^-z), without overflow for any z."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def read_features(parts: Sequence[Compaction]) -> list[tuple[list[float], list[int]]]:
    """The ``features`` of each compaction, read with the cyclic collector paused."""
    with collector_paused():
        return [features(part) for part in parts]


def row_parts(row: Row) -> Compaction:
    """All a model may read of a row: brief, dropped spans, kept view, questions asked so far."""
    return Compaction(
        str(row.get("brief", "")), dropped_spans(row), list(row["after"]), asked_questions(row)
    )


TIE = 1e-9
"""Relative distance within which a value ties with a reference value: the direct and the
matrix scoring paths differ by rounding (~1e-15), and boosted trees give many exactly equal
scores, so an exact comparison would rank the same compaction differently in the two paths."""


def _midrank(reference: Sequence[float], x: float) -> float:
    """The share of ``reference`` (sorted) below ``x``, ties (within ``TIE``) counting half."""
    eps = TIE * max(1.0, abs(x))
    return (bisect_left(reference, x - eps) + bisect_right(reference, x + eps)) / (
        2 * len(reference)
    )


@dataclass
class Vote:
    """A fit-free score that transfers to unseen tracks better than any fit: the hand features
    whose direction (single-feature AUROC above or below 0.5 on the fact rows) agrees on every
    training track, each read as its rank among the training fact rows' values (turned round
    when it points to SAFE), averaged; added with ``weight`` to the fitted score's rank among
    the validation fact rows' scores. Ranks make it read alike whatever a track's scale."""

    features: tuple[tuple[int, int], ...]
    """(index into ``HAND_FEATURES``, +1 or -1) of each voting feature."""
    references: tuple[tuple[float, ...], ...]
    """Sorted reference values of each voting feature (training fact rows)."""
    score_reference: tuple[float, ...]
    """Sorted fitted scores of the validation fact rows."""
    weight: float

    def combine(self, hand: Sequence[float], score: float) -> float:
        """The blended score of one compaction from its hand features and fitted score."""
        total = 0.0
        for (j, sign), reference, memo in zip(
            self.features, self.references, self._memos(), strict=True
        ):
            x = hand[j]
            part = memo.get(x)
            if part is None:  # _midrank inlined (the same arithmetic)
                eps = TIE * max(1.0, abs(x))
                rank = (bisect_left(reference, x - eps) + bisect_right(reference, x + eps)) / (
                    2 * len(reference)
                )
                part = rank if sign > 0 else 1.0 - rank
                if len(memo) < VOTE_MEMO:
                    memo[x] = part
            total += part
        vote = total / len(self.features) if self.features else 0.5
        return _midrank(self.score_reference, score) + self.weight * vote

    def _memos(self) -> tuple[dict[float, float], ...]:
        """Per voting feature, the vote part of each value seen (most hand features are counts
        that take few values); not saved, and forgotten with the feature caches
        (``features.clear_caches``: benchmarks start cold)."""
        memo: tuple[int, tuple[dict[float, float], ...]] | None = self.__dict__.get("_memo")
        clears = cache_clears()
        if memo is None or memo[0] != clears:
            memo = self.__dict__["_memo"] = (clears, tuple({} for _ in self.features))
        return memo[1]

    def __getstate__(self) -> dict[str, Any]:
        """The fields only (the memos are made again on first use)."""
        state = dict(self.__dict__)
        state.pop("_memo", None)
        return state


def fit_vote(
    hand: Any, y: Any, tracks: Sequence[str], fact: Any, score_reference: Any, weight: float
) -> Vote:
    """The ``Vote`` of training ``hand`` features (rows x features), labels ``y``, their
    ``tracks`` and which drop a fact; ``score_reference``: the validation fact rows' fitted
    scores."""
    import numpy as np

    from memgym.rm.metrics import auroc

    track_arr = np.asarray(tracks)
    groups = [(track_arr == t) & fact for t in sorted(set(tracks))]
    groups = [g for g in groups if 0 < int(y[g].sum()) < int(g.sum())]
    chosen, references = [], []
    for j in range(hand.shape[1]):
        figures = [auroc(y[g], hand[g, j]) for g in groups]
        sign = 1 if figures and min(figures) > 0.5 else -1 if figures and max(figures) < 0.5 else 0
        if sign:
            chosen.append((j, sign))
            references.append(_reference(hand[fact, j]))
    return Vote(tuple(chosen), tuple(references), _reference(score_reference), weight)


def _reference(values: Any) -> tuple[float, ...]:
    """At most ``VOTE_REFERENCE`` values evenly spaced in ``values`` sorted."""
    import numpy as np

    ordered = np.sort(np.asarray(values, dtype=np.float64))
    if ordered.size > VOTE_REFERENCE:
        ordered = ordered[np.linspace(0, ordered.size - 1, VOTE_REFERENCE).round().astype(int)]
    return tuple(ordered.tolist()) or (0.0,)


@dataclass
class LiteModel:
    """The fitted pieces; ``predict`` gives P(HARMFUL) per row."""

    mean: list[float]
    scale: list[float]
    regression: Any
    platt: tuple[float, float]
    feature_names: tuple[str, ...] = field(default_factory=lambda: HAND_FEATURES)
    """The hand features it was fitted on: a model from another feature set is refused."""
    threshold: float = 0.5
    """P(HARMFUL) from which a compaction is called HARMFUL (chosen on validation)."""
    choices: dict[str, Any] = field(default_factory=dict)
    """What was chosen on validation, and the validation figures each candidate had."""
    trees: Any = None
    """Gradient-boosted trees over the hand features and the regression's score (``trees.py``),
    when validation chose them over the regression alone; Platt then calibrates their score."""
    tree_offset: float | None = None
    """When set, the trees read the hand features alone and their score is added to this share
    of the regression's score (validation chose that form over trees reading the score)."""
    vote: Vote | None = None
    """The transfer vote blended with the fitted score (Platt then calibrates the blend)."""

    def matrix(self, parts: Sequence[Compaction]) -> Any:
        """The feature matrix of compactions: l2-normalised binary token buckets, then the
        standardised hand features."""
        return self.assemble(read_features(parts))

    def assemble(self, read: Sequence[tuple[list[float], list[int]]]) -> Any:
        """The feature matrix of compactions' ``features``."""
        import numpy as np
        import scipy.sparse as sp

        width = len(HAND_FEATURES)
        indices: list[int] = []
        data: list[float] = []
        indptr = [0]
        hand_rows = []
        for hand, buckets in read:
            hand_rows.append(hand)
            indices.extend(buckets)
            data.extend([1.0 / math.sqrt(len(buckets))] * len(buckets) if buckets else [])
            indptr.append(len(indices))
        hashed = sp.csr_matrix(
            (np.asarray(data), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
            shape=(len(read), BUCKETS),
        )
        hand_m = (
            np.asarray(hand_rows, dtype=np.float64).reshape(-1, width) - np.asarray(self.mean)
        ) / np.asarray(self.scale)
        return sp.hstack([hashed, sp.csr_matrix(hand_m)], format="csr")

    def predict_parts(self, parts: Sequence[Compaction]) -> list[float]:
        """P(HARMFUL) of each compaction: the regression's score computed straight from the
        weights, in plain floats (no feature matrix, no array per call, so one compaction per
        call, as the gated memory asks, costs little more than reading it)."""
        a, b = self.platt
        return [_sigmoid(a * score + b) for score in self.scores(parts)]

    def scores(self, parts: Sequence[Compaction], vote: bool = True) -> list[float]:
        """The uncalibrated score of each compaction (with ``vote``: blended with the vote)."""
        if not parts:
            return []
        hashed, hand_w, offset = self._direct_weights()
        boosted = self._tree_score()
        share: float | None = vars(self).get("tree_offset")
        blend = vars(self).get("vote") if vote else None
        out = []
        for hand, buckets in read_features(parts):
            score = offset + sum(map(operator.mul, hand, hand_w))
            if buckets:
                score += sum(map(hashed.__getitem__, buckets)) / math.sqrt(len(buckets))
            if boosted is not None:
                if share is None:
                    hand.append(score)
                    score = boosted(hand)
                else:
                    score = boosted(hand) + share * score
            if blend is not None:
                score = blend.combine(hand, score)
            out.append(score)
        return out

    def prepare(self) -> None:
        """Make now what scoring would make on first use: the folded weights and the trees'
        function (from the code the model's file stores, when it was made for these trees by
        this interpreter; compiled otherwise)."""
        self._direct_weights()
        self._tree_score()

    def _tree_score(self) -> Callable[[Sequence[float]], float] | None:
        """The trees as one plain function (made once per loaded model, not saved in the
        model: ``save`` stores its compiled code beside it); None without trees."""
        if vars(self).get("trees") is None:
            return None
        cached = self.__dict__.get("_trees_fn")
        if cached is None:
            from memgym.rm.trees import compiled_trees

            stored = self.__dict__.pop("_trees_code", None)
            cached = self.__dict__["_trees_fn"] = compiled_trees(self.trees, stored)
        return cached  # type: ignore[no-any-return]

    def _direct_weights(self) -> tuple[memoryview, list[float], float]:
        """The token-bucket weights, the hand-feature weights with the standardisation folded
        in, and the offset; made once per loaded model (``save`` leaves them out)."""
        cached = self.__dict__.get("_direct")
        if cached is None:
            import numpy as np

            coef = np.asarray(self.regression.coef_[0], dtype=np.float64)
            hand_w = coef[BUCKETS:] / np.asarray(self.scale)
            offset = float(self.regression.intercept_[0]) - float(hand_w @ np.asarray(self.mean))
            hashed = memoryview(np.ascontiguousarray(coef[:BUCKETS]))  # type: ignore[arg-type]
            cached = self.__dict__["_direct"] = (hashed, hand_w.tolist(), offset)
        return cached  # type: ignore[no-any-return]

    def predict_matrix(self, parts: Sequence[Compaction]) -> list[float]:
        """``predict_parts`` through scikit-learn on the feature matrix (the path before the
        direct one; the benchmark compares them)."""
        import numpy as np

        if not parts:
            return []
        read = read_features(parts)
        score = self.regression.decision_function(self.assemble(read))
        hand = np.asarray([h for h, _ in read], dtype=np.float64)
        if vars(self).get("trees") is not None:
            offset = vars(self).get("tree_offset")
            score = (
                self.trees.decision_function(np.column_stack([hand, score]))
                if offset is None
                else self.trees.decision_function(hand) + offset * score
            )
        blend = vars(self).get("vote")
        if blend is not None:
            score = _blend_matrix(blend, hand, score)
        a, b = self.platt
        return list(1.0 / (1.0 + np.exp(-(a * score + b))))

    def predict(self, rows: Sequence[Row]) -> list[float]:
        """P(HARMFUL) of each row."""
        return self.predict_parts([row_parts(r) for r in rows])

    def save(self, path: str | Path) -> None:
        """Pickle the model, with its trees' compiled code (``trees.stored_code``: loading then
        skips compiling them); load only files you made: pickle runs code."""
        payload: dict[str, Any] = {"kind": KIND, "model": self}
        if vars(self).get("trees") is not None:
            from memgym.rm.trees import stored_code

            payload[TREES_CODE] = stored_code(self.trees)
        write_atomic(path, pickle.dumps(payload))

    def __getstate__(self) -> dict[str, Any]:
        """The fields only: the weights made for scoring are neither saved nor sent to worker
        processes (they are made again on first use)."""
        state = dict(self.__dict__)
        for made in ("_direct", "_trees_fn", "_trees_code"):
            state.pop(made, None)
        return state


def _blend_matrix(vote: Vote, hand: Any, score: Any) -> Any:
    """``Vote.combine`` of many rows at once (numpy)."""
    import numpy as np

    def midrank(reference: Sequence[float], x: Any) -> Any:
        ref = np.asarray(reference)
        eps = TIE * np.maximum(1.0, np.abs(x))
        below = np.searchsorted(ref, x - eps, "left") + np.searchsorted(ref, x + eps, "right")
        return below / (2 * ref.size)

    total = np.zeros(len(score))
    for (j, sign), reference in zip(vote.features, vote.references, strict=True):
        rank = midrank(reference, hand[:, j])
        total += rank if sign > 0 else 1.0 - rank
    votes = total / len(vote.features) if vote.features else 0.5
    return midrank(vote.score_reference, score) + vote.weight * votes


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
    if payload.get(TREES_CODE) is not None:  # read on first use (``_tree_score``), if valid
        model.__dict__["_trees_code"] = payload[TREES_CODE]
    return model


def train_lite(
    rows: Sequence[Row],
    seed: int = 0,
    c: float = 0.5,
    val: Sequence[Row] | None = None,
    grid: Sequence[float] | None = None,
    trees: bool = True,
    vote: float = VOTE_WEIGHT,
    tree_forms: Sequence[str] = DEFAULT_TREE_FORMS,
) -> LiteModel:
    """Fit on labelled rows. With ``val``: C chosen from ``grid`` (default ``C_GRID``) by the
    validation fact-row AUROC, then (with ``trees``) gradient-boosted trees over the hand
    features and the regression's out-of-fold score, kept if their validation fact-row AUROC is
    higher (of ``tree_forms``: see ``_add_trees``), then (``vote`` > 0) the transfer vote blended
    in at that weight; Platt and threshold fitted on validation. Without: ``c``, Platt on out-of-fold scores, threshold 0.5, no trees,
    no vote."""
    import numpy as np

    unknown = set(tree_forms) - set(TREE_FORMS)
    if unknown or not tree_forms:
        raise ValueError(
            f"tree forms must be some of {', '.join(TREE_FORMS)}, got"
            f" {', '.join(map(str, tree_forms)) or 'none'}"
        )
    linear = _sklearn()
    y = np.asarray([int(r["harmful"]) for r in rows])
    if len(set(y.tolist())) < 2:
        raise ValueError("training rows need both SAFE and HARMFUL labels")
    read = read_features([row_parts(r) for r in rows])  # once: standardising and fitting share it
    hand = np.asarray([h for h, _ in read], dtype=np.float64)
    scale = hand.std(axis=0)
    model = LiteModel(
        list(hand.mean(axis=0)), list(np.where(scale > 0, scale, 1.0)), None, (1.0, 0.0)
    )
    x = model.assemble(read)

    def fit(idx: Any, strength: float) -> Any:
        regression = linear.LogisticRegression(
            C=strength, solver="liblinear", max_iter=2000, random_state=seed
        )
        return regression.fit(x[idx], y[idx])

    def out_of_fold(strength: float) -> tuple[Any, Any]:
        """Each row's score by a regression fitted without its episodes, and which rows got
        one (a fold whose rest lacks a label is left unscored)."""
        fold = _episode_folds(rows, seed)
        score = np.zeros(len(rows))
        scored = np.zeros(len(rows), dtype=bool)
        for k in range(FOLDS):
            held, rest = fold == k, fold != k
            if held.any() and len(set(y[rest].tolist())) == 2:
                score[held] = fit(rest, strength).decision_function(x[held])
                scored |= held
        return score, scored

    if val:
        model = _fit_on_validation(model, fit, len(rows), val, list(grid or C_GRID))
        if trees:
            _add_trees(model, hand, y, out_of_fold, val, seed, tree_forms)
        if vote > 0:
            _add_vote(model, hand, y, rows, val, vote)
        return model
    score, scored = out_of_fold(c)
    model.regression = fit(np.arange(len(rows)), c)
    if not scored.all():  # too few episodes for out-of-fold scores: calibrate in-sample
        score = model.regression.decision_function(x)
    model.platt = _platt(score, y)
    model.choices = {"c": c, "calibration": "out-of-fold"}
    return model


def _platt(score: Any, y: Any) -> tuple[float, float]:
    platt = _sklearn().LogisticRegression(C=1e6, max_iter=1000)
    platt.fit(score.reshape(-1, 1), y)
    return float(platt.coef_[0][0]), float(platt.intercept_[0])


def _fit_on_validation(
    model: LiteModel, fit: Any, n: int, val: Sequence[Row], grid: list[float]
) -> LiteModel:
    """C by the validation fact-row AUROC (ties: overall AUROC), then Platt and threshold."""
    import numpy as np

    from memgym.rm.metrics import auroc, average_precision, best_f1_threshold
    from memgym.rm.rows import drops_fact

    yv = np.asarray([int(r["harmful"]) for r in val])
    if len(set(yv.tolist())) < 2:
        raise ValueError("validation rows need both SAFE and HARMFUL labels")
    fact = np.asarray([drops_fact(r) for r in val])
    xv = model.assemble(read_features([row_parts(r) for r in val]))
    table, best = [], None
    for strength in grid:
        regression = fit(np.arange(n), strength)
        score = regression.decision_function(xv)
        entry = {
            "c": strength,
            "auroc": auroc(yv, score),
            "fact_auroc": auroc(yv[fact], score[fact]),
            "fact_ap": average_precision(yv[fact], score[fact]),
        }
        table.append(entry)
        key = (np.nan_to_num(entry["fact_auroc"]), entry["auroc"])
        if best is None or key > best[0]:
            best = (key, strength, regression, score)
    assert best is not None
    _, strength, model.regression, score = best
    model.platt = _platt(score, yv)
    a, b = model.platt
    calibrated = 1.0 / (1.0 + np.exp(-(a * score + b)))
    model.threshold = best_f1_threshold(yv, calibrated)
    model.choices = {
        "c": strength,
        "calibration": "validation",
        "threshold": model.threshold,
        "grid": table,
        "val_rows": len(val),
    }
    return model


def _add_trees(
    model: LiteModel,
    hand: Any,
    y: Any,
    out_of_fold: Any,
    val: Sequence[Row],
    seed: int,
    forms: Sequence[str] = DEFAULT_TREE_FORMS,
) -> None:
    """The trees of ``forms`` with the best validation fact-row AUROC, kept (with Platt and
    threshold refitted on their validation scores) if it beats the regression's: trees over the
    hand features and the regression's out-of-fold score (``stacked``), and trees over the
    hand features alone whose score is added to a share of the regression's (``hand``, the
    share from ``OFFSET_GRID``)."""
    import numpy as np

    from memgym.rm.metrics import auroc, average_precision, best_f1_threshold
    from memgym.rm.rows import drops_fact
    from memgym.rm.trees import HAND_TREE_PARAMS, fit_trees

    score, scored = out_of_fold(model.choices["c"])
    if not scored.any() or len(set(y[scored].tolist())) < 2:
        model.choices["trees"] = "not fitted: too few episodes for out-of-fold scores"
        return
    yv = np.asarray([int(r["harmful"]) for r in val])
    fact = np.asarray([drops_fact(r) for r in val])
    read = read_features([row_parts(r) for r in val])
    hand_v = np.asarray([h for h, _ in read], dtype=np.float64)
    linear = model.regression.decision_function(model.assemble(read))

    def figures(s: Any) -> dict[str, float]:
        return {
            "auroc": auroc(yv, s),
            "fact_auroc": auroc(yv[fact], s[fact]),
            "fact_ap": average_precision(yv[fact], s[fact]),
        }

    def key(entry: dict[str, float]) -> tuple[float, float]:
        return (float(np.nan_to_num(entry["fact_auroc"])), float(entry["auroc"]))

    candidates: list[tuple[Any, float | None, Any, dict[str, float]]] = []
    if "stacked" in forms:
        stacked = fit_trees(np.column_stack([hand, score])[scored], y[scored], seed)
        boosted = stacked.decision_function(np.column_stack([hand_v, linear]))
        candidates.append((stacked, None, boosted, figures(boosted)))
        model.choices["trees_val"] = candidates[-1][3]
    if "hand" in forms:
        alone = fit_trees(hand, y, seed, HAND_TREE_PARAMS)
        tree_score = alone.decision_function(hand_v)
        model.choices["hand_trees_val"] = {}
        for weight in OFFSET_GRID:
            s = tree_score + weight * linear
            candidates.append((alone, weight, s, figures(s)))
            model.choices["hand_trees_val"][str(weight)] = candidates[-1][3]
    fitted, share, best, entry = max(candidates, key=lambda c: key(c[3]))
    chosen = next(e for e in model.choices["grid"] if e["c"] == model.choices["c"])
    keep = key(entry) > key(chosen)
    form = "" if share is None else f": hand + {share:g} x regression"
    model.choices["trees"] = f"kept{form}" if keep else "not kept: the regression scores higher"
    if not keep:
        return
    model.trees, model.tree_offset = fitted, share
    model.platt = _platt(best, yv)
    a, b = model.platt
    model.threshold = best_f1_threshold(yv, 1.0 / (1.0 + np.exp(-(a * best + b))))
    model.choices["threshold"] = model.threshold


def _add_vote(
    model: LiteModel, hand: Any, y: Any, rows: Sequence[Row], val: Sequence[Row], weight: float
) -> None:
    """Blend the transfer vote (``fit_vote``) into the fitted score; Platt and threshold
    refitted on the blended validation scores."""
    import numpy as np

    from memgym.rm.metrics import auroc, best_f1_threshold
    from memgym.rm.rows import drops_fact

    yv = np.asarray([int(r["harmful"]) for r in val])
    fact_v = np.asarray([drops_fact(r) for r in val])
    parts = [row_parts(r) for r in val]
    fitted = np.asarray(model.scores(parts, vote=False))
    fact = np.asarray([drops_fact(r) for r in rows])
    model.vote = fit_vote(
        hand,
        y,
        [str(r.get("track", "")) for r in rows],
        fact,
        fitted[fact_v] if fact_v.any() else fitted,
        weight,
    )
    blended = np.asarray(model.scores(parts))
    model.platt = _platt(blended, yv)
    a, b = model.platt
    model.threshold = best_f1_threshold(yv, 1.0 / (1.0 + np.exp(-(a * blended + b))))
    model.choices["threshold"] = model.threshold
    model.choices["vote"] = {
        "weight": weight,
        "features": [
            ("+" if sign > 0 else "-") + HAND_FEATURES[j] for j, sign in model.vote.features
        ],
        "val_fact_auroc_without": auroc(yv[fact_v], fitted[fact_v]),
        "val_fact_auroc": auroc(yv[fact_v], blended[fact_v]),
    }


def _episode_folds(rows: Sequence[Row], seed: int) -> Any:
    """Each row's fold (0 .. FOLDS-1), whole episodes per fold, episodes shuffled by ``seed``."""
    import numpy as np

    keys = [str(r.get("episode", "")) + str(r.get("strategy", "")) for r in rows]
    episodes = sorted(set(keys))
    random.Random(seed).shuffle(episodes)
    fold_of = {e: i % FOLDS for i, e in enumerate(episodes)}
    return np.asarray([fold_of[k] for k in keys])


__all__ = [
    "HAND_FEATURES",
    "TREE_FORMS",
    "LiteModel",
    "Vote",
    "load_lite",
    "row_parts",
    "train_lite",
]
