"""The swe track's parameters: tiers, defaults and validation that names the bad parameter."""

from __future__ import annotations

from typing import Any

from memgym.tracks.checks import check_int, tier_params
from memgym.tracks.swe.codebases import CODEBASES

TIERS: dict[str, dict[str, Any]] = {
    "lite": {"tasks": 3, "redo": 3, "target_tokens": 6_000},
    "standard": {"tasks": 5, "redo": 5, "target_tokens": 30_000},
    "hard": {"tasks": 8, "redo": 8, "target_tokens": 100_000},
}
DEFAULT_TIER = "lite"
DEFAULTS: dict[str, Any] = {
    "tasks": 3,
    "redo": 3,
    "target_tokens": 6_000,
    "codebase": "",
    "command_seconds": 10,
    "output_chars": 8_000,
}
"""``tasks``: fix issues in a row in one code base (one session: setup, unscored); ``redo``: the
issues after them that ask for earlier fixes again (at most one per fix, only fixes that cannot
be read in the bugged tree: the scored tasks; 0: none, the fixes scored); ``target_tokens``: the length the
gold agent's history reaches (the plan adds reads of other parts of the file until it does);
``codebase``: one of ``CODEBASES`` ("" takes seed % 8); ``command_seconds``: the wall clock
limit of one command; ``output_chars``: the longest command output an agent is shown."""
LIMITS: dict[str, tuple[int, int]] = {
    "tasks": (1, 12),
    "redo": (0, 12),
    "target_tokens": (0, 1_000_000),
    "command_seconds": (1, 300),
    "output_chars": (500, 200_000),
}


def resolve(tier: str | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """The full, validated parameter dict for ``tier`` with ``overrides`` applied."""
    p = tier_params(tier, overrides, TIERS, DEFAULTS, DEFAULT_TIER)
    for name, (low, high) in LIMITS.items():
        if isinstance(p[name], str) and p[name].isdigit():
            p[name] = int(p[name])
        check_int(name, p[name], low, high)
    if p["codebase"] and p["codebase"] not in CODEBASES:
        raise ValueError(f"codebase must be one of {', '.join(CODEBASES)}, got {p['codebase']!r}")
    return p
