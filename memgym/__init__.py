"""memgym: a long-horizon memory benchmark and training environment for LLM agents.

The public API, re-exported (imported lazily, so ``import memgym`` stays fast)::

    import memgym
    track = memgym.get_track("entities")
    scenario = track.generate(seed=0, tier="lite")
    result = memgym.evaluate(scenario,
                             memgym.make_memory("agentic:policy=strategic", track),
                             memgym.make_reasoner("scripted", track))
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "memgym.types": (
        "AnswerRecord",
        "AskedQuestion",
        "CompactionRecord",
        "EpisodeResult",
        "Event",
        "Fact",
        "GoldQuestion",
        "Question",
        "Scenario",
        "Transcript",
        "View",
    ),
    "memgym.tokens": ("count_tokens",),
    "memgym.tracks": (
        "Track",
        "fill_gaps",
        "get_track",
        "register_track",
        "stream_events",
        "track_names",
    ),
    "memgym.memory": ("Memory", "make_memory", "memory_names", "register_memory"),
    "memgym.memory.store": ("Budget", "Store"),
    "memgym.reasoners": ("Reasoner", "make_reasoner", "reasoner_names", "register_reasoner"),
    "memgym.scoring": ("is_correct", "score_answers"),
    "memgym.scoring.isolation": ("closed_book", "isolate"),
    "memgym.run.episode": ("evaluate", "run_episode", "score"),
    "memgym.envs": ("make",),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = ["__version__", *sorted(_WHERE)]  # noqa: PLE0604 (lazy exports, all names)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'memgym' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


# gymnasium.make knows memgym's ids once memgym is imported, whichever is imported first
# (memgym.envs is light: it registers now, or right after gymnasium's own import).
importlib.import_module("memgym.envs")
