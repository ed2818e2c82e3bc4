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


def test_an_interactive_track_scores_against_full_with_no_probe():
    """A session's tasks: no closed-book row, no oracle; ``full`` is the ceiling, and the
    interval comes from the same paired resamples of tasks."""
    answers = table(
        {
            "none": "10000000",
            "full": "11111100",
            "a": "11110000",
            "b": "10000110",
        }
    )
    result = track_score(answers, ["a", "b"], resamples=300, ceiling="full")
    # none 1, full 6: a (4-1)/(6-1), b (3-1)/(6-1); nothing leaked
    expected = ((4 - 1) / 5 + (3 - 1) / 5) / 2
    assert math.isclose(result.score, expected)
    assert result.ci_low <= result.score <= result.ci_high and result.ci_low < result.ci_high
    assert math.isclose(result.memories["b"].isolated, 2 / 5)
    assert result.memories["a"].leaked == 0 and result.memories["a"].scored == 8
    assert math.isclose(result.memories["full"].isolated, 1.0)
    # the same answers against an oracle row that equals full give the same scores
    as_oracle = track_score({**answers, "oracle": answers["full"]}, ["a", "b"], resamples=300)
    assert math.isclose(as_oracle.score, result.score)


def test_a_session_where_full_gains_nothing_is_undefined():
    """memgym serve plays noop on interactive tracks: every memory solves nothing."""
    answers = table({"none": "000", "full": "000", "a": "000"})
    result = track_score(answers, ["a"], resamples=50, ceiling="full")
    assert math.isnan(result.score) and math.isnan(result.ci_low)
