"""A protocol track's score: the mean of the strategies' isolated scores, recomputed here from
the answers by the definition, leaked questions left out, with an interval around it."""

from __future__ import annotations

import math

from memgym.protocol.score import track_score


def table(rows):
    """memory -> answers as a string of 1/0 -> the answer table over questions q0, q1, ..."""
    return {m: {("h", f"q{i}"): c == "1" for i, c in enumerate(row)} for m, row in rows.items()}


def test_the_score_is_the_mean_isolated_score_without_leaked_questions():
    answers = table(
        {
            "closed-book": "1000000000",  # q0 leaks: it is left out everywhere
            "none": "1100000000",
            "oracle": "1111111110",
            "full": "1111111100",
            "a": "1111000000",
            "b": "1000000011",
        }
    )
    result = track_score(answers, ["a", "b"], resamples=300)
    # over q1..q9: none 1, oracle 8; a 3 -> (3-1)/(8-1); b 2 -> (2-1)/(8-1)
    expected = ((3 - 1) / 7 + (2 - 1) / 7) / 2
    assert math.isclose(result.score, expected)
    assert result.ci_low <= result.score <= result.ci_high and result.ci_low < result.ci_high
    assert math.isclose(result.memories["a"].isolated, 2 / 7)
    assert result.memories["a"].leaked == 1 and "closed-book" not in result.memories


def test_memories_that_remember_nothing_score_zero():
    answers = table({"closed-book": "0000", "none": "1000", "oracle": "1111", "x": "1000"})
    result = track_score(answers, ["x"], resamples=100)
    assert result.score == 0.0 and result.ci_high == 0.0


def test_no_oracle_gain_leaves_the_score_undefined():
    answers = table({"closed-book": "00", "none": "10", "oracle": "10", "x": "11"})
    assert math.isnan(track_score(answers, ["x"], resamples=50).score)
