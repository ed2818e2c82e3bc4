"""The research track's parameters: tiers, defaults and validation with errors naming the culprit.

``entities`` and ``questions`` are derived (documented entities, the entity-blind guard's
look-alikes included, and questions asked), not set:
write policies read them to size their notes. Hop counts follow a fixed schedule over the tasks
(``min_hops``, ``min_hops + 1``, ... cycling to ``max_hops``), so both are exact per params.
"""

from __future__ import annotations

from typing import Any

from memgym.tracks.checks import check_choice as _choice
from memgym.tracks.checks import check_int as _int
from memgym.tracks.checks import grown_content, tier_params

TIERS: dict[str, dict[str, Any]] = {
    "lite": {
        "tasks": 6,
        "min_hops": 2,
        "max_hops": 4,
        "siblings": 2,
        "intermediate": 4,
        "corrections": 3,
        "target_tokens": 30_000,
        "write_budget": 50,
        "spread": 100,
    },
    "standard": {
        "tasks": 8,
        "min_hops": 2,
        "max_hops": 5,
        "siblings": 3,
        "intermediate": 4,
        "corrections": 3,
        "target_tokens": 50_000,
        "write_budget": 80,
        "spread": 100,
    },
    "hard": {
        "tasks": 12,
        "min_hops": 3,
        "max_hops": 6,
        "siblings": 4,
        "intermediate": 6,
        "corrections": 4,
        "target_tokens": 100_000,
        "write_budget": 120,
        "spread": 100,
    },
}
DEFAULT_TIER = "lite"
DEFAULTS: dict[str, Any] = {
    **TIERS[DEFAULT_TIER],
    "max_write_tokens": 100,
    "doc_style": "mixed",
    "question_placement": "interleaved",
}
"""Every settable parameter and its default: the default tier's values, and three more.

``tasks``: research tasks, each a chain ending in a final question; ``min_hops``/``max_hops``:
facts a chain needs (2..6); ``siblings``: near-miss results per page; ``intermediate``: tasks
that also get a question on a prefix of their chain (only chains of 3+ hops have one);
``corrections``: chain links stated wrong and fixed by a later erratum; ``target_tokens``: the
whole stream's length (±5 %); ``max_write_tokens``: one entity's note record (16 to 32 tokens)
always fits in a write, three to six at most, so ``write_budget`` (50 / 80 / 120 for the 18 /
28 / 54 chain entities the tiers document among many more look-alikes) bounds how much of the
graph a budgeted memory can keep; ``spread``: the width of each gold's drawn places among its
field's values (the entity-blind guard, ``blind.py``), 100 in every tier."""
DERIVED = ("entities", "questions")
CONTENT = ("tasks", "min_hops", "max_hops", "siblings", "intermediate", "corrections")
"""The research graph's size and shape. A stream longer than its tier's own length, none of
these set, takes them from the longest tier whose own length fits (``checks.grown_content``;
no count below the tier's own): lite and standard at 100,000 tokens or more have hard's tasks
(12, 3-6 hops, 4 siblings, 6 intermediate, 4 corrections), lite at 50,000 to 99,999
standard's; the write budget and the rest stay the tier's. The
questions follow the tasks (one final question each, plus the intermediate ones): lite asks 18
at 100k. Padded with filler alone, lite's ~10,000 tokens of pages were what a learned selector
chose among at 100k and 1m (it told filler apart), and 1,000 tokens answered 0.11-0.18 of them
(issue #66); hard's graph fills its 100k and passed."""
LOOKALIKES, LOOKALIKES_PER_QUESTION, LOOKALIKES_SPREAD = 20, 20, 40
"""Look-alike entities the entity-blind guard adds to a scenario, about (``blind.py``):
``LOOKALIKES`` plus ``LOOKALIKES_PER_QUESTION`` per question at a ``spread`` of
``LOOKALIKES_SPREAD``, and in proportion to it (50 at 100), for each question's lead before its
gold, fresh values stated once after it, lifted repeats and the fresh ones that stand in for
restatements when no earlier result is left to restate (measured means 446, 635 and 959 in
lite, standard and hard over seeds 0-7, 10, 12 and 18 questions, places 100 wide); it also
restates earlier results."""
SHORT_TOKENS, SHORT_TASKS, SHORT_BUDGET = 12_000, 4, 16
"""A lite stream shorter than ``SHORT_TOKENS``, none of ``CONTENT`` set, asks at most
``SHORT_TASKS`` tasks with a write budget of at most ``SHORT_BUDGET`` (unless set): lite's 6
tasks (8 questions and their look-alikes) do not fit 10,000 tokens on about 1 seed in 100; its 4
tasks and budget, lite's before issue #66, always did. Its write budget grew with the chain
entities (16 for 11, 20 for 18)."""
FORMER: dict[str, dict[str, Any]] = {
    "lite": {"intermediate": 2, "corrections": 1, "write_budget": 20, "spread": 40},
    "standard": {"corrections": 2, "write_budget": 31, "spread": 40},
    "hard": {"write_budget": 63, "spread": 40},
}
"""Each tier's shape before issue #66's last turn, which a stream shorter than the tier's own
length takes (each value unless set; the content values only when none of ``CONTENT`` is):
lite's and standard's gold places 100 wide need their own 30,000 and 50,000 tokens (their
look-alike results take about 20,000 and 33,000 of them); their former 12,000 and 30,000 held
places 40 wide.

Lite and standard grew against the entity-blind rule ``stream_attribute_learned``, which holds
about one gold in the spread plus one: at 40 it averaged 0.025 and 0.022 over 240 ten-seed sets
and passed 0.05 on 23 and 8 of them; at 100 (lite 6 tasks, 4 intermediate questions and 3
corrections in 30,000 tokens; standard 3 corrections in 50,000) 0.011 and 0.006, and on none of
the 240 (docs/validate.md). The composite weighs each axis alike, so a lucky answer to lite's
one post-correction question moved a scenario by 0.275; with about three questions per axis it
moves it by about 0.1. Their write budgets grew with the look-alikes: the scripted strategic
writer keeps every entity it meets until its budget is spent."""
GROWTH = (TIERS["standard"], TIERS["hard"])
"""The content a longer stream takes (``CONTENT``)."""
DOC_STYLES = ("narrative", "kv", "mixed")
PLACEMENTS = ("interleaved", "end")
MIN_HOPS, MAX_HOPS = 2, 6
MAX_TASKS = 40
MAX_SIBLINGS = 6
MAX_SPREAD = 200
MIN_TOKENS, MAX_TOKENS = 10_000, 1_000_000


def hop_schedule(p: dict[str, Any]) -> list[int]:
    """Hops of each task, in task order before shuffling."""
    span = p["max_hops"] - p["min_hops"] + 1
    return [p["min_hops"] + i % span for i in range(p["tasks"])]


def resolve(tier: str | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """The full, validated parameter dict for ``tier`` with ``overrides`` applied (``entities``
    and ``questions`` derived)."""
    derived = [key for key in overrides if key in DERIVED]
    if derived:
        raise ValueError(
            f"{derived[0]} is derived from tasks, hops and siblings; set those instead"
        )
    p = tier_params(tier, overrides, TIERS, DEFAULTS, DEFAULT_TIER)
    own = TIERS[tier or DEFAULT_TIER]
    p.update(grown_content(own, overrides, GROWTH, CONTENT))
    content_set = any(key in overrides for key in CONTENT)
    if p["target_tokens"] < own["target_tokens"]:
        for key, value in FORMER[tier or DEFAULT_TIER].items():
            if key not in overrides and not (key in CONTENT and content_set):
                p[key] = min(p[key], value)
    if own is TIERS["lite"] and p["target_tokens"] < SHORT_TOKENS and not content_set:
        p["tasks"] = min(p["tasks"], SHORT_TASKS)
        if "write_budget" not in overrides:
            p["write_budget"] = min(p["write_budget"], SHORT_BUDGET)
    tasks = _int("tasks", p["tasks"], 1, MAX_TASKS)
    for key in ("intermediate", "corrections"):  # a default count never exceeds a set ``tasks``
        if key not in overrides and isinstance(p[key], int):
            p[key] = min(p[key], tasks)
    _int("min_hops", p["min_hops"], MIN_HOPS, MAX_HOPS)
    _int("max_hops", p["max_hops"], MIN_HOPS, MAX_HOPS)
    if p["max_hops"] < p["min_hops"]:
        raise ValueError(f"max_hops ({p['max_hops']}) is below min_hops ({p['min_hops']})")
    _int("siblings", p["siblings"], 0, MAX_SIBLINGS)
    _int("intermediate", p["intermediate"], 0, tasks)
    _int("corrections", p["corrections"], 0, tasks)
    _int("target_tokens", p["target_tokens"], MIN_TOKENS, MAX_TOKENS)
    _int("write_budget", p["write_budget"], 1)
    _int("spread", p["spread"], 0, MAX_SPREAD)
    _int("max_write_tokens", p["max_write_tokens"], 1)
    _choice("doc_style", p["doc_style"], DOC_STYLES)
    _choice("question_placement", p["question_placement"], PLACEMENTS)
    hops = hop_schedule(p)
    p["questions"] = tasks + min(p["intermediate"], sum(1 for h in hops if h >= 3))
    per_question = LOOKALIKES_PER_QUESTION * p["spread"] // LOOKALIKES_SPREAD
    p["entities"] = sum(hops) * (1 + p["siblings"]) + LOOKALIKES + per_question * p["questions"]
    return {"tier": tier or DEFAULT_TIER, **p}
