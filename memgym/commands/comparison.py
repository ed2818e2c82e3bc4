"""``Comparison``: what ``memgym compare`` measured, per memory (isolated scores, view tokens,
compactions, outcomes), shared by its question-stream and interactive tables."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from memgym.scoring.isolation import IsolatedScore


@dataclass
class Comparison:
    """Per-memory isolated scores plus view tokens per question and compactions per episode."""

    track: str
    tier: str | None
    seeds: list[int]
    reasoner: str
    scores: dict[str, IsolatedScore]
    tokens_per_question: dict[str, float] = field(default_factory=dict)
    compactions_per_episode: dict[str, float] = field(default_factory=dict)
    leaked: list[str] = field(default_factory=list)
    """Scored questions answered right closed-book, as ``hash[:12]:question_id``."""
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    """memory -> answer status -> count, over its scored questions (abstention ones excepted)."""
    usage: dict[str, float] = field(default_factory=dict)
    """LLM usage of every episode, added up."""
    probe_usage: dict[str, float] = field(default_factory=dict)
    """LLM usage of the closed-book probe."""
    params: dict[str, Any] = field(default_factory=dict)
    """The ``--param`` overrides every scenario was generated with."""
    rewards: dict[str, float] = field(default_factory=dict)
    """Interactive tracks: memory -> mean task reward (the verifier's, 0 to 1)."""
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)
    """Interactive tracks: memory -> outcome class (solved, failed, model_error, ...) -> tasks."""

    @property
    def interactive(self) -> bool:
        """Whether the episodes were agent sessions (``full`` the ceiling, no closed-book probe)."""
        return bool(self.outcomes)

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json``: the settings, one row per memory (NaN as null), the LLM
        usage of the episodes and of the closed-book probe, and why any cell is empty."""
        rows = [{k: _finite(v) for k, v in row.items()} for row in self.rows()]
        names = ("track", "tier", "params", "seeds", "reasoner", "leaked")
        settings = {k: getattr(self, k) for k in names}
        usage = {"usage": self.usage, "closed_book_usage": self.probe_usage}
        if self.interactive:
            for row in rows:
                row["task_reward"] = self.rewards.get(row["memory"])
                row["outcomes"] = self.outcomes.get(row["memory"], {})
            settings = {**settings, "interactive": True, "ceiling": "full"}
            del settings["leaked"], usage["closed_book_usage"]
        return {**settings, "memories": rows, **usage, "notes": self.notes()}

    def rows(self) -> list[dict[str, Any]]:
        """One plain dict per memory, in run order (what ``--json`` prints)."""
        return [
            {
                **asdict(score),
                "tokens_per_question": self.tokens_per_question.get(name, math.nan),
                "compactions_per_episode": self.compactions_per_episode.get(name, math.nan),
                "asked": sum(self.statuses.get(name, {}).values()),
                "context_overflow": self.statuses.get(name, {}).get("context_overflow", 0),
                "infra_error": self.statuses.get(name, {}).get("infra_error", 0),
            }
            for name, score in self.scores.items()
        ]

    def notes(self) -> list[str]:
        """Why answers were lost or cells are empty: overflows and infrastructure errors per
        memory, no question common to every memory, an isolated score that is undefined."""
        lines = []
        for name, counts in self.statuses.items():
            asked = sum(counts.values())
            if n := counts.get("context_overflow", 0):
                lines.append(f"{name}: context overflow on {n}/{asked} (scored wrong)")
            if n := counts.get("infra_error", 0):
                where = (
                    "its cells are empty; the others are scored without it"
                    if n == asked
                    else "left out of every memory"
                )
                lines.append(f"{name}: infra_error on {n}/{asked} ({where})")
        first = next(iter(self.scores.values()), None)
        if first is not None and self.interactive:
            if first.questions == 0:
                lines.append("no task was verified for every memory: every cell is empty")
            elif math.isnan(self.scores.get("full", first).isolated):
                lines.append("full solves no more than none here: isolated scores are undefined")
        elif first is not None and first.questions == 0:
            lines.append("no scored question was answered by every memory: every cell is empty")
        elif first is not None and first.scored == 0:
            lines.append("every common question leaked closed-book: isolated scores are empty")
        elif first is not None and math.isnan(self.scores.get("oracle", first).isolated):
            lines.append("oracle is no better than none here: isolated scores are undefined")
        return lines


def _finite(x: Any) -> Any:
    return None if isinstance(x, float) and math.isnan(x) else x
