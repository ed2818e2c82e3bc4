"""Whole episodes where the model keeps making bad tool calls (broken JSON, wrong arguments, tools
it does not have), over real HTTP: each bad call is a model error, never an infrastructure one;
answers the model never gives are scored as wrong (not excluded); and the store holds exactly
what the valid calls alone would have made of it."""

import json

from memgym.memory import make_memory
from memgym.memory.agentic import budget_from_params
from memgym.memory.store import Store
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from tests.llm.canned import call, calls, canned, text

MEMORY = "agentic:policy=strategic"
NOTE = "Orvona Group | revenue_musd=120"


def entries(store):
    return [(e.id, e.text, e.tokens) for e in store.entries()]


def test_an_answerer_that_only_makes_bad_calls_scores_model_errors(track):
    scenario = track.generate(0, "lite")
    reference_memory = make_memory(MEMORY, track)
    reference = evaluate(scenario, reference_memory, make_reasoner("scripted", track))
    bad_turns = [
        calls(call("memory_search", '{"query": "Orv')),  # broken JSON
        calls(call("memory_search", '{"query": 5}'), call("memory_read", '{"id": "1"}')),
        calls(call("memory_delete", '{"id": 1}')),  # a writer's tool: unknown to the answerer
    ]
    with canned(bad_turns, cycle=True) as server:
        memory = make_memory(MEMORY, track)
        reasoner = make_reasoner(f"llm:model=m,base_url={server.base_url},max_turns=3", track)
        try:
            result = evaluate(scenario, memory, reasoner)
            requests = len(server.requests)
        finally:
            reasoner.close()
    answers = result.answers
    assert answers and all(
        a.status == "model_error" and a.error.startswith("no_answer") and not a.correct
        for a in answers
    )
    # Scored, not excluded: every scored question counts, and every one is wrong.
    assert result.status == "ok" and result.correct == 0 and result.composite == 0.0
    assert result.questions == reference.questions > 0
    usage = result.usage
    assert requests == usage["calls"] == 3 * len(answers)
    assert usage["tool_errors"] == 4 * len(answers) and usage["failed"] == 0
    # The store is the scripted policy's, untouched by the bad calls (the delete never ran).
    assert entries(memory.store) == entries(reference_memory.store) and memory.store.entries()


def test_a_writer_making_bad_calls_keeps_only_its_valid_writes(track):
    """Per event: three bad calls in one reply, one valid write, then a reply that ends it."""
    scenario = track.generate(1, "lite")
    per_event = [
        calls(
            call("memory_write", '{"text": "Orvona', "a"),  # broken JSON
            call("memory_edit", '{"id": "1", "text": "x"}', "b"),  # id must be an integer
            call("memory_write", json.dumps({"text": NOTE, "tags": ["x"]}), "c"),  # extra argument
        ),
        calls(call("memory_write", json.dumps({"text": NOTE}), "d")),
        text("Done with this event."),
    ]
    with canned(per_event, cycle=True) as server:
        memory = make_memory(f"agentic-llm:model=m,base_url={server.base_url}", track)
        try:
            result = evaluate(scenario, memory, make_reasoner("scripted", track))
            store, usage = memory.store, memory.usage()
            shown = sum(e.kind not in ("question", "session") for e in scenario.events)
            assert len(server.requests) == 3 * shown
            # What the valid writes alone make of a fresh store with the same budget.
            expected = Store(budget_from_params(scenario.params))
            for _ in range(shown):
                expected.write(NOTE)
            assert entries(store) == entries(expected) and store.writes_used == expected.writes_used
            assert store.writes_used < shown  # the budget refused the rest
            refused = expected.refusals
            assert refused == shown - store.writes_used > 0
        finally:
            memory.close()
    assert usage["tool_errors"] == 3 * shown + refused and usage["failed"] == 0
    assert result.status == "ok" and result.writes_used == expected.writes_used
    assert all(a.status == "ok" for a in result.answers)
