"""bench/studies/rm_entities.py: the later-question oracle and the value sentences it groups rows by."""

from __future__ import annotations

from memgym.tracks import get_track
from tests.bench_scripts import load_bench_script

entities = load_bench_script("rm_entities")


def test_needed_later_is_true_only_for_evidence_of_a_question_after_the_compaction() -> None:
    scenario = get_track("entities").generate(3)
    asked = [(e.step, e.question) for e in scenario.events if e.question is not None]
    step, question = next((s, q) for s, q in asked if q.evidence)
    fact = question.evidence[0]
    cited = {f for _, q in asked for f in q.evidence}
    unused = next(f.id for f in scenario.facts if f.id not in cited)
    last_use = max(s for s, q in asked if fact in q.evidence)
    rows = [
        {"track": "entities", "seed": 3, "step": step - 1, "dropped": [{"facts": [fact]}]},
        {"track": "entities", "seed": 3, "step": last_use, "dropped": [{"facts": [fact]}]},
        {"track": "entities", "seed": 3, "step": 0, "dropped": [{"facts": [unused]}]},
        {"track": "entities", "seed": 3, "step": 0, "dropped": [{"text": "memo", "facts": []}]},
    ]
    assert entities.needed_later(rows) == [True, False, False, False]


def test_value_sentences_count_the_sentences_that_state_a_number() -> None:
    text = "Acme Ltd costs 12 units. Its founder is Ada Lane; it employs 40 people.\nNo value here."
    assert entities.value_sentences(text) == 2
    assert entities.value_sentences("Nothing to count.") == 0
