"""codeqa spreads its evidence: no event states the whole evidence of two scored questions, so
a memory of one well-chosen event (or a random sample that drew it) answers one at most."""

from __future__ import annotations

import pytest

from memgym.tracks import get_track
from memgym.tracks.codeqa import questions
from memgym.types import Scenario

TRACK = get_track("codeqa")


def _most_held(scenario: Scenario) -> int:
    """The most scored questions whose every evidence fact one event states."""
    needs = [set(q.evidence) for q in scenario.questions if q.axis != "abstention" and q.evidence]
    return max(
        (
            sum(need <= set(e.facts) for need in needs)
            for e in scenario.events
            if e.question is None
        ),
        default=0,
    )


@pytest.mark.parametrize(
    ("tier", "seeds"), [("lite", range(40)), ("standard", range(3)), ("hard", range(2))]
)
def test_one_event_holds_one_question_at_most(tier: str, seeds: range) -> None:
    assert questions.ONE_PER_ITEM
    held = [_most_held(TRACK.generate(seed, tier)) for seed in seeds]
    assert max(held) == 1, held


def test_without_the_rule_an_event_held_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule is what spreads lite's evidence: the same draws without it put two questions'
    evidence in one code chunk on some of these seeds."""
    monkeypatch.setattr(questions, "ONE_PER_ITEM", False)
    held = [_most_held(TRACK.generate(seed, "lite")) for seed in range(10)]
    assert max(held) >= 2, held
