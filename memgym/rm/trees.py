"""Gradient-boosted trees for the ``lite`` MemRM, and their score as one plain Python function.

The trees read the hand features and the regression's score (``lite.LiteModel``). Fitted by
scikit-learn's ``HistGradientBoostingClassifier``; scoring one compaction per call through
scikit-learn costs far more than reading it (input checks, arrays per call), so the fitted trees
are written out once per loaded model as one function of nested comparisons that sums the leaf
values (``compile_trees``; a test checks it equals scikit-learn's decision function).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

TREE_PARAMS: dict[str, Any] = {
    "max_iter": 200,
    "learning_rate": 0.05,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
}
"""The trees' settings (those bench/rm_hard_rows.py tried on validation)."""
HAND_TREE_PARAMS: dict[str, Any] = {**TREE_PARAMS, "max_leaf_nodes": 31}
"""The settings of the trees over the hand features alone (``lite``: their score is added to a
share of the regression's instead of reading it), chosen on validation: 31 leaves lifted the
entities track's validation fact rows from 0.676 to 0.692 (bench/rm_entities.py)."""


def fit_trees(x: Any, y: Any, seed: int, params: dict[str, Any] | None = None) -> Any:
    """A ``HistGradientBoostingClassifier`` fitted on ``x``, ``y`` with ``params`` (default
    ``TREE_PARAMS``; no early stopping: every row is used, the choice of trees against the
    regression is made on validation)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    trees = HistGradientBoostingClassifier(**(params or TREE_PARAMS), early_stopping=False,
                                           random_state=seed)
    return trees.fit(x, y)


MAX_DEPTH = 100
"""The deepest tree ``compile_trees`` writes (its nested parentheses stay within the parser's
limit); the trees of ``TREE_PARAMS`` have at most 15 leaves."""

_COMPILED: dict[str, Callable[[Sequence[float]], float]] = {}
"""Compiled trees by the digest of their nodes: a model loaded again (each gated memory loads
its own) reuses the function instead of compiling ~50 ms of code anew."""


def compiled_trees(trees: Any) -> Callable[[Sequence[float]], float]:
    """``compile_trees(trees)``, compiled once per process for the same fitted trees."""
    import numpy as np

    digest = hashlib.sha256(np.ravel(trees._baseline_prediction).tobytes())
    for per_class in trees._predictors:
        digest.update(per_class[0].nodes.tobytes())
    key = digest.hexdigest()
    score = _COMPILED.get(key)
    if score is None:
        if len(_COMPILED) >= 8:
            _COMPILED.pop(next(iter(_COMPILED)))
        score = _COMPILED[key] = compile_trees(trees)
    return score


def _expression(rows: list[tuple[Any, ...]], at: dict[str, int], i: int) -> str:
    """The leaf value one tree gives, as one conditional expression (``rows``: its nodes as
    tuples, ``at``: the place of each field in them)."""
    node = rows[i]
    if node[at["is_leaf"]]:
        return repr(float(node[at["value"]]))
    left = _expression(rows, at, int(node[at["left"]]))
    right = _expression(rows, at, int(node[at["right"]]))
    return (f"({left} if x{int(node[at['feature_idx']])} <= "
            f"{float(node[at['num_threshold']])!r} else {right})")


def compile_trees(trees: Any) -> Callable[[Sequence[float]], float]:
    """The raw score (log-odds) of a fitted binary ``HistGradientBoostingClassifier`` for one
    row of inputs (exactly as many as it was fitted on), as a plain function (the inputs must
    hold no NaN: the features never do): each tree's leaf value added in turn, picked by one
    conditional expression per tree (compiled in half the time of nested statements, each
    comparison the same), its nodes read as Python tuples (not numpy records)."""
    import numpy as np

    baseline = float(np.ravel(trees._baseline_prediction)[0])
    names = [f"x{i}" for i in range(int(trees.n_features_in_))]  # each input a local: no x[i]
    out = ["def score(x):", f" {', '.join(names)}, = x", f" s = {baseline!r}"]
    for per_class in trees._predictors:
        nodes = per_class[0].nodes
        if nodes["is_categorical"].any():
            raise ValueError("categorical splits are not supported")
        if int(nodes["depth"].max()) > MAX_DEPTH:
            raise ValueError(f"trees deeper than {MAX_DEPTH} are not supported")
        at = {name: place for place, name in enumerate(nodes.dtype.names)}
        out.append(f" s += {_expression(nodes.tolist(), at, 0)}")
    out.append(" return s")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(out), "<memgym-rm-trees>", "exec"), namespace)  # noqa: S102 (numbers only)
    return namespace["score"]  # type: ignore[no-any-return]
