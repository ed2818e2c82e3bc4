"""The learned members of the bounded family judged over scenarios met one at a time (``memgym
audit``, which gate-generates each scenario and keeps none).

``learned_tally(track, tier, params)`` fits the learned selector for that scenario family
(``memgym.simulation.learned_selector.fitted``: its own training seeds, never an audited one)
and returns a ``LearnedTally``; ``add(scenario)`` marks the ``learned{N}`` members on it
(``bounded_family.mark``) and ``rows()`` gives each member's mean composite and held share as
``bounded.Row``s, judged as validate judges them (held at most ``BOUNDED_SHARE``).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from memgym.simulation.bounded import Row, composite
from memgym.simulation.bounded_family import Member, mark
from memgym.simulation.learned_selector import SELECTOR_BUDGETS, Selector, available, fitted
from memgym.tracks import Track, get_track
from memgym.types import Scenario


@dataclass
class LearnedTally:
    """The learned members' composites, held shares and the selector's AUROC per scenario."""

    track: Track
    selector: Selector | None
    members: tuple[Member, ...] = tuple(Member("learned", n) for n in SELECTOR_BUDGETS)
    composites: list[list[float]] = field(default_factory=list)
    """``composites[i][j]``: member ``j``'s composite on the ``i``-th scenario added."""
    held: list[list[float]] = field(default_factory=list)
    aurocs: list[float] = field(default_factory=list)

    def add(self, scenario: Scenario) -> None:
        """Mark every learned member on ``scenario``."""
        marked = mark(self.track, scenario, self.members, self.selector)
        self.composites.append(
            [
                composite(marked.axes, [bool(row[j]) for row in marked.correct])
                for j in range(len(self.members))
            ]
        )
        self.held.append([marked.share(j) for j in range(len(self.members))])
        if marked.auroc is not None:
            self.aurocs.append(marked.auroc)

    def rows(self) -> list[Row]:
        """Each member's mean composite and mean held share over the scenarios added."""
        if not self.composites:
            return []
        return [
            Row(
                m.name,
                statistics.fmean(c[j] for c in self.composites),
                statistics.fmean(h[j] for h in self.held),
            )
            for j, m in enumerate(self.members)
        ]

    def auroc(self) -> float | None:
        """The mean evidence-vs-rest AUROC of the selector's scores (None: none measured)."""
        return statistics.fmean(self.aurocs) if self.aurocs else None


def learned_tally(track: str, tier: str | None, params: Mapping[str, Any]) -> LearnedTally | None:
    """A tally for ``track``/``tier`` with ``params`` (None without scikit-learn, the ``rm``
    extra)."""
    if not available():
        return None
    selector = fitted(track, tier, tuple(sorted(params.items())))
    return LearnedTally(get_track(track), selector)
