"""The cheat suite: each cheat sees only what a memoryless agent has, and scores what it should."""

from memgym.simulation.cheats import CHEATS, RECENT, learn, run_cheats, sightings, template_key
from memgym.tracks import get_track


def test_a_sighting_holds_the_public_question_and_only_the_last_events():
    track = get_track("entities")
    scenario = track.generate(0, "lite")
    seen = sightings(scenario)
    assert [g.id for g, _ in seen] == [q.id for q in scenario.questions]
    for gold, s in seen:
        assert s.question == gold.public()
        assert len(s.recent) <= RECENT and len(s.pages) <= RECENT


def test_a_cheat_that_reads_the_evidence_would_be_caught():
    """The keep-last cheats are real readers: fed a stream whose questions follow their
    evidence, they score well (so a low score means the generator is fair, not the cheat
    broken)."""
    track = get_track("entities")
    scenario = track.generate(0, "lite")
    index = scenario.fact_index()
    events = []
    for e in scenario.events:
        if e.question is not None:
            facts = [index[f] for f in e.question.evidence]
            text = "\n".join(f"{f.entity} | {f.attribute}={f.value}" for f in facts)
            events.append(e.model_copy(update={"question": None, "kind": "document", "text": text}))
        events.append(e)
    cheat = scenario.model_copy(
        update={"events": [ev.model_copy(update={"step": i}) for i, ev in enumerate(events)]}
    )
    result = run_cheats(track, cheat, {}, ["last_event"])["last_event"]
    assert result.composite > 0.5


def test_template_gold_learns_from_other_seeds_only():
    track = get_track("codeqa")
    learned = learn(track, "lite", {})
    assert learned and all(sum(c.values()) > 0 for c in learned.values())
    spec = {"op": "count", "where": [["raises", "==", "XError"]]}
    assert template_key(spec, fine=False) == template_key(
        {"op": "count", "where": [["raises", "==", "YError"]]}, fine=False
    )
    assert template_key(spec, fine=True) != template_key(
        {"op": "count", "where": [["raises", "==", "YError"]]}, fine=True
    )
    assert len(CHEATS) >= 20
