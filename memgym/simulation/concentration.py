"""How concentrated a scenario's evidence is, from the gold: can a few events carry the score?

A question's evidence lies in a set of events when every fact it cites is stated by one of
them. ``concentration(scenario)`` gives the share of the scored questions (every axis but
abstention) whose evidence lies in the single best event, and in the best ``BEST_OF`` events
(chosen greedily: each pick the event that completes the most questions, ties broken by the
evidence facts it adds, so the figure is a lower bound of the true best set's). A memory that
keeps one well-chosen event answers the first share at most through what that event states; a
generator that spreads evidence keeps it small. ``memgym validate`` bounds the best event's
mean share by ``CONCENTRATION_MAX`` at the tiers of ``CONCENTRATION_TIERS``.

Filler states nothing by each track's contract, so only the scenario's core events are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from memgym.types import Scenario

CONCENTRATION_MAX = 0.10
"""The most mean share of scored questions whose evidence lies in one event (judged tiers)."""
CONCENTRATION_TIERS = ("standard", "hard")
"""The tiers where ``CONCENTRATION_MAX`` is checked (lite's few questions make a share coarse:
one question of ten is already 0.10)."""
BEST_OF = 3
"""The size of the small event set whose share is reported besides the single best event's."""


@dataclass(frozen=True)
class Concentration:
    """One scenario's shares: questions scored, best event's share, best ``BEST_OF``'s share."""

    questions: int
    best: float
    best_few: float


def concentration(scenario: Scenario) -> Concentration:
    """The scored questions' evidence concentration in ``scenario`` (module docstring)."""
    evidence = [
        frozenset(q.evidence) for q in scenario.questions if q.axis != "abstention" and q.evidence
    ]
    if not evidence:
        return Concentration(0, 0.0, 0.0)
    cited: frozenset[str] = frozenset().union(*evidence)
    each = (cited.intersection(e.facts) for e in scenario.events if e.question is None)
    stated: list[frozenset[str]] = list(dict.fromkeys(s for s in each if s))  # in order
    n = len(evidence)
    best = max((sum(need <= facts for need in evidence) for facts in stated), default=0)
    return Concentration(n, best / n, _greedy(evidence, stated) / n)


def _greedy(evidence: Sequence[frozenset[str]], stated: Sequence[frozenset[str]]) -> int:
    """Questions completed by ``BEST_OF`` events picked greedily (see the module docstring)."""
    held: frozenset[str] = frozenset()
    for _ in range(BEST_OF):
        open_needs = [need for need in evidence if not need <= held]
        if not open_needs or not stated:
            break
        pick = max(stated, key=lambda facts: _gain(held, facts, open_needs))
        held = held | pick
    return sum(need <= held for need in evidence)


def _gain(
    held: frozenset[str], facts: frozenset[str], needs: Sequence[frozenset[str]]
) -> tuple[int, int]:
    """Questions of ``needs`` that ``held`` plus ``facts`` completes, then evidence facts added."""
    union = held | facts
    return sum(need <= union for need in needs), sum(len((need & facts) - held) for need in needs)
