from memgym.claims import format_value
from memgym.memory.store import Store
from memgym.query import ABSTAIN
from memgym.reasoners import make_reasoner
from memgym.scoring import is_correct
from memgym.types import Message, View


def full_view(scenario, upto):
    return View(
        messages=[
            Message(role="user", content=e.text)
            for e in scenario.events[:upto]
            if e.kind != "question"
        ]
    )


def test_reading_everything_answers_every_question(track, lite):
    reasoner = make_reasoner("scripted", track)
    for scenario in lite:
        reasoner.reset(scenario.brief, scenario.params)
        for i, event in enumerate(scenario.events):
            q = event.question
            if q is None:
                continue
            answer = reasoner.answer(q, full_view(scenario, i))
            assert is_correct(q, answer), (q.kind, q.text, q.answer, answer)


def test_an_empty_view_gives_abstentions(track, lite):
    reasoner = make_reasoner("scripted", track)
    scenario = lite[0]
    reasoner.reset(scenario.brief, scenario.params)
    assert {reasoner.answer(q, View()) for q in scenario.questions} == {ABSTAIN}


def test_answers_come_from_store_search(track):
    scenario = track.generate(3, "lite", question_placement="end")
    q = next(q for q in scenario.questions if q.kind == "retrieval")
    fact = scenario.fact_index()[q.evidence[-1]]
    reasoner = make_reasoner("scripted", track)
    reasoner.reset(scenario.brief, scenario.params)
    store = Store()
    store.write(f"{fact.entity} | {fact.attribute}={format_value(fact.value)}")
    for i in range(20):
        store.write(f"Someone Else {i} | {fact.attribute}=1")
    assert is_correct(q, reasoner.answer(q, View(store=store)))
    # the same record under another name is not found
    other = Store()
    other.write(f"Not {fact.entity}x | {fact.attribute}={format_value(fact.value)}")
    assert reasoner.answer(q, View(store=other)) == ABSTAIN
