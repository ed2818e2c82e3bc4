"""The lite MemRM: learns something real, leaks nothing, round-trips through its file."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest

from memgym.rm.features import HAND_FEATURES, Compaction, features, hand_features
from memgym.rm.lite import load_lite, row_parts, train_lite
from memgym.rm.metrics import auroc
from memgym.rm.rows import labels, read_jsonl


def _hand(
    dropped: list[str], kept: list[str], asked: list[tuple[int, str]] | None = None, step: int = 5
) -> dict[str, float]:
    """The hand features by name of dropping ``dropped`` (each seen at ``step``)."""
    c = Compaction("brief", [(step, t) for t in dropped], kept, asked or [])
    return dict(zip(HAND_FEATURES, hand_features(c), strict=True))


def test_beats_chance_on_held_out_seeds(quick_data: tuple[Path, Any], lite_model: Any) -> None:
    folder, _ = quick_data
    _, model = lite_model
    rows = list(read_jsonl(folder / "iid.jsonl"))
    p = model.predict(rows)
    assert all(0.0 <= v <= 1.0 for v in p)
    assert auroc(labels(rows), p) > 0.7


def test_features_ignore_names_later_questions_and_labels(
    quick_data: tuple[Path, Any], lite_model: Any
) -> None:
    """Track, strategy, seed, label, fact ids, the step: changing any moves no prediction. The
    asked questions do move them (they are read), yet a row only ever holds earlier ones."""
    folder, _ = quick_data
    _, model = lite_model
    every_row = list(read_jsonl(folder / "iid.jsonl"))
    rows = every_row[:40]
    changed = []
    for row in rows:
        other = copy.deepcopy(row)
        other.update(
            track="dialogue",
            strategy="summary:max_tokens=1",
            seed=99,
            harmful=1 - row["harmful"],
            label="?",
            delta=9.0,
            later=0,
            id="x",
            episode="y",
            step=12345,
        )
        for span in other["dropped"]:
            span["facts"] = ["leak"]
        changed.append(other)
    assert model.predict(changed) == model.predict(rows)
    assert all(q["step"] < row["step"] for row in every_row for q in row["asked"])
    asked = [row for row in every_row if row["asked"]][:40]
    assert asked, "no compaction came after a question"
    unasked = [copy.deepcopy(r) | {"asked": []} for r in asked]
    assert model.predict(unasked) != model.predict(asked)
    assert row_parts(rows[0] | {"asked": None}).asked == []


def test_features_see_novel_numbers() -> None:
    kept = ["Acme Ltd has 42 staff."]
    assert _hand(["Acme Ltd has 42 staff."], kept)["novel_numbers"] == 0.0
    assert _hand(["Acme Ltd has 97 staff."], kept)["novel_numbers"] > 0.0
    assert _hand(["x"], [])["kept_is_empty"] == 1.0
    assert len(features(Compaction("b", [(0, "x")], []))[0]) == len(HAND_FEATURES)


def test_features_read_the_questions_asked_so_far() -> None:
    """What was asked, and whether anything was asked since a dropped span came, is seen; a
    question asked before the span came does not count as asked since."""
    page = 'Search result for "mayor of Corhaven":\nCorhaven is a town. Its mayor is Rima Kelton.'
    nothing = _hand([page], [], asked=[], step=5)
    before = _hand([page], [], asked=[(3, "Who is the mayor of Corhaven?")], step=5)
    after = _hand([page], [], asked=[(3, "Where is Belport?"), (7, "Who is Rima Kelton?")], step=5)
    assert nothing["asked"] == 0.0 and nothing["unasked"] == 1.0
    assert before["asked"] > 0.0 and before["unasked"] == 1.0
    assert before["asked_names"] > 0.0 and before["asked_since_max"] == 0.0
    assert after["unasked"] == 0.0 and after["asked_since_min"] > 0.0
    assert after["asked_names"] > 0.0 and after["asked"] > before["asked"]


def test_features_see_a_kept_view_that_goes_on_from_or_refers_to_a_dropped_span() -> None:
    """A chain: the dropped page names Corhaven, a kept page is the search for Corhaven's mayor
    (continued); a kept body naming the dropped page's subject refers back to it."""
    dropped = (
        'Search result for "venue of Lirosa Colloquium":\nLirosa Colloquium is held in Corhaven.'
    )
    next_page = 'Search result for "mayor of Corhaven":\nCorhaven is a town. Its mayor is Ira Lo.'
    other = 'Search result for "mayor of Belport":\nBelport is a town. Its mayor is Ann Vale.'
    refers = "Erratum: Lirosa Colloquium moved to Velgate."
    assert _hand([dropped], [next_page])["continued"] > 0.0
    assert _hand([dropped], [next_page])["title_continued"] > 0.0
    assert _hand([dropped], [other])["continued"] == 0.0
    assert _hand([dropped], [refers])["referenced"] > 0.0
    assert _hand([dropped], [other])["referenced"] == 0.0


def test_save_load_round_trip(
    quick_data: tuple[Path, Any], lite_model: Any, tmp_path: Path
) -> None:
    folder, _ = quick_data
    path, model = lite_model
    rows = list(read_jsonl(folder / "strategy_ood.jsonl"))
    assert load_lite(path).predict(rows) == model.predict(rows)
    bad = tmp_path / "bad.pkl"
    bad.write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match="cannot read a lite MemRM"):
        load_lite(bad)


def test_a_model_of_another_feature_set_is_refused(lite_model: Any, tmp_path: Path) -> None:
    _, model = lite_model
    stale = copy.copy(model)
    del stale.feature_names  # as a model pickled before the field existed
    stale.save(tmp_path / "stale.pkl")
    with pytest.raises(ValueError, match="another feature set.*memgym rm train"):
        load_lite(tmp_path / "stale.pkl")


def test_heading_restated_tells_the_asked_for_result_from_a_look_alike() -> None:
    asked = 'Search result for "mayor of Corhaven":\nCorhaven is a town. Its mayor is Rima Kelton.'
    look_alike = 'Search result for "mayor of Corhaven":\nCorstead is a town. Its mayor is Ann Lo.'
    assert _hand([asked], [])["heading_restated"] > 0.0
    assert _hand([look_alike], [])["heading_restated"] == 0.0
    assert _hand(["one line, no heading"], [])["heading_restated"] == 0.0


def test_training_is_deterministic_and_needs_both_labels(quick_data: tuple[Path, Any]) -> None:
    folder, _ = quick_data
    rows = list(read_jsonl(folder / "train.jsonl"))
    rows = [r for r in rows if r["harmful"]][:20] + [r for r in rows if not r["harmful"]][:80]
    test = list(read_jsonl(folder / "iid.jsonl"))[:50]
    assert train_lite(rows, seed=3).predict(test) == train_lite(rows, seed=3).predict(test)
    safe = [r for r in rows if not r["harmful"]]
    with pytest.raises(ValueError, match="both SAFE and HARMFUL"):
        train_lite(safe)


def test_direct_scores_equal_the_feature_matrix_path(
    quick_data: tuple[Path, Any], lite_model: Any
) -> None:
    from memgym.rm.lite import row_parts

    folder, _ = quick_data
    _, model = lite_model
    parts = [row_parts(r) for r in read_jsonl(folder / "iid.jsonl")]
    assert model.predict_parts(parts) == pytest.approx(model.predict_matrix(parts), abs=1e-9)
    assert [model.predict_parts([p])[0] for p in parts[:20]] == pytest.approx(
        model.predict_matrix(parts[:20]), abs=1e-9
    )


def test_scoring_weights_are_not_saved_and_extreme_scores_do_not_overflow(
    lite_model: Any, tmp_path: Path
) -> None:
    import copy
    import pickle

    from memgym.rm.features import Compaction
    from memgym.rm.lite import load_lite

    _, model = lite_model
    part = Compaction("brief", [(1, "Vantor Labs revenue 45.2")], ["kept 7"], [])
    score = model.predict_parts([part])[0]
    assert "_direct" in vars(model)  # made by the first direct score
    model.save(tmp_path / "m.pkl")
    saved = pickle.loads((tmp_path / "m.pkl").read_bytes())["model"]
    assert "_direct" not in vars(saved)
    assert "_direct" not in vars(pickle.loads(pickle.dumps(model)))  # as sent to workers
    assert load_lite(tmp_path / "m.pkl").predict_parts([part]) == [score]
    steep = copy.copy(model)
    steep.__dict__.pop("_direct", None)
    for a in (1e6, -1e6):
        steep.platt = (a, 0.0)
        assert steep.predict_parts([part])[0] in (0.0, 1.0)


def test_validation_chooses_c_calibration_and_threshold(quick_data: tuple[Path, Any]) -> None:
    """Every candidate C is scored on validation rows and the best fact-row AUROC is kept;
    Platt and threshold come from validation (recomputed here)."""
    import numpy as np

    from memgym.rm.lite import train_lite
    from memgym.rm.metrics import auroc, best_f1_threshold
    from memgym.rm.rows import drops_fact

    folder, _ = quick_data
    train = list(read_jsonl(folder / "train.jsonl"))
    val = list(read_jsonl(folder / "val.jsonl"))
    model = train_lite(train, val=val, grid=[0.1, 1.0], trees=False, vote=0)
    grid = model.choices["grid"]
    assert [g["c"] for g in grid] == [0.1, 1.0]
    best = max(grid, key=lambda g: (np.nan_to_num(g["fact_auroc"]), g["auroc"]))
    assert model.choices["c"] == best["c"] == model.regression.C
    y = [int(r["harmful"]) for r in val]
    p = model.predict(val)
    fact = [drops_fact(r) for r in val]
    assert auroc([v for v, f in zip(y, fact) if f], [q for q, f in zip(p, fact) if f]) == (
        pytest.approx(best["fact_auroc"])
    )
    assert model.threshold == best_f1_threshold(y, p)


def test_features_tell_a_value_whose_subject_stays_in_view_from_an_orphan() -> None:
    """A dropped value line whose names the kept view still holds (its subject is still in view,
    e.g. with a corrected value) is counted apart from one nothing kept names; a line whose value
    the view restates is neither; lines of spans no question followed yet are counted too."""
    dropped = "Price list\nAcme Ltd costs 12 units.\nBolt Works costs 7 units."
    both_named = _hand([dropped], ["Acme Ltd costs 15 units.", "Bolt Works costs 9 units."])
    one_named = _hand([dropped], ["Acme Ltd costs 15 units."])
    restated = _hand([dropped], ["Price list: Acme Ltd costs 12 units. Bolt Works costs 7 units."])
    assert both_named["superseded_value_lines"] > 0.0 and both_named["orphan_value_lines"] == 0.0
    assert one_named["superseded_value_lines"] > 0.0 and one_named["orphan_value_lines"] > 0.0
    assert one_named["orphan_value_share"] > both_named["orphan_value_share"]
    assert restated["orphan_value_lines"] == restated["superseded_value_lines"] == 0.0
    assert one_named["losing_spans"] > 0.0 and restated["losing_spans"] == 0.0
    asked_since = _hand([dropped], [], asked=[(9, "What does Bolt Works cost?")], step=5)
    unasked = _hand([dropped], [], asked=[(2, "What does Bolt Works cost?")], step=5)
    assert asked_since["unasked_orphan_lines"] == 0.0 < unasked["unasked_orphan_lines"]
    assert unasked["asked_novel_names"] > 0.0 and unasked["losing_unasked_spans"] > 0.0


def test_boosted_trees_are_kept_only_when_validation_prefers_them(
    quick_data: tuple[Path, Any], tmp_path: Path
) -> None:
    """Of the regression, trees over the hand features and its score, and trees over the hand
    features alone plus a share of its score, the form with the best validation fact-row AUROC
    is kept; the model's validation figures are then its, its direct score equals
    scikit-learn's in both tree forms, and the compiled trees are not saved."""
    import pickle

    import numpy as np

    from memgym.rm.lite import OFFSET_GRID, TREE_FORMS
    from memgym.rm.metrics import best_f1_threshold
    from memgym.rm.rows import drops_fact

    folder, _ = quick_data
    train = list(read_jsonl(folder / "train.jsonl"))
    val = list(read_jsonl(folder / "val.jsonl"))
    model = train_lite(train, val=val, grid=[0.5], vote=0, tree_forms=TREE_FORMS)
    (linear,) = model.choices["grid"]
    forms = {
        None: model.choices["trees_val"],
        **{w: model.choices["hand_trees_val"][str(w)] for w in OFFSET_GRID},
    }

    def key(e: dict[str, float]) -> tuple[float, float]:
        return (float(np.nan_to_num(e["fact_auroc"])), e["auroc"])

    best = max(forms, key=lambda w: key(forms[w]))
    kept = key(forms[best]) > key(linear)
    assert (model.trees is not None) == kept == model.choices["trees"].startswith("kept")
    if kept:
        assert model.tree_offset == best
    y = [int(r["harmful"]) for r in val]
    p = model.predict(val)
    fact = [drops_fact(r) for r in val]
    assert auroc([v for v, f in zip(y, fact) if f], [q for q, f in zip(p, fact) if f]) == (
        pytest.approx((forms[best] if kept else linear)["fact_auroc"])
    )
    assert model.threshold == best_f1_threshold(y, p)
    assert train_lite(train, val=val, grid=[0.5], trees=False, vote=0).trees is None
    default = train_lite(train, val=val, grid=[0.5], vote=0)  # the stacked form alone
    assert "hand_trees_val" not in default.choices and default.tree_offset is None
    assert default.choices["trees_val"] == model.choices["trees_val"]
    with pytest.raises(ValueError, match="tree forms"):
        train_lite(train, val=val, tree_forms=("forest",))
    from memgym.rm.trees import fit_trees

    rng = np.random.RandomState(0)
    parts = [row_parts(r) for r in read_jsonl(folder / "iid.jsonl")]
    for share in (None, 0.5):  # the scoring paths are checked in both forms
        width = len(HAND_FEATURES) + (share is None)
        model.trees = fit_trees(rng.rand(300, width), np.arange(300) % 2, 0)
        model.tree_offset = share
        model.__dict__.pop("_trees_fn", None)
        assert model.predict_parts(parts) == pytest.approx(model.predict_matrix(parts), abs=1e-9)
    assert "_trees_fn" in vars(model)
    model.save(tmp_path / "m.pkl")
    assert "_trees_fn" not in vars(pickle.loads((tmp_path / "m.pkl").read_bytes())["model"])
    assert load_lite(tmp_path / "m.pkl").predict_parts(parts[:5]) == model.predict_parts(parts[:5])


def test_hand_trees_add_a_share_of_the_regression_score(quick_data: tuple[Path, Any]) -> None:
    """In the hand form the score is the trees' score over the hand features alone plus
    ``tree_offset`` times the regression's, recomputed here from scikit-learn's parts."""
    import numpy as np

    from memgym.rm.lite import read_features
    from memgym.rm.trees import HAND_TREE_PARAMS, fit_trees

    folder, _ = quick_data
    train = list(read_jsonl(folder / "train.jsonl"))
    model = train_lite(train, grid=[0.5], c=0.5)
    parts = [row_parts(r) for r in train[:200]]
    hand = np.asarray([h for h, _ in read_features(parts)])
    y = np.asarray([int(r["harmful"]) for r in train[:200]])
    model.trees = fit_trees(hand, y, 0, HAND_TREE_PARAMS)
    model.tree_offset = 0.25
    linear = model.regression.decision_function(model.matrix(parts))
    expected = model.trees.decision_function(hand) + 0.25 * linear
    assert model.scores(parts) == pytest.approx(list(expected), abs=1e-9)


def test_compiled_trees_equal_scikit_learns_decision_function() -> None:
    import numpy as np

    from memgym.rm.trees import compile_trees, fit_trees

    rng = np.random.RandomState(1)
    x = rng.rand(600, 5)
    y = (x[:, 0] + x[:, 1] * x[:, 2] + 0.3 * rng.rand(600) > 0.9).astype(int)
    trees = fit_trees(x, y, 0)
    score = compile_trees(trees)
    test = rng.rand(200, 5)
    assert [score(list(r)) for r in test] == pytest.approx(
        list(trees.decision_function(test)), abs=1e-9
    )
    import pickle

    from memgym.rm.trees import compiled_trees

    again = pickle.loads(pickle.dumps(trees))  # the same trees loaded anew: compiled once
    assert compiled_trees(again) is compiled_trees(trees)
    other = fit_trees(x, 1 - y, 0)
    assert compiled_trees(other) is not compiled_trees(trees)
    assert compiled_trees(other)(list(test[0])) == pytest.approx(
        float(other.decision_function(test[:1])[0]), abs=1e-9
    )


def test_features_see_dropped_values_of_a_kind_the_questions_ask_about() -> None:
    """A value line leaving the view counts as of an asked kind when a question asked before
    used one of its content words (not its subject's name: that is ``asked_novel_names``)."""
    dropped = "Ledger\nAcme Ltd costs 12 units.\nBolt Works weighs 7 kg."
    cost = _hand([dropped], ["x"], asked=[(2, "What does Bolt Works cost?")])
    weight = _hand([dropped], ["x"], asked=[(2, "How much does Acme Ltd weigh?")])
    founder = _hand([dropped], ["x"], asked=[(2, "Who founded Bolt Works?")])
    late = _hand([dropped], ["x"], asked=[(9, "What does Bolt Works cost?")], step=5)
    restated = _hand(
        [dropped],
        ["Acme Ltd costs 12 units. Bolt Works weighs 7 kg."],
        asked=[(2, "What does Bolt Works cost?")],
    )
    assert cost["asked_kind_lines"] == weight["asked_kind_lines"] > 0.0
    assert founder["asked_kind_lines"] == restated["asked_kind_lines"] == 0.0
    assert cost["unasked_kind_lines"] > 0.0 == late["unasked_kind_lines"]
    assert 0.0 < cost["asked_kind_share"] < 1.0


def test_features_count_dropped_lines_whose_named_value_leaves_the_view() -> None:
    """A dropped line that states a value as a name (a city, an employer) and no number counts
    as a named-value line when the kept view no longer names that value, and not when it does;
    the value-line count adds these to the lines whose numbers leave."""
    dropped = "Customer: My destination is Seville.\nCustomer: My budget is 900 USD."
    gone = _hand([dropped], ["Customer: My plans are firm.", "Agent: Noted."])
    kept = _hand([dropped], ["Customer: My plans are firm.", "Agent: Seville, 900 USD."])
    assert gone["novel_name_lines"] == pytest.approx(math.log1p(1))
    assert kept["novel_name_lines"] == 0.0
    assert gone["novel_value_lines"] == pytest.approx(math.log1p(2))
    assert kept["novel_value_lines"] == 0.0
    numbers_only = _hand(["Stock 12 left.\nStock 15 right."], [])
    assert numbers_only["novel_name_lines"] == 0.0
    assert numbers_only["novel_value_lines"] == pytest.approx(numbers_only["novel_number_lines"])
