import hashlib
import math
import random

import pytest

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.reasoners.base import Reasoner
from memgym.run.episode import evaluate
from memgym.scoring.isolation import (
    answer_table,
    closed_book,
    isolate,
    isolated,
    percentile,
)
from memgym.types import AnswerRecord, EpisodeResult


def hand_built(rows):
    """memory -> list of bools as an answer table over one fake scenario."""
    return {m: {("h", f"q{i}"): ok for i, ok in enumerate(v)} for m, v in rows.items()}


def test_isolated_score_recomputed_from_the_definition():
    rows = {
        "none": [0, 0, 0, 1, 0, 0, 0, 0, 0, 0],
        "oracle": [1, 1, 1, 1, 1, 1, 1, 1, 0, 1],
        "window": [1, 0, 1, 1, 0, 1, 0, 0, 0, 1],
    }
    scores = isolate(hand_built(rows), resamples=200)
    acc = {m: sum(v) / len(v) for m, v in rows.items()}
    w = scores["window"]
    assert w.accuracy == acc["window"] == 0.5
    assert w.isolated == pytest.approx((0.5 - 0.1) / (0.9 - 0.1))
    # oracle right on 9 questions; window right on 5 of them
    assert w.oracle_right == pytest.approx(5 / 9)
    assert scores["none"].isolated == 0.0 and scores["oracle"].isolated == 1.0
    assert w.ci_low <= w.isolated <= w.ci_high
    assert scores["oracle"].ci_low == scores["oracle"].ci_high == 1.0
    assert w.questions == w.scored == 10 and w.leaked == 0


def test_bootstrap_is_seeded_and_paired():
    rng = random.Random(1)
    rows = {
        m: [rng.random() < p for _ in range(60)]
        for m, p in (("none", 0.1), ("oracle", 0.9), ("s", 0.5))
    }
    a = isolate(hand_built(rows), seed=3)
    assert a == isolate(hand_built(rows), seed=3)
    assert a != isolate(hand_built(rows), seed=4)
    # a memory identical to the oracle has a degenerate CI at 1 only because resamples are paired
    rows["copy"] = rows["oracle"]
    b = isolate(hand_built(rows), seed=3)
    assert b["copy"].ci_low == b["copy"].ci_high == 1.0


def test_leaked_questions_are_excluded_from_isolated_scores_only():
    rows = {"none": [1, 0, 0, 0], "oracle": [1, 1, 1, 1], "s": [1, 1, 0, 0]}
    scores = isolate(hand_built(rows), leaked=[("h", "q0")], resamples=50)
    s = scores["s"]
    assert s.accuracy == 0.5  # raw accuracy keeps every question
    assert s.isolated == pytest.approx(1 / 3) and s.scored == 3 and s.leaked == 1
    assert s.oracle_right == pytest.approx(1 / 3)


def test_undefined_cases():
    scores = isolate(hand_built({"none": [1, 0], "oracle": [1, 0], "s": [0, 0]}), resamples=20)
    assert math.isnan(scores["s"].isolated) and math.isnan(scores["s"].ci_low)
    assert isolated(0.5, 0.2, 0.2) != isolated(0.5, 0.2, 0.2)
    assert percentile([], 0.5) != percentile([], 0.5)
    assert percentile([0.0, 1.0], 0.25) == 0.25
    with pytest.raises(ValueError, match="oracle"):
        isolate(hand_built({"none": [1]}))


def test_answer_table_keeps_scored_paired_questions():
    def record(qid, axis, correct, status="ok"):
        return AnswerRecord(
            question_id=qid, kind="retrieval", axis=axis, answer="x", correct=correct, status=status
        )

    result = EpisodeResult.model_construct(
        memory="m",
        scenario_hash="h",
        answers=[
            record("q0", "breadth", True),
            record("q1", "abstention", True),
            record("q2", "reasoning", True, "infra_error"),
            record("q3", "reasoning", True, "model_error"),
        ],
    )
    assert answer_table([result]) == {"m": {("h", "q0"): True, ("h", "q3"): False}}


ARITHMETIC = frozenset({"delta", "aggregate"})
"""Spec ops of arithmetic questions (a reasoner sees the public question: no kind)."""


class Clumsy(Reasoner):
    """The scripted reasoner, but it fails a fixed share of arithmetic questions, whatever its
    memory shows (chosen by a hash of the question, so the same ones in every run)."""

    name = "clumsy"

    def __init__(self, track, share):
        self.inner = make_reasoner("scripted", track)
        self.share = share

    def answer(self, question, view):
        if question.spec.get("op") in ARITHMETIC:
            digest = hashlib.sha256(question.text.encode()).digest()
            if digest[0] < 256 * self.share:
                return "I cannot do sums"
        return self.inner.answer(question, view)


def test_a_clumsy_reasoner_lowers_raw_accuracy_not_the_isolated_score(track):
    # Ten seeds: a 10000-token window answers few arithmetic questions, so fewer seeds may hold
    # none that the clumsy reasoner fails (its raw accuracy could then not drop).
    scenarios = [track.generate(seed, "standard") for seed in range(10)]
    memories = ("none", "oracle", "full", "window:max_tokens=10000")

    def run(make):
        results = [evaluate(s, make_memory(m, track), make()) for s in scenarios for m in memories]
        return isolate(answer_table(results))

    exact = run(lambda: make_reasoner("scripted", track))
    clumsy = run(lambda: Clumsy(track, 0.6))
    window = "window:max_tokens=10000"
    assert clumsy["oracle"].accuracy < exact["oracle"].accuracy == 1.0
    assert clumsy[window].accuracy < exact[window].accuracy
    assert exact[window].ci_low <= clumsy[window].isolated <= exact[window].ci_high
    assert clumsy[window].ci_low <= exact[window].isolated <= clumsy[window].ci_high


class Leaky(Reasoner):
    """Knows every retrieval answer by heart (as if from pretraining)."""

    name = "leaky"

    def __init__(self, track, scenario):
        self.inner = make_reasoner("scripted", track)
        self.gold = {q.id: q.answer for q in scenario.questions if q.kind == "retrieval"}

    def answer(self, question, view):
        if question.id in self.gold:
            return str(self.gold[question.id])
        return self.inner.answer(question, view)


def test_closed_book_probe_flags_leaked_answers(track):
    scenario = track.generate(0, "standard")
    scripted = closed_book(scenario, make_reasoner("scripted", track))
    abstain = {(scenario.hash, q.id) for q in scenario.questions if q.kind == "abstention"}
    assert scripted == abstain  # an empty view only ever yields "unknown"
    leaky = closed_book(scenario, Leaky(track, scenario))
    retrieval = {(scenario.hash, q.id) for q in scenario.questions if q.kind == "retrieval"}
    assert retrieval and leaky == abstain | retrieval


def test_a_memory_that_answered_nothing_does_not_empty_the_others() -> None:
    """A memory whose every episode failed (an endpoint down) has an empty row: it scores NaN
    on 0 questions, and the others keep their questions (the intersection was empty for all)."""
    keys = [("h", f"q{i}") for i in range(6)]
    none = {k: i < 1 for i, k in enumerate(keys)}
    oracle = {k: True for k in keys}
    half = {k: i < 3 for i, k in enumerate(keys)}
    scores = isolate({"none": none, "oracle": oracle, "half": half, "down": {}}, resamples=200)
    assert scores["half"].questions == 6
    assert scores["half"].isolated == pytest.approx((3 - 1) / (6 - 1))
    assert scores["down"].questions == 0 and math.isnan(scores["down"].isolated)


def test_no_point_estimate_means_no_interval() -> None:
    """When the oracle gains nothing over none the score is undefined; resamples where it does
    gain gave an interval (1.0 to 1.0) beside a NaN point."""
    keys = [("h", "q0"), ("h", "q1")]
    none = {keys[0]: True, keys[1]: False}
    oracle = {keys[0]: False, keys[1]: True}
    s = {keys[0]: False, keys[1]: True}
    scores = isolate({"none": none, "oracle": oracle, "s": s}, resamples=200)
    assert math.isnan(scores["s"].isolated)
    assert math.isnan(scores["s"].ci_low) and math.isnan(scores["s"].ci_high)


def test_the_comparison_says_what_a_memory_that_failed_whole_does_to_the_others() -> None:
    from memgym.commands.comparison import Comparison

    keys = [("h", f"q{i}") for i in range(4)]
    table = {"none": {k: False for k in keys}, "oracle": {k: True for k in keys},
             "half": {k: i < 2 for i, k in enumerate(keys)}, "down": {}}  # fmt: skip
    comparison = Comparison("entities", "lite", [0], "scripted", isolate(table, resamples=50),
                            statuses={"down": {"infra_error": 4},
                                      "half": {"ok": 3, "infra_error": 1}})  # fmt: skip
    notes = comparison.notes()
    assert (
        "down: infra_error on 4/4 (its cells are empty; the others are scored without it)" in notes
    )
    assert "half: infra_error on 1/4 (left out of every memory)" in notes
    assert comparison.scores["half"].questions == 4
