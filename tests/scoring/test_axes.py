"""Axis scores, composite, exclusions and multi-episode aggregation."""

from __future__ import annotations

import math
import statistics

import pytest

from memgym.scoring import ACCURACY_AXES, WEIGHTS, Scores, aggregate, score_answers

# (axis, correct) pairs for a mixed episode: 10 scored questions, 2 abstention questions.
EPISODE = [
    ("breadth", True), ("breadth", True), ("breadth", False), ("breadth", True),
    ("maintenance", True), ("maintenance", False), ("maintenance", False),
    ("reasoning", True), ("reasoning", True), ("reasoning", False),
    ("abstention", True), ("abstention", False),
]  # fmt: skip


def expected_scores(pairs, writes_used):
    """The definitions of the axes module, recomputed independently of it."""
    scored = [(axis, ok) for axis, ok in pairs if axis != "abstention"]
    correct = sum(ok for _, ok in scored)
    axes = {}
    for axis in ACCURACY_AXES:
        results = [ok for a, ok in scored if a == axis]
        if results:
            axes[axis] = sum(results) / len(results)
    axes["efficiency"] = correct / max(len(scored), writes_used)
    composite = sum(WEIGHTS[a] * v for a, v in axes.items()) / sum(WEIGHTS[a] for a in axes)
    return axes, composite, correct, len(scored)


def records(make_answer, pairs, status="ok"):
    return [make_answer(axis, ok, status) for axis, ok in pairs]


def test_weights_sum_to_one_and_cover_the_axes():
    assert math.isclose(sum(WEIGHTS.values()), 1.0)
    assert set(WEIGHTS) == {*ACCURACY_AXES, "efficiency"}


@pytest.mark.parametrize("writes_used", [0, 5, 10, 25])
def test_mixed_episode_matches_the_definitions(make_answer, writes_used):
    scores = score_answers(records(make_answer, EPISODE), writes_used)
    axes, composite, correct, questions = expected_scores(EPISODE, writes_used)
    assert scores.axes == pytest.approx(axes)
    assert scores.composite == pytest.approx(composite)
    assert (scores.correct, scores.questions) == (correct, questions)
    assert scores.accuracy == pytest.approx(correct / questions)
    abstention = [ok for axis, ok in EPISODE if axis == "abstention"]
    assert scores.abstention == pytest.approx(sum(abstention) / len(abstention))


def test_abstention_questions_change_no_axis_and_no_composite(make_answer):
    scored_only = [(axis, ok) for axis, ok in EPISODE if axis != "abstention"]
    with_abstention = score_answers(records(make_answer, EPISODE), 10)
    without = score_answers(records(make_answer, scored_only), 10)
    assert with_abstention.axes == without.axes
    assert with_abstention.composite == without.composite
    assert without.abstention is None


def test_a_missing_axis_is_dropped_and_the_weights_renormalised(make_answer):
    pairs = [("breadth", True), ("breadth", False), ("reasoning", True)]
    scores = score_answers(records(make_answer, pairs), 3)
    assert "maintenance" not in scores.axes
    present = ["breadth", "reasoning", "efficiency"]
    expected = sum(WEIGHTS[a] * scores.axes[a] for a in present) / sum(WEIGHTS[a] for a in present)
    assert scores.composite == pytest.approx(expected)
    assert scores.composite == pytest.approx(expected_scores(pairs, 3)[1])


@pytest.mark.parametrize(
    "pairs",
    [
        [("breadth", True)] * 3,
        [("breadth", True), ("maintenance", True), ("reasoning", True)],
        [("reasoning", True)] * 4 + [("abstention", False)],
    ],
)
def test_perfect_answers_within_one_write_per_question_score_exactly_one(make_answer, pairs):
    questions = sum(axis != "abstention" for axis, _ in pairs)
    for writes in range(questions + 1):
        assert score_answers(records(make_answer, pairs), writes).composite == 1.0
    assert score_answers(records(make_answer, pairs), questions + 1).composite < 1.0


@pytest.mark.parametrize("writes_used", [0, 1, 4, 8, 100])
def test_efficiency_is_correct_per_write_bounded_by_one(make_answer, writes_used):
    pairs = [("breadth", True)] * 3 + [("breadth", False)]
    efficiency = score_answers(records(make_answer, pairs), writes_used).axes["efficiency"]
    assert efficiency == pytest.approx(3 / max(4, writes_used))
    assert 0.0 <= efficiency <= 1.0


def test_writing_nothing_and_guessing_wrong_scores_zero(make_answer):
    pairs = [(axis, False) for axis in ACCURACY_AXES]
    scores = score_answers(records(make_answer, pairs), 0)
    assert scores.composite == 0.0
    assert scores.axes["efficiency"] == 0.0


def test_infra_errors_are_excluded_from_every_count(make_answer):
    base = records(make_answer, EPISODE)
    failures = [make_answer(axis, False, "infra_error") for axis in (*ACCURACY_AXES, "abstention")]
    assert score_answers(base + failures, 7) == score_answers(base, 7)


def test_model_errors_count_as_wrong(make_answer):
    pairs = [("breadth", True), ("breadth", True)]
    answers = [*records(make_answer, pairs[:1]), make_answer("breadth", True, "model_error")]
    scores = score_answers(answers, 2)
    assert (scores.correct, scores.questions) == (1, 2)
    assert scores.axes["breadth"] == 0.5


def test_an_episode_with_nothing_scored_is_empty_not_a_crash(make_answer):
    only_failures = [make_answer("breadth", True, "infra_error")]
    scores = score_answers(only_failures, 3)
    assert scores == Scores(axes={}, composite=0.0, accuracy=0.0, abstention=None,
                            questions=0, correct=0)  # fmt: skip
    only_abstention = score_answers([make_answer("abstention", True)], 0)
    assert only_abstention.questions == 0 and only_abstention.abstention == 1.0


def test_aggregate_means_and_standard_errors(make_answer):
    episodes = [
        score_answers(records(make_answer, EPISODE), 10),
        score_answers(records(make_answer, [("breadth", True), ("reasoning", False)]), 1),
        score_answers(records(make_answer, [("breadth", False), ("abstention", True)]), 0),
    ]
    table = aggregate(episodes)
    for name in (*WEIGHTS, "composite", "accuracy", "abstention"):
        if name in WEIGHTS:
            values = [e.axes[name] for e in episodes if name in e.axes]
        elif name == "abstention":
            values = [e.abstention for e in episodes if e.abstention is not None]
        else:
            values = [getattr(e, name) for e in episodes]
        row = table[name]
        assert row["n"] == len(values)
        assert row["mean"] == pytest.approx(sum(values) / len(values))
        if len(values) > 1:
            assert row["se"] == pytest.approx(statistics.stdev(values) / math.sqrt(len(values)))
        else:
            assert row["se"] is None


def test_aggregate_skips_empty_episodes_and_empty_input(make_answer):
    assert aggregate([]) == {}
    empty = score_answers([make_answer("breadth", True, "infra_error")], 0)
    real = score_answers(records(make_answer, [("breadth", True)]), 1)
    table = aggregate([empty, real])
    assert table["composite"] == {"mean": 1.0, "se": None, "n": 1}
    assert "abstention" not in table
