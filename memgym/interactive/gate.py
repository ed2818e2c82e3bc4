"""The memory gate of an interactive track (``memgym audit``), as the stream tracks' cheat suite:
what remembering nothing earns, as a share of what remembering everything earns above doing
nothing.

On the scored tasks (those whose information arrives only in an earlier task, by how the track
builds them; tasks that need no memory are reported apart), with ``floor`` the ``noop`` agent's
share solved and ``full`` the ``context`` probe's under ``full`` history, every no-memory run (the
``context`` probe under ``none``, and each cheat of the family under ``none``) must reach at most
``GAP_SHARE`` of ``full - floor`` above the floor, and ``full`` at least ``FULL_MIN``.
"""

from __future__ import annotations

from dataclasses import dataclass

GAP_SHARE = 0.10
FULL_MIN = 0.95
WHOLE_SHARE = 0.25
"""The most a no-memory run may reach of full's gap on the whole track (scored tasks and those
reported apart together)."""


@dataclass(frozen=True)
class Gate:
    """The shares solved on the scored tasks by the floor, the ceiling and each no-memory run."""

    floor: float
    full: float
    runs: dict[str, float]
    """``none`` and each cheat: its share solved under ``none`` history."""
    share_limit: float = GAP_SHARE
    full_min: float = FULL_MIN
    label: str = "gate"

    def gap_share(self, name: str) -> float:
        """``runs[name]`` above the floor, as a share of ``full``'s gap (1.0 without a gap)."""
        gap = self.full - self.floor
        return (self.runs[name] - self.floor) / gap if gap > 0 else 1.0

    def problems(self) -> list[str]:
        """One line per failed condition (empty: the gate holds)."""
        found = []
        if self.full < self.full_min:
            found.append(
                f"{self.label}: full solves {self.full:.3f} of the scored tasks (< {self.full_min})"
            )
        for name in self.runs:
            share = self.gap_share(name)
            if share > self.share_limit:
                found.append(
                    f"{self.label}: {name} reaches {share:.1%} of full's gap above the floor "
                    f"(> {self.share_limit:.0%})"
                )
        return found
