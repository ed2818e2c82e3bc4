"""The codeqa track's parameters: tiers, defaults and validation that names the bad parameter."""

from __future__ import annotations

from typing import Any

from memgym.tracks.checks import check_int as _int
from memgym.tracks.checks import grown_content, shortened, tier_params

TIERS: dict[str, dict[str, Any]] = {
    "lite": {"modules": 4, "functions": 14, "constants": 24, "errors": 3, "questions": 16,
             "target_tokens": 16_000, "write_budget": 6, "body_lines": 5, "chunk_tokens": 120},
    "standard": {"modules": 6, "functions": 80, "constants": 28, "errors": 4, "questions": 20,
                 "target_tokens": 40_000, "write_budget": 11, "body_lines": 5},
    "hard": {"modules": 10, "functions": 200, "constants": 48, "errors": 6, "questions": 40,
             "target_tokens": 100_000, "write_budget": 16, "body_lines": 5},
}  # fmt: skip
DEFAULT_TIER = "lite"
DEFAULTS: dict[str, Any] = {
    "modules": 4,
    "functions": 14,
    "constants": 24,
    "errors": 3,
    "questions": 16,
    "corrections": None,
    "updates": None,
    "distractors": None,
    "target_tokens": 16_000,
    "chunk_tokens": 220,
    "body_lines": 5,
    "write_budget": 6,
    "max_write_tokens": 120,
    "question_placement": "interleaved",
    "subseed": 0,
}
"""Every parameter and its default. ``corrections`` (hotfix notes) and ``updates`` (changelog
entries) default to a quarter of the constants each, ``distractors`` to one per module.
``body_lines`` is the most plain body lines a function gets (``code.BODY``; it gets 2 fewer to
that many): more code per stated fact. ``max_write_tokens`` fits four or five canonical note
records (one function's record runs 15 to 35 tokens), so the write budget lets a note-keeping memory keep about half of the records in
lite, fewer in standard and hard. ``subseed`` > 0 draws an independent scenario for the same
seed (for audit regeneration). The resolved params also carry ``entities`` (functions + constants
+ the expected number of config-audited dependency settings: the records a note-keeping memory
may store), which write policies read; it is derived: passing it back (as in a scenario's
recorded params) is accepted only with the derived value."""
LOOKALIKES_PER_CONSTANT = 2
"""Config audits report 0 to this many times ``constants`` settings of vendored dependencies
anywhere in the stream (count drawn uniformly), each stated once, with a value no repository
constant ever has: how many values of the attribute a question asks about come after its gold
then varies widely (the gold's place counted from the end)."""
HEAD_LOOKALIKES_PER_CONSTANT = 1.5
"""And 0 to this many times ``constants`` of them before the first code chunk: how many values
come before the gold varies too (its place counted from the start)."""
CONTENT = ("modules", "functions", "constants", "errors", "body_lines")
"""The repository's size and shape: what a stream longer than its tier's own length grows
(``GROWTH``)."""
GROWTH: tuple[dict[str, Any], ...] = (TIERS["standard"], TIERS["hard"])
"""The content a longer stream takes, none of ``CONTENT`` set (``checks.grown_content``): the
longest of these whose ``target_tokens`` fits, each count no smaller than the tier's own. Lite
at 40,000 to 99,999 tokens has standard's repository (6 modules, 80 functions, 28 constants, 4
errors, 5 body lines); any tier at 100,000 tokens or more has hard's, with 200 functions. The
questions, the write budget and everything else stay the tier's. Padded with filler alone,
lite's ~10,000 tokens of code were what a learned selector chose among at 100k and 1m (it told
filler apart), and 1,000 tokens answered 0.20-0.32 of its questions (issue #66); with 96
functions at 100k still 0.057 (10 seeds): what a token budget holds is a share of the code, so
the code grows. Hard's own repository had those 96 functions, and validate's ``learned1000``
passed 0.05 on 2 of 24 fresh salted ten-seed sets (mean 0.033); with 200 its 48 constants are
spread over twice the code (each chunk defines half as many), and it scored 0.022 on the same
sets, worst 0.036 (``bench/studies/learned_members.py``). Its write budget grew with it, 11 to
16, so the strategic writer keeps about the share of the records it kept (composite 0.30 on
seeds 0-9, 0.32 before; 0.16 at 11)."""
SHORT_TOKENS, SHORT_BODY_LINES = 16_000, 2
"""A lite stream shorter than ``SHORT_TOKENS`` (lite's own length), none of ``CONTENT`` set,
has at most ``SHORT_BODY_LINES`` body lines: with lite's 5 the core passed 10,000 tokens on 26
of seeds 0-149; with 2 (lite's before issue #66) it reached 9,617 over seeds 0-199. Lite asks
16 questions in 16,000 tokens, its code in chunks of 120 tokens with 5 body lines (10 questions
in 10,000 tokens, 220-token chunks, 2 body lines before): against the entity-blind rule
``stream_attribute_learned`` the longer stream holds more look-alike values around each gold and
a lucky answer moves a scenario's composite less; the smaller chunks keep what a learned
selector's 250 tokens (1.8 % of the stream, judged now) hold to a small share of the evidence
(docs/tracks.md, "Lite's length")."""
PLACEMENTS = ("interleaved", "end")
MIN_TARGET_TOKENS = 10_000
MAX_TARGET_TOKENS = 1_000_000
LIMITS: dict[str, tuple[int, int]] = {
    "modules": (2, 20),
    "functions": (6, 200),
    "constants": (2, 120),
    "errors": (1, 12),
    "questions": (1, 200),
    "chunk_tokens": (80, 2_000),
    "body_lines": (0, 8),
    "write_budget": (1, 10_000),
    "max_write_tokens": (20, 100_000),
    "subseed": (0, 2**31),
}


def resolve(tier: str | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """The full, validated parameter dict for ``tier`` with ``overrides`` applied."""
    overrides = dict(overrides)
    restated = overrides.pop("entities", None)
    p = tier_params(tier, overrides, TIERS, DEFAULTS, DEFAULT_TIER)
    own = TIERS[tier or DEFAULT_TIER]
    p.update(grown_content(own, overrides, GROWTH, CONTENT))
    if shortened(own, p, overrides, CONTENT, SHORT_TOKENS):
        p["body_lines"] = min(p["body_lines"], SHORT_BODY_LINES)
    for name, (low, high) in LIMITS.items():
        _int(name, p[name], low, high)
    if p["modules"] > p["functions"] // 2:
        raise ValueError(f"modules ({p['modules']}) must be at most half of functions")
    if p["modules"] > p["constants"]:
        raise ValueError(f"modules ({p['modules']}) must not exceed constants ({p['constants']})")
    quarter = max(1, p["constants"] // 4)
    for name, default in (("corrections", quarter), ("updates", quarter)):
        p[name] = default if p[name] is None else _int(name, p[name], 0, p["constants"])
    if p["corrections"] + p["updates"] > p["constants"]:
        raise ValueError(
            f"corrections + updates ({p['corrections'] + p['updates']}) exceeds constants"
            f" ({p['constants']})"
        )
    if p["distractors"] is None:
        p["distractors"] = p["modules"]
    _int("distractors", p["distractors"], 0, 1_000)
    _int("target_tokens", p["target_tokens"], MIN_TARGET_TOKENS, MAX_TARGET_TOKENS)
    if p["question_placement"] not in PLACEMENTS:
        raise ValueError(
            f"question_placement must be one of {', '.join(PLACEMENTS)},"
            f" got {p['question_placement']!r}"
        )
    repository = p["functions"] + p["constants"]
    if p["questions"] > repository:
        raise ValueError(
            f"questions ({p['questions']}) is too many for a repository of {repository} functions"
            " and constants"
        )
    entities = repository + expected_settings(p["constants"])
    if restated is not None and restated != entities:
        raise ValueError(
            f"entities is derived (functions + constants + expected audited settings ="
            f" {entities}) and cannot be set to {restated!r}"
        )
    return {"tier": tier or DEFAULT_TIER, **p, "entities": entities}


def expected_settings(constants: int) -> int:
    """The mean number of dependency settings config audits report (both counts are drawn
    uniformly from 0 to their cap): records a keeper of every record also writes."""
    return round((LOOKALIKES_PER_CONSTANT + HEAD_LOOKALIKES_PER_CONSTANT) / 2 * constants)
