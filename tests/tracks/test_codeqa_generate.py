"""codeqa generation: determinism, real Python, length control, filler, placement."""

from __future__ import annotations

import ast
import random
import re

import pytest

from memgym.claims import format_value
from memgym.tokens import count_tokens
from memgym.tracks import get_track, stream_events
from memgym.tracks.codeqa import params as parameters
from memgym.tracks.codeqa.filler import filler_text
from memgym.tracks.codeqa.stream import source_files
from memgym.tracks.codeqa.world import build_world
from memgym.types import Scenario

TRACK = get_track("codeqa")


def _world_words(scenario: Scenario) -> set[str]:
    """Every identifier-like word that names something of the scenario's repository."""
    words = {f.entity for f in scenario.facts}
    for fact in scenario.facts:
        if isinstance(fact.value, str):
            words.update(part.strip() for part in fact.value.split(","))
    words.update(part for w in list(words) for part in w.split("."))
    return {w for w in words if w}


def test_same_seed_same_scenario_and_stream() -> None:
    a, b = TRACK.generate(5, "lite"), TRACK.generate(5, "lite")
    assert a.hash == b.hash
    assert [e.text for e in stream_events(a)] == [e.text for e in stream_events(b)]


def test_different_seeds_and_subseeds_differ() -> None:
    hashes = {TRACK.generate(s, "lite").hash for s in range(5)}
    hashes |= {TRACK.generate(0, "lite", subseed=k).hash for k in (1, 2)}
    assert len(hashes) == 7


@pytest.mark.parametrize("tier", ["lite", "standard", "hard"])
def test_every_file_and_every_chunk_compiles(tier: str) -> None:
    for seed in range(4):
        p = TRACK.params(tier)
        rng = random.Random(seed)
        files = source_files(rng, build_world(rng, p), p["body_lines"])
        assert len(files) == p["modules"] + 1  # every module and errors.py
        for source in files:
            compile(source.source, source.path, "exec")
        scenario = TRACK.generate(seed, tier)
        documents = [e for e in scenario.events if e.kind == "document"]
        chunks = [e for e in documents if not e.text.startswith("CONFIG AUDIT ")]
        assert chunks and all(e.text.startswith("# === ") for e in chunks)
        for event in chunks:
            compile(event.text, "<chunk>", "exec")


def test_generation_uses_only_its_own_rng() -> None:
    random.seed(1)
    a = TRACK.generate(9, "lite")
    random.seed(2)
    assert TRACK.generate(9, "lite").hash == a.hash


@pytest.mark.parametrize(("tier", "target"), [("lite", 10_000), ("standard", 100_000)])
def test_stream_length_within_five_percent(tier: str, target: int) -> None:
    for seed in range(2):
        scenario = TRACK.generate(seed, tier, target_tokens=target)
        events = list(stream_events(scenario))
        assert [e.step for e in events] == list(range(len(events)))
        total = sum(count_tokens(e.text) for e in events)
        assert abs(total - target) <= 0.05 * target, (seed, total)


def test_too_small_a_target_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="target_tokens"):
        TRACK.generate(0, "hard", functions=200, constants=120, target_tokens=10_000)


def test_filler_states_nothing_and_names_nothing_of_the_world() -> None:
    for seed in range(4):
        scenario = TRACK.generate(seed, "lite")
        world = _world_words(scenario)
        core = {e.step for e in scenario.events}
        fillers = [e for e in stream_events(scenario) if e.step not in core]
        assert fillers and all(e.kind == "distractor" and not e.facts for e in fillers)
        for event in fillers:
            assert TRACK.read(event.text) == []
            words = set(re.findall(r"\w+", event.text))
            assert not words & world, (seed, event.step, words & world)


def test_filler_is_a_pure_function_of_seed_and_step() -> None:
    assert filler_text(3, 0, 17) == filler_text(3, 0, 17)
    assert filler_text(3, 0, 17) != filler_text(3, 0, 18)
    assert filler_text(3, 0, 17) != filler_text(4, 0, 17)


def test_distractors_and_questions_state_no_claims_about_the_world() -> None:
    for seed in range(6):
        scenario = TRACK.generate(seed, "standard")
        entities = {f.entity for f in scenario.facts}
        quiet = [e for e in scenario.events if e.kind in ("distractor", "question")]
        assert any(e.kind == "distractor" for e in quiet)
        for event in quiet:
            assert not event.facts
            assert not [c for c in TRACK.read(event.text) if c.entity in entities]
        assert TRACK.read(scenario.brief) == []


def test_evidence_precedes_its_question() -> None:
    for placement in parameters.PLACEMENTS:
        scenario = TRACK.generate(2, "standard", question_placement=placement)
        facts = scenario.fact_index()
        for event in scenario.events:
            if event.question is not None:
                assert bool(event.question.evidence) == (event.question.kind != "abstention")
                assert all(facts[f].step < event.step for f in event.question.evidence)


def test_end_placement_asks_everything_last() -> None:
    scenario = TRACK.generate(4, "lite", question_placement="end")
    total = scenario.filler["total_steps"]
    asked = [e.step for e in scenario.events if e.question is not None]
    assert asked == list(range(total - len(asked), total))


def test_every_kind_appears_over_seeds() -> None:
    kinds = {q.kind for s in range(4) for q in TRACK.generate(s, "standard").questions}
    assert kinds == {
        "retrieval",
        "post_correction",
        "previous_value",
        "multi_hop",
        "call_chain",
        "filter_count",
        "abstention",
    }


def test_facts_use_canonical_values() -> None:
    scenario = TRACK.generate(1, "lite")
    for fact in scenario.facts:
        assert "|" not in format_value(fact.value) and ";" not in format_value(fact.value)
        if fact.attribute in ("calls", "uses", "raises"):
            assert isinstance(fact.value, str)
    for event in scenario.events:
        if event.kind == "document" and not event.text.startswith("CONFIG AUDIT "):
            ast.parse(event.text)  # code chunks (config audits are prose)


def test_ghosts_are_mentioned_but_never_defined() -> None:
    rng = random.Random(0)
    world = build_world(rng, TRACK.params("lite"))
    ghosts = world.ghost_constants + world.ghost_functions
    assert len(set(ghosts)) == 4
    scenario = TRACK.generate(0, "lite")
    entities = {f.entity for f in scenario.facts}
    texts = [e.text for e in scenario.events if e.kind == "distractor"]
    for name in ghosts:
        assert name not in entities
        assert any(name in text for text in texts)


def test_no_count_is_a_safe_constant_and_questions_wait_behind_their_evidence() -> None:
    from collections import Counter

    from memgym.tracks.codeqa.questions import QUESTION_GAP, count_support

    counts: Counter[int] = Counter()
    track = get_track("codeqa")
    support = count_support(track.params("standard")["functions"])
    for seed in range(40):  # about 80 count questions (20 seeds: 40, too few to bound a share)
        scenario = track.generate(seed, "standard")
        last: dict[str, int] = {}
        items = 0
        for event in scenario.events:
            if event.question is None:
                items += event.kind != "distractor"
                for fact in event.facts:
                    last[fact] = items
                continue
            q = event.question
            if q.evidence:
                stated = [last[f] for f in q.evidence]
                # a count waits behind the first raiser it counts (a reader of the last pages
                # misses it), any other question behind all of its evidence
                seen = min(stated) if q.kind == "filter_count" else max(stated)
                assert items - seen >= QUESTION_GAP, (seed, q.id)
            if q.kind == "filter_count":
                counts[int(q.answer)] += 1  # type: ignore[arg-type]
    assert set(counts) <= set(support) and sum(counts.values()) >= 20
    assert max(counts.values()) / sum(counts.values()) < 1 / len(support) + 0.15, counts
    # the large counts are asked too: the upper half of the support holds a fair share
    upper = sum(n for c, n in counts.items() if c > len(support) // 2)
    assert upper >= 0.3 * sum(counts.values()), counts
