"""The research track's scenarios: determinism, length control, filler, shape of the stream."""

from __future__ import annotations

import pytest

from memgym.tokens import count_tokens
from memgym.tracks import get_track, stream_events, track_names
from memgym.tracks.research.assemble import DECOY_ERRATA, QUESTION_GAP
from memgym.tracks.research.filler import filler_text
from memgym.tracks.research.params import (
    CONTENT,
    FORMER,
    LOOKALIKES,
    LOOKALIKES_PER_QUESTION,
    LOOKALIKES_SPREAD,
    hop_schedule,
)
from memgym.tracks.research.schema import FIELDS

TRACK = get_track("research")


def test_registered() -> None:
    assert "research" in track_names()
    assert TRACK.default_tier in TRACK.tiers


def test_same_seed_same_scenario_and_stream() -> None:
    a, b = TRACK.generate(11, "standard"), TRACK.generate(11, "standard")
    assert a.hash == b.hash
    assert [e.text for e in stream_events(a)] == [e.text for e in stream_events(b)]


def test_different_seeds_differ() -> None:
    hashes = {TRACK.generate(seed, "lite").hash for seed in range(8)}
    assert len(hashes) == 8


@pytest.mark.parametrize(("tier", "target"), [("lite", 10_000), ("standard", 100_000)])
def test_stream_length_within_five_percent(tier: str, target: int) -> None:
    for seed in range(3):
        scenario = TRACK.generate(seed, tier, target_tokens=target)
        events = list(stream_events(scenario))
        total = sum(count_tokens(e.text) for e in events)
        assert abs(total - target) <= 0.05 * target, (seed, total)
        assert [e.step for e in events] == list(range(len(events)))


def test_core_too_long_for_target_names_the_parameter() -> None:
    with pytest.raises(ValueError, match="target_tokens"):
        TRACK.generate(0, "hard", target_tokens=10_000)


def _world_names(scenario) -> set[str]:
    names = {f.entity for f in scenario.facts}
    names |= {str(f.value) for f in scenario.facts if isinstance(f.value, str)}
    return names


def test_filler_states_nothing_about_the_world() -> None:
    scenario = TRACK.generate(10, "lite")  # lite seeds 0-11 hold 8-17 filler pages (10: 17)
    names = _world_names(scenario)
    core = {e.step for e in scenario.events}
    filler = [e for e in stream_events(scenario) if e.step not in core]
    assert len(filler) == scenario.filler["pages"] > 10
    for event in filler:
        assert event.kind == "distractor" and event.facts == []
        assert TRACK.read(event.text) == []
        assert not any(name in event.text for name in names)
        assert not any(ch.isdigit() for ch in event.text)


def test_filler_is_a_pure_function_of_seed_and_step() -> None:
    assert filler_text(7, 3) == filler_text(7, 3)
    assert len({filler_text(7, step) for step in range(20)}) > 15


def test_event_kinds_and_pages() -> None:
    scenario = TRACK.generate(3, "standard")
    p = scenario.params
    kinds = [e.kind for e in scenario.events]
    assert kinds.count("question") == p["questions"] == len(scenario.questions)
    assert kinds.count("correction") == p["corrections"] * (1 + DECOY_ERRATA)
    # the chain's pages, the revisits at the end, and the look-alike results (documents too:
    # a memory told true kinds must not find the chain as the only pages)
    chain = sum(hop_schedule(p)) + QUESTION_GAP
    assert kinds.count("document") >= 4 * chain
    for event in scenario.events:
        if event.kind in ("document", "distractor"):
            assert event.text.startswith('Search result for "')


@pytest.mark.parametrize("tier", ["lite", "standard", "hard"])
def test_only_the_chains_errata_are_evidence_and_all_read_back(tier: str) -> None:
    """Of the errata, exactly ``corrections`` state evidence (the chain's own); the others
    correct links no question follows, each an earlier result's value, worded alike."""
    for seed in range(4):
        scenario = TRACK.generate(seed, tier)
        evidence = {f for q in scenario.questions for f in q.evidence}
        facts = scenario.fact_index()
        errata = [e for e in scenario.events if e.kind == "correction"]
        assert sum(bool(evidence & set(e.facts)) for e in errata) == scenario.params["corrections"]
        for event in errata:
            (claim,) = TRACK.read(event.text)
            (fid,) = event.facts
            assert (claim.entity, claim.attribute, claim.value) == (
                facts[fid].entity,
                facts[fid].attribute,
                str(facts[fid].value),
            )
            earlier = [
                str(facts[g].value)
                for e in scenario.events
                if e.step < event.step
                for g in e.facts
                if (facts[g].entity, facts[g].attribute) == (claim.entity, claim.attribute)
            ]
            assert earlier and claim.previous == earlier[-1] != claim.value


def test_lookalikes_search_fields_as_the_chains_pages_do() -> None:
    """A look-alike's search asks a field drawn from the chain pages about its type, so
    relation searches are about as common among look-alikes as among the chain's pages."""
    chain = lookalike = chain_rel = lookalike_rel = 0
    relations = {f.ask for f in FIELDS.values() if f.relation}
    for seed in range(6):
        scenario = TRACK.generate(seed, "lite")
        evidence = {f for q in scenario.questions for f in q.evidence}
        for event in scenario.events:
            if event.kind != "document":
                continue
            asked = event.text.split('"', 2)[1].split(" of ", 1)[0]
            if evidence & set(event.facts):
                chain += 1
                chain_rel += asked in relations
            else:
                lookalike += 1
                lookalike_rel += asked in relations
    assert chain > 50 and lookalike > 500
    assert abs(chain_rel / chain - lookalike_rel / lookalike) < 0.15


@pytest.mark.parametrize("tier", ["lite", "standard", "hard"])
def test_lookalikes_match_the_derived_estimate(tier: str) -> None:
    """Write policies size their notes by ``entities``: the look-alikes' share is about right."""
    counts = []
    for seed in range(12):
        scenario = TRACK.generate(seed, tier)
        p = scenario.params
        documented = sum(hop_schedule(p)) * (1 + p["siblings"])
        counts.append(len({f.entity for f in scenario.facts}) - documented)
    mean = sum(counts) / len(counts)
    p = TRACK.params(tier)
    per_question = LOOKALIKES_PER_QUESTION * p["spread"] // LOOKALIKES_SPREAD
    expected = LOOKALIKES + per_question * p["questions"]
    assert abs(mean - expected) <= 0.25 * expected, (counts, expected)


def test_no_question_is_answerable_from_the_last_pages() -> None:
    """The last QUESTION_GAP pages (results, errata) before a question never hold all of its
    evidence."""
    for seed, tier in [(0, "lite"), (1, "standard"), (2, "hard"), (3, "lite"), (5, "lite")]:
        for placement in ("interleaved", "end"):
            scenario = TRACK.generate(seed, tier, question_placement=placement)
            pages: list[set[str]] = []
            for event in scenario.events:
                if event.kind in ("document", "correction"):
                    pages.append(set(event.facts))
                q = event.question
                if q is not None:
                    held = set().union(*pages[-QUESTION_GAP:])
                    assert not set(q.evidence) <= held, (seed, placement, q.id)


def test_questions_ask_chains_of_two_to_six_hops() -> None:
    for seed in range(10):
        scenario = TRACK.generate(seed, "hard" if seed % 2 else "lite")
        p = scenario.params
        for q in scenario.questions:
            hops = len(q.spec["relations"]) + ("attribute" in q.spec)
            assert 2 <= hops <= p["max_hops"]
            assert q.spec["op"] == "chain"
            assert str(q.answer) not in q.text


def test_intermediate_questions_end_at_an_attribute_before_the_chain_ends() -> None:
    for seed in range(6):
        scenario = TRACK.generate(seed, "standard")
        finals = {q.spec["entity"]: q for q in scenario.questions if q.kind != "intermediate_hop"}
        for q in scenario.questions:
            if q.kind == "intermediate_hop":
                assert "attribute" in q.spec
                final = finals[q.spec["entity"]]
                assert q.spec["relations"] == final.spec["relations"][: len(q.spec["relations"])]
                assert len(q.evidence) < len(final.evidence) + ("attribute" not in final.spec)


def test_brief_mentions_errata_only_when_there_are_some() -> None:
    assert "Errata" in TRACK.generate(0, "lite").brief
    assert "Errata" not in TRACK.generate(0, "lite", corrections=0).brief


def test_length_only_changes_the_filler_plan() -> None:
    """Once the look-alikes have room (lite at its own length has not: its optional ones stop at
    ``blind.ROOM`` on every seed) and the content has
    stopped growing (hard's tasks from 100k on: ``params.GROWTH``), a longer stream differs
    from a shorter one only in its filler."""
    short = TRACK.generate(9, "lite", target_tokens=100_000)
    long = TRACK.generate(9, "lite", target_tokens=1_000_000)
    assert [e.text for e in long.events] == [e.text for e in short.events]
    assert long.filler["pages"] > 9 * short.filler["pages"]
    assert len(long.model_dump_json()) < 2 * len(short.model_dump_json())


def test_a_longer_stream_grows_its_tasks_not_its_write_budget() -> None:
    """Lite padded past standard's length has standard's tasks, past hard's hard's (each with
    its questions), the write budget lite's; shorter than its own length, lite's former shape;
    a content parameter set keeps the tier's own."""
    lite, hard = TRACK.params("lite"), TRACK.params("hard")
    standard = TRACK.params("standard")
    for target, like in ((40_000, lite), (50_000, standard), (1_000_000, hard)):
        p = TRACK.params("lite", target_tokens=target)
        assert [p[k] for k in CONTENT] == [like[k] for k in CONTENT], target
        assert p["questions"] == like["questions"] and p["write_budget"] == lite["write_budget"]
        assert p["spread"] == lite["spread"]
    short = TRACK.params("lite", target_tokens=20_000)
    assert {k: short[k] for k in FORMER["lite"]} == FORMER["lite"]
    kept = TRACK.params("lite", target_tokens=1_000_000, siblings=2)
    assert kept["tasks"] == lite["tasks"] and kept["questions"] == lite["questions"]
    scenario = TRACK.generate(3, "lite", target_tokens=100_000)
    assert sum(e.question is not None for e in scenario.events) == hard["questions"]
