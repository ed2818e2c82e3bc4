"""Gradient-boosted trees for the ``lite`` MemRM, and their score as one plain Python function.

The trees read the hand features and the regression's score (``lite.LiteModel``). Fitted by
scikit-learn's ``HistGradientBoostingClassifier``; scoring one compaction per call through
scikit-learn costs far more than reading it (input checks, arrays per call), so the fitted trees
are written out once per loaded model as one function of nested comparisons that sums the leaf
values (``compile_trees``; a test checks it equals scikit-learn's decision function). Compiling
it takes ~40 ms, so a saved model carries the compiled code (``stored_code``), tagged with the
interpreter's bytecode version and the trees' digest; loading uses it only when both match
(``stored_trees``) and compiles otherwise.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections.abc import Callable, Sequence
from importlib.util import MAGIC_NUMBER
from types import CodeType
from typing import Any

TREE_PARAMS: dict[str, Any] = {
    "max_iter": 200,
    "learning_rate": 0.05,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
}
"""The trees' settings (those bench/studies/rm_hard_rows.py tried on validation)."""
HAND_TREE_PARAMS: dict[str, Any] = {**TREE_PARAMS, "max_leaf_nodes": 31}
"""The settings of the trees over the hand features alone (``lite``: their score is added to a
share of the regression's instead of reading it), chosen on validation: 31 leaves lifted the
entities track's validation fact rows from 0.676 to 0.692 (bench/studies/rm_entities.py)."""


def fit_trees(x: Any, y: Any, seed: int, params: dict[str, Any] | None = None) -> Any:
    """A ``HistGradientBoostingClassifier`` fitted on ``x``, ``y`` with ``params`` (default
    ``TREE_PARAMS``; no early stopping: every row is used, the choice of trees against the
    regression is made on validation)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    trees = HistGradientBoostingClassifier(
        **(params or TREE_PARAMS), early_stopping=False, random_state=seed
    )
    return trees.fit(x, y)


MAX_DEPTH = 100
"""The deepest tree ``compile_trees`` writes (its nested parentheses stay within the parser's
limit); the trees of ``TREE_PARAMS`` have at most 15 leaves."""

_COMPILED: dict[str, Callable[[Sequence[float]], float]] = {}
"""Compiled trees by the digest of their nodes: a model loaded again (each gated memory loads
its own) reuses the function instead of compiling ~40 ms of code anew."""

FORM = 1
"""The form of the code ``trees_code`` writes: stored code of another form is compiled anew."""
CODE_TAG = f"{sys.implementation.cache_tag}:{MAGIC_NUMBER.hex()}:{FORM}"
"""What stored code must have been made by: this interpreter's bytecode (the tag and magic
number of its ``.pyc`` files) and this form of the function."""


def trees_digest(trees: Any) -> str:
    """The sha256 of the fitted trees' baseline and nodes (every split and leaf value)."""
    import numpy as np

    digest = hashlib.sha256(np.ravel(trees._baseline_prediction).tobytes())
    for per_class in trees._predictors:
        digest.update(per_class[0].nodes.tobytes())
    return digest.hexdigest()


def compiled_trees(trees: Any, stored: Any = None) -> Callable[[Sequence[float]], float]:
    """``compile_trees(trees)``, compiled once per process for the same fitted trees; from
    ``stored`` code (``stored_code``) instead when it was made for these trees by this
    interpreter."""
    key = trees_digest(trees)
    score = _COMPILED.get(key)
    if score is None:
        if len(_COMPILED) >= 8:
            _COMPILED.pop(next(iter(_COMPILED)))
        score = _stored_function(stored, key) if stored is not None else None
        score = _COMPILED[key] = score or compile_trees(trees)
    return score


def stored_code(trees: Any) -> dict[str, Any]:
    """The compiled code of ``compile_trees(trees)`` to save beside them: ``marshal`` bytes of
    the code object, with ``CODE_TAG`` and the trees' digest (``compiled_trees`` checks both)."""
    return {
        "tag": CODE_TAG,
        "digest": trees_digest(trees),
        "code": marshal.dumps(trees_code(trees)),
    }


def _stored_function(stored: Any, digest: str) -> Callable[[Sequence[float]], float] | None:
    """The function ``stored`` (``stored_code``) holds, when it was made for the trees of
    ``digest`` by this interpreter; None otherwise (another Python, another form, other trees,
    not such a dict)."""
    if (
        not isinstance(stored, dict)
        or stored.get("tag") != CODE_TAG
        or stored.get("digest") != digest
        or not isinstance(stored.get("code"), bytes)
    ):
        return None
    try:
        code = marshal.loads(stored["code"])
    except (EOFError, ValueError, TypeError):
        return None
    return _function(code) if isinstance(code, CodeType) else None


def _expression(rows: list[tuple[Any, ...]], at: dict[str, int], i: int) -> str:
    """The leaf value one tree gives, as one conditional expression (``rows``: its nodes as
    tuples, ``at``: the place of each field in them)."""
    node = rows[i]
    if node[at["is_leaf"]]:
        return repr(float(node[at["value"]]))
    left = _expression(rows, at, int(node[at["left"]]))
    right = _expression(rows, at, int(node[at["right"]]))
    return (
        f"({left} if x{int(node[at['feature_idx']])} <= "
        f"{float(node[at['num_threshold']])!r} else {right})"
    )


def compile_trees(trees: Any) -> Callable[[Sequence[float]], float]:
    """``trees_code(trees)`` made a function."""
    return _function(trees_code(trees))


def _function(code: CodeType) -> Callable[[Sequence[float]], float]:
    """The ``score`` function that ``code`` (of ``trees_code``) defines."""
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 (comparisons of one row's numbers with numbers)
    return namespace["score"]  # type: ignore[no-any-return]


def trees_code(trees: Any) -> CodeType:
    """The compiled code of a module that defines ``score(x)``: the raw score (log-odds) of a
    fitted binary ``HistGradientBoostingClassifier`` for one row of inputs (exactly as many as
    it was fitted on), as a plain function (the inputs must hold no NaN: the features never
    do): each tree's leaf value added in turn, picked by one conditional expression per tree
    (compiled in half the time of nested statements, each comparison the same), its nodes read
    as Python tuples (not numpy records)."""
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
    return compile("\n".join(out), "<memgym-rm-trees>", "exec")
