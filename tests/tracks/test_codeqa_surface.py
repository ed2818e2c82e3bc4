"""codeqa's surface tells no evidence apart (issue #66): decoy changes are filed against the
package's own files, and no single event states the evidence of many questions.

Both are recomputed from the generated events and the gold evidence, not from the generator's
parts (``bench/studies/learned_selector_codeqa.py`` measures what a learned selector makes of
the surface).
"""

from __future__ import annotations

import re
import statistics

import pytest

from memgym.tokens import count_tokens
from memgym.tracks import get_track
from memgym.tracks.codeqa import names
from memgym.tracks.codeqa.world import FAMILIES

TRACK = get_track("codeqa")
_FILE = re.compile(r"^# === (?P<path>[\w/]+\.py) \(part \d+ of \d+\) ===$", re.MULTILINE)
_CHANGE_PATH = re.compile(r"^(?:HOTFIX [\d.]+: |- )(?P<path>[\w/]+\.py): ", re.MULTILINE)


@pytest.mark.parametrize("tier", ["lite", "standard"])
def test_every_change_is_filed_against_a_package_file(tier: str) -> None:
    """Hotfix notes and changelog entries, the repository's and the decoys', all name a file
    the stream shows as code: no path (such as ``vendor/``) marks a decoy."""
    for seed in range(3):
        scenario = TRACK.generate(seed, tier)
        files = {m["path"] for e in scenario.events for m in _FILE.finditer(e.text)}
        changes = [e for e in scenario.events if e.kind in ("correction", "update")]
        fact = {f.id: f for f in scenario.facts}
        defined = {
            fact[i].entity for e in scenario.events if e.text.startswith("# === ") for i in e.facts
        }
        decoys = [e for e in changes if fact[e.facts[0]].entity not in defined]
        assert len(decoys) > len(changes) / 2  # most changes are decoys
        for event in changes:
            paths = {m["path"] for m in _CHANGE_PATH.finditer(event.text)}
            assert paths and paths <= files, event.text


def _best_event_share(seed: int, tier: str) -> float:
    """The share of the scored questions whose evidence lies entirely in one event, for the
    event holding the most of them."""
    scenario = TRACK.generate(seed, tier)
    step_of = {f.id: f.step for f in scenario.facts}
    scored = [q for q in scenario.questions if q.axis != "abstention"]
    alone: dict[int, int] = {}
    for q in scored:
        steps = {step_of[f] for f in q.evidence}
        if len(steps) == 1:
            step = steps.pop()
            alone[step] = alone.get(step, 0) + 1
    return max(alone.values(), default=0) / len(scored)


@pytest.mark.parametrize(("tier", "most"), [("standard", 0.10), ("hard", 0.08)])
def test_no_event_carries_many_questions(tier: str, most: float) -> None:
    """The best single event answers at most ``most`` of a scenario's scored questions on
    average (a module's header chunk stating all its constants carried 20-26 % before, and
    one well-chosen chunk then answered 3 questions of 10; ``memgym validate`` gates 0.10)."""
    seeds = range(4) if tier == "standard" else range(2)
    assert statistics.fmean(_best_event_share(s, tier) for s in seeds) <= most


def _code_facts(seed: int, **overrides: int) -> tuple[int, set[tuple[str, str, str]]]:
    """The tokens of a standard scenario's repository code chunks and what the track's reader
    reads in them."""
    scenario = TRACK.generate(seed, "standard", **overrides)
    code = [e for e in scenario.events if e.kind == "document" and _FILE.match(e.text)]
    claims = {(c.entity, c.attribute, str(c.value)) for e in code for c in TRACK.read(e.text)}
    return sum(count_tokens(e.text) for e in code), claims


def test_function_bodies_add_code_and_state_nothing() -> None:
    """Standard's plain body lines (``body_lines``) make the repository's code at least 1.5
    times as long as without them while the reader reads the very same claims in it: a token budget
    keeps a smaller share of the facts (a learned selector keeping 500 tokens of code answered
    0.069 of standard's questions before)."""
    for seed in range(2):
        plain_tokens, plain_facts = _code_facts(seed, body_lines=0)
        tokens, facts = _code_facts(seed)
        assert facts == plain_facts
        assert tokens >= 1.5 * plain_tokens


_CONST_LINE = re.compile(r"^[A-Z][A-Z0-9_]* = [\d.]+$", re.MULTILINE)
_MARKERS = re.compile(r"^# === .*$", re.MULTILINE)


@pytest.mark.parametrize("tier", ["standard", "hard"])
def test_code_without_a_constant_carries_numbers_too(tier: str) -> None:
    """A chunk that defines a constant is not the only code with a number (issue #66: the digit
    count had let a learned selector keep those chunks): most chunks that define none carry
    digits beyond their markers, and the two kinds' digit counts overlap."""
    with_const: list[int] = []
    without: list[int] = []
    for seed in range(3):
        for event in TRACK.generate(seed, tier).events:
            if not event.text.startswith("# === "):
                continue
            body = _MARKERS.sub("", event.text)
            digits = sum(c.isdigit() for c in body)
            (with_const if _CONST_LINE.search(body) else without).append(digits)
    assert with_const and without
    assert sum(d > 0 for d in without) > 0.6 * len(without)
    assert statistics.median(without) >= 0.5 * statistics.median(with_const)


_NUMBER_LINE = re.compile(r"^ *(?P<name>\w+) = [\d.]+$", re.MULTILINE)


@pytest.mark.parametrize("tier", ["standard", "hard"])
def test_code_defining_a_constant_carries_no_more_numbers(tier: str) -> None:
    """Chunks of functions carry about as many numeric settings whether they define a constant
    or not (issue #66: twice as many before, and a learned selector kept them), and a function's
    local settings are named as constants are, lower-cased, never a name the stream asks about."""
    counts: dict[bool, list[int]] = {True: [], False: []}
    for seed in range(4):
        scenario = TRACK.generate(seed, tier)
        asked = {e.lower() for q in scenario.questions if (e := q.spec.get("entity"))}
        defined = {f.entity.lower() for f in scenario.facts}
        for event in scenario.events:
            if not event.text.startswith("# === ") or "\ndef " not in event.text:
                continue
            lines = list(_NUMBER_LINE.finditer(event.text))
            counts[bool(_CONST_LINE.search(event.text))].append(len(lines))
            for line in lines:
                name = line["name"]
                if name.islower():
                    assert re.fullmatch(r"[a-z]+(?:_[a-z]+)+", name), name
                    assert name not in asked and name not in defined, name
    assert len(counts[True]) > 20 and len(counts[False]) > 20
    assert abs(statistics.fmean(counts[True]) - statistics.fmean(counts[False])) < 0.25


_CHANGED_NAME = re.compile(
    r"^(?:HOTFIX [\d.]+: |- )[\w/]+\.py: (?P<name>[A-Z][A-Z0-9_]+) ", re.MULTILINE
)


@pytest.mark.parametrize("tier", ["lite", "standard", "hard"])
def test_decoy_changes_are_named_as_constants_are(tier: str) -> None:
    """Every change note, the repository's and the decoys', names a stem of ``CONST_STEMS`` and
    a constant family's suffix (issue #66: decoys named as vendored settings were told apart by
    their words); a decoy's name is defined nowhere in the code and is no ghost an abstention
    question asks about."""
    stems = set(names.CONST_STEMS)
    suffixes = {family.suffix for family in FAMILIES}
    for seed in range(3):
        scenario = TRACK.generate(seed, tier)
        code = "\n".join(e.text for e in scenario.events if e.text.startswith("# === "))
        defined = set(re.findall(r"^([A-Z][A-Z0-9_]+) = ", code, re.MULTILINE))
        asked_absent = {
            q.spec["entity"]
            for q in scenario.questions
            if q.axis == "abstention" and "entity" in q.spec
        }
        changed = [
            m["name"]
            for e in scenario.events
            if e.kind in ("correction", "update")
            for m in _CHANGED_NAME.finditer(e.text)
        ]
        decoys = {n for n in changed if n not in defined}
        assert decoys and len(changed) > len(decoys)
        for name in changed:
            stem, suffix = name.split("_", 1)
            assert stem in stems and suffix in suffixes, name
        assert not decoys & asked_absent
