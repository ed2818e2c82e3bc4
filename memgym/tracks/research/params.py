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
from memgym.tracks.checks import grown_content, shortened, tier_params

TIERS: dict[str, dict[str, Any]] = {
    "lite": {
        "tasks": 6,
        "min_hops": 2,
        "max_hops": 4,
        "siblings": 2,
        "intermediate": 2,
        "corrections": 1,
        "target_tokens": 12_000,
        "write_budget": 20,
    },
    "standard": {
        "tasks": 8,
        "min_hops": 2,
        "max_hops": 5,
        "siblings": 3,
        "intermediate": 4,
        "corrections": 2,
        "target_tokens": 30_000,
        "write_budget": 31,
    },
    "hard": {
        "tasks": 12,
        "min_hops": 3,
        "max_hops": 6,
        "siblings": 4,
        "intermediate": 6,
        "corrections": 4,
        "target_tokens": 100_000,
        "write_budget": 63,
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
always fits in a write, three to six at most, so ``write_budget`` (a little over the chain
entities a tier documents: 20 / 31 / 63 for 18 / 28 / 54) bounds how much of the graph a
budgeted memory can keep."""
DERIVED = ("entities", "questions")
CONTENT = ("tasks", "min_hops", "max_hops", "siblings", "intermediate", "corrections")
"""The research graph's size and shape. A stream longer than its tier's own length, none of
these set, takes them from the longest tier whose own length fits (``checks.grown_content``;
no count below the tier's own): lite and standard at 100,000 tokens or more have hard's tasks
(12, 3-6 hops, 4 siblings, 6 intermediate, 4 corrections), lite at 30,000 to 99,999
standard's; the write budget and the rest stay the tier's. The
questions follow the tasks (one final question each, plus the intermediate ones): lite asks 18
at 100k. Padded with filler alone, lite's ~10,000 tokens of pages were what a learned selector
chose among at 100k and 1m (it told filler apart), and 1,000 tokens answered 0.11-0.18 of them
(issue #66); hard's graph fills its 100k and passed."""
LOOKALIKES, LOOKALIKES_PER_QUESTION = 20, 20
"""Look-alike entities the entity-blind guard adds to a scenario, about (``blind.py``):
``LOOKALIKES`` plus ``LOOKALIKES_PER_QUESTION`` per question, for each question's lead before
its gold, fresh values stated once after it, lifted repeats and the fresh ones that stand in for
restatements when no earlier result is left to restate (measured means 171, 337 and 506 in lite,
standard and hard over seeds 0-11, 8, 12 and 18 questions, the gold's places 40 wide); it also
restates earlier results."""
SHORT_TOKENS, SHORT_TASKS, SHORT_BUDGET = 12_000, 4, 16
"""A lite stream shorter than ``SHORT_TOKENS`` (lite's own length), none of ``CONTENT`` set,
asks at most ``SHORT_TASKS`` tasks with a write budget of at most ``SHORT_BUDGET`` (unless set):
lite's 6 tasks (8 questions and their look-alikes) do not fit 10,000 tokens on about 1 seed in
100; its 4 tasks and budget, lite's before issue #66, always did.
Lite asks 6 tasks in 12,000 tokens (4 in 10,000 before) against the entity-blind rule
``stream_attribute_learned``: each question's look-alikes state every field, so more questions
put more values before and after every gold (a place rule holds fewer of them), and one lucky
answer moves a scenario's composite less (docs/validate.md). Its write budget grew with the
chain entities (16 for 11, 20 for 18): the strategic writer's accuracy over lite seeds 0-29 is
0.49 (0.43 before; 0.30 with 16)."""
GROWTH = (TIERS["standard"], TIERS["hard"])
"""The content a longer stream takes (``CONTENT``)."""
DOC_STYLES = ("narrative", "kv", "mixed")
PLACEMENTS = ("interleaved", "end")
MIN_HOPS, MAX_HOPS = 2, 6
MAX_TASKS = 40
MAX_SIBLINGS = 6
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
    if shortened(own, p, overrides, CONTENT, SHORT_TOKENS):
        p["tasks"] = min(p["tasks"], SHORT_TASKS)
        if "write_budget" not in overrides:
            p["write_budget"] = min(p["write_budget"], SHORT_BUDGET)
    tasks = _int("tasks", p["tasks"], 1, MAX_TASKS)
    _int("min_hops", p["min_hops"], MIN_HOPS, MAX_HOPS)
    _int("max_hops", p["max_hops"], MIN_HOPS, MAX_HOPS)
    if p["max_hops"] < p["min_hops"]:
        raise ValueError(f"max_hops ({p['max_hops']}) is below min_hops ({p['min_hops']})")
    _int("siblings", p["siblings"], 0, MAX_SIBLINGS)
    _int("intermediate", p["intermediate"], 0, tasks)
    _int("corrections", p["corrections"], 0, tasks)
    _int("target_tokens", p["target_tokens"], MIN_TOKENS, MAX_TOKENS)
    _int("write_budget", p["write_budget"], 1)
    _int("max_write_tokens", p["max_write_tokens"], 1)
    _choice("doc_style", p["doc_style"], DOC_STYLES)
    _choice("question_placement", p["question_placement"], PLACEMENTS)
    hops = hop_schedule(p)
    p["questions"] = tasks + min(p["intermediate"], sum(1 for h in hops if h >= 3))
    p["entities"] = (
        sum(hops) * (1 + p["siblings"]) + LOOKALIKES + LOOKALIKES_PER_QUESTION * p["questions"]
    )
    return {"tier": tier or DEFAULT_TIER, **p}
