"""Research scenarios are fair memory tests: oracle answers, no memory and distractors do not,
and the scripted write policies land where they should."""

from __future__ import annotations

from functools import cache
from statistics import mean

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.tracks import get_track

TRACK = get_track("research")
SEEDS = range(10)


@cache
def _scenarios():
    return tuple(
        TRACK.generate(seed, "lite", question_placement="end" if seed % 3 == 0 else "interleaved")
        for seed in SEEDS
    )


def _accuracy(memory: str, seeds: int = len(SEEDS)) -> list[float]:
    reasoner = make_reasoner("scripted", TRACK)
    scenarios = _scenarios()[:seeds]
    return [evaluate(s, make_memory(memory, TRACK), reasoner).accuracy for s in scenarios]


def test_oracle_answers_everything() -> None:
    assert min(_accuracy("oracle")) >= 0.95


def test_no_memory_answers_nothing() -> None:
    assert max(_accuracy("none")) <= 0.05


def test_distractors_alone_answer_nothing() -> None:
    assert max(_accuracy("distractors")) <= 0.10


def test_write_policies() -> None:
    perfect = _accuracy("agentic:policy=perfect", 6)
    strategic = _accuracy("agentic:policy=strategic", 6)
    naive = _accuracy("agentic:policy=naive", 6)
    assert min(perfect) == 1.0
    assert 0.5 <= mean(strategic) < 1.0
    assert mean(strategic) >= mean(naive) + 0.3


def test_full_context_answers_and_a_short_window_forgets() -> None:
    assert min(_accuracy("full", 3)) == 1.0
    assert mean(_accuracy("window:max_tokens=1000", 3)) < 0.5
