"""The dialogue track's ablation gates and how memory strategies fare on it."""

from __future__ import annotations

from statistics import mean

import pytest

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.tracks import get_track

TRACK = get_track("dialogue")


def _accuracy(memory: str, tier: str, seeds: range, reasoner: str = "scripted") -> float:
    results = []
    for seed in seeds:
        scenario = TRACK.generate(seed, tier)
        results.append(
            evaluate(scenario, make_memory(memory, TRACK), make_reasoner(reasoner, TRACK))
        )
    return mean(r.accuracy for r in results)


@pytest.mark.parametrize(
    ("memory", "low", "high"),
    [("oracle", 0.95, 1.0), ("none", 0.0, 0.05), ("distractors", 0.0, 0.10)],
)
def test_ablation_gates_on_ten_seeds(memory: str, low: float, high: float) -> None:
    assert low <= _accuracy(memory, "lite", range(10)) <= high


def test_gates_hold_on_a_bigger_tier() -> None:
    assert _accuracy("oracle", "standard", range(3)) >= 0.95
    assert _accuracy("distractors", "standard", range(3)) <= 0.10


def test_scripted_agentic_policies_rank_sensibly() -> None:
    perfect = _accuracy("agentic:policy=perfect", "lite", range(5))
    strategic = _accuracy("agentic:policy=strategic", "lite", range(5))
    naive = _accuracy("agentic:policy=naive", "lite", range(5))
    assert perfect >= 0.95
    # 0.90 and 0.958 before issue #66's chores in the customer's shapes (more friends' values
    # and parties to keep within the same writes): 0.82 and 0.833 since; lite 0.68 since the
    # opening lookups' people join friends' parties with a companion's details (chores._details)
    # and 0.64 with the chores' two-value share kept
    assert strategic >= 0.6
    # standard seeds 0-4: 0.633 with rosters of up to ten and with one party member to a turn
    # (issue #66; seeds 0-9 0.675 and 0.683): seeds 0-1 alone moved 0.75 -> 0.58 by luck
    assert _accuracy("agentic:policy=strategic", "standard", range(5)) >= 0.6
    assert naive < strategic - 0.3


def test_memoryless_cheats_score_nothing() -> None:
    assert _accuracy("none", "lite", range(6), "guesser") <= 0.05
    assert _accuracy("stats", "lite", range(6), "smart_guesser") <= 0.05


@pytest.mark.parametrize(
    "overrides",
    [
        {"companions": 1, "colleagues": 0, "corrections": 0, "updates": 0},
        {"corrections": 4, "updates": 4, "bookings": 3, "catalogue_size": 40, "questions": 24},
    ],
)
def test_gates_hold_at_parameter_extremes(overrides: dict) -> None:
    for seed in range(3):
        scenario = TRACK.generate(seed, "lite", **overrides)
        accuracy = {
            memory: evaluate(
                scenario, make_memory(memory, TRACK), make_reasoner("scripted", TRACK)
            ).accuracy
            for memory in ("oracle", "none", "distractors")
        }
        assert accuracy["oracle"] >= 0.95 and accuracy["none"] <= 0.05, accuracy
        assert accuracy["distractors"] <= 0.10, accuracy


def test_a_profile_that_only_grows_is_kept_whole_by_the_packed_policies() -> None:
    """With no corrections or updates nothing ever rewrites the customer's entry as a change,
    so the record must be written back when it gains attributes over later turns."""
    overrides = {"companions": 11, "colleagues": 1, "corrections": 0, "updates": 0, "bookings": 2}
    # standard's former 30,000 tokens and rosters of up to ten: this seed asks three questions
    # about the customer there
    scenario = TRACK.generate(
        16, "standard", catalogue_size=32, questions=9, target_tokens=30_000, roster=10, **overrides
    )
    memory = make_memory("agentic:policy=perfect", TRACK)
    assert evaluate(scenario, memory, make_reasoner("scripted", TRACK)).accuracy == 1.0
    # within its budget the strategic writer may run out of writes before the last catalogue
    # (the chores' records grow too) and, since the guests of friends' parties come with a
    # companion's details, before the last companions (7 of 9 profile answers right here), but
    # never loses the customer's grown record
    result = evaluate(
        scenario, make_memory("agentic:policy=strategic", TRACK), make_reasoner("scripted", TRACK)
    )
    user = next(q.spec["entity"] for q in scenario.questions if q.kind == "selection")
    about_user = {q.id for q in scenario.questions if q.spec.get("entity") == user}
    about_user -= {q.id for q in scenario.questions if q.kind == "selection"}
    mine = [a for a in result.answers if a.question_id in about_user]
    assert len(mine) >= 3 and all(a.correct for a in mine)
