"""The entities track's parameters: tiers, defaults and validation with errors that name the culprit."""

from __future__ import annotations

from typing import Any

from memgym.tracks.checks import check_choice as _choice
from memgym.tracks.checks import check_int as _int
from memgym.tracks.checks import tier_params
from memgym.tracks.entities.render import DOC_STYLES
from memgym.tracks.entities.templates import TEMPLATES

TIERS: dict[str, dict[str, Any]] = {
    "lite": {"entities": 48, "questions": 10, "write_budget": 24},
    "standard": {"entities": 60, "questions": 20, "write_budget": 30},
    "hard": {"entities": 120, "questions": 40, "write_budget": 48},
    "multi": {"entities": 60, "questions": 20, "write_budget": 30, "sessions": 3},
}
DEFAULT_TIER = "lite"
DEFAULTS: dict[str, Any] = {
    "template": None,
    "entities": 48,
    "questions": 10,
    "corrections": None,
    "updates": None,
    "write_budget": 24,
    "max_write_tokens": 200,
    "distractor_rate": 0.2,
    "doc_style": "narrative",
    "question_placement": "interleaved",
    "sessions": 1,
}
"""Every parameter and its default; ``corrections=None`` means as many as ``entities`` (so a
smaller world gets fewer: ``entities=8`` is valid in any tier), ``updates=None`` as many as
``corrections``.

Changes (``corrections`` + ``updates``) far outnumber the maintenance questions: most are
decoys, so a memory that keeps a bounded number of change events (the last or first K of a
kind) holds few of those asked about (``guard.WINDOW``).

``max_write_tokens`` is sized so one entity's full canonical note record always fits in one
write (records run 105 to 140 tokens) but two never do, so the write budget bounds how many
entities a memory can keep: half of them in lite and standard, two fifths in hard. (Hard kept a
quarter, 30 of 120, until the strategic writer's lead over the naive one, which scales with that
share, fell below validate's 0.10 under salted seeds: 0.092 / 0.095 for two of four salts.)"""
PLACEMENTS = ("interleaved", "end")
MIN_ENTITIES = 4
MAX_ENTITIES = 250
MAX_SESSIONS = 5
MAX_DISTRACTOR_RATE = 5.0
CHANGES_PER_ENTITY = 4
"""At most this many changes (corrections + updates) per entity on average: every template has
eight or more fields that may change, so some stay unchanged for updates to restate (the tiers
use two)."""


def resolve(tier: str | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """The full, validated parameter dict for ``tier`` with ``overrides`` applied (``template``
    None: chosen per seed)."""
    p = tier_params(tier, overrides, TIERS, DEFAULTS, DEFAULT_TIER)
    if p["template"] is not None and p["template"] not in TEMPLATES:
        raise ValueError(
            f"template must be one of {', '.join(sorted(TEMPLATES))} or None, got {p['template']!r}"
        )
    entities = _int("entities", p["entities"], MIN_ENTITIES, MAX_ENTITIES)
    _int("questions", p["questions"], 1)
    if p["questions"] > entities:
        raise ValueError(
            f"questions ({p['questions']}) is too many for a world of {entities} entities"
        )
    most = CHANGES_PER_ENTITY * entities
    if p["corrections"] is None:
        p["corrections"] = entities
    _int("corrections", p["corrections"], 0, most)
    if p["updates"] is None:
        p["updates"] = min(p["corrections"], most - p["corrections"])
    _int("updates", p["updates"], 0, most)
    if p["corrections"] + p["updates"] > most:
        raise ValueError(
            f"corrections + updates ({p['corrections'] + p['updates']}) exceeds "
            f"{CHANGES_PER_ENTITY} x entities ({most})"
        )
    _int("write_budget", p["write_budget"], 1)
    _int("max_write_tokens", p["max_write_tokens"], 1)
    rate = p["distractor_rate"]
    if (
        isinstance(rate, bool)
        or not isinstance(rate, (int, float))
        or not 0 <= rate <= MAX_DISTRACTOR_RATE
    ):
        raise ValueError(
            f"distractor_rate must be a number between 0 and {MAX_DISTRACTOR_RATE}, got {rate!r}"
        )
    _choice("doc_style", p["doc_style"], DOC_STYLES)
    _choice("question_placement", p["question_placement"], PLACEMENTS)
    _int("sessions", p["sessions"], 1, MAX_SESSIONS)
    return {"tier": tier or DEFAULT_TIER, **p}
