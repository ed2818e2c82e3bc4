"""The dialogue reader: every stated fact is read back, and nothing else is."""

from __future__ import annotations

from memgym.claims import Claim, format_value, render_claims
from memgym.query import Table, evaluate
from memgym.tracks import get_track
from memgym.tracks.dialogue.catalogue import OUTBOUND

TRACK = get_track("dialogue")


def test_every_fact_an_event_states_is_read_back_from_its_text() -> None:
    for seed in range(8):
        scenario = TRACK.generate(seed, "standard")
        facts = scenario.fact_index()
        for event in scenario.events:
            read = {(c.entity, c.attribute, c.value) for c in TRACK.read(event.text)}
            for fid in event.facts:
                f = facts[fid]
                assert (f.entity, f.attribute, format_value(f.value)) in read, (seed, event.text)


def test_corrections_carry_the_replaced_value() -> None:
    scenario = TRACK.generate(1, "standard", corrections=4, updates=0)
    corrections = [e for e in scenario.events if e.kind == "correction"]
    assert len([e for e in corrections if e.facts]) == 4  # the customer's (chores state none)
    for event in corrections:
        claims = TRACK.read(event.text)
        assert len(claims) == 1 and claims[0].previous not in (None, claims[0].value)


def test_questions_brief_and_customer_prose_state_nothing() -> None:
    scenario = TRACK.generate(4, "lite")
    assert TRACK.read(scenario.brief) == []
    for q in scenario.questions:
        assert TRACK.read(q.text) == []
    for event in scenario.events:
        if event.text.startswith("User:"):  # a chore is the agent's turn alone
            user_turn = event.text.split("\nAgent:")[0]
            assert TRACK.read(user_turn) == []


def test_colleague_chat_is_read_but_about_someone_else() -> None:
    scenario = TRACK.generate(2, "standard")
    user = scenario.questions[0].spec["entity"]
    near = [e for e in scenario.events if e.kind == "distractor"]
    assert near
    claims = [c for e in near for c in TRACK.read(e.text)]
    assert claims and all(c.entity != user for c in claims)


def test_note_lines_round_trip() -> None:
    claims = [
        Claim("Maya Okafor", "destination", "Oslo", "Bergen"),
        Claim("AX123", "fare_usd", "640"),
    ]
    assert TRACK.read(render_claims(claims)) == claims


def test_select_op_needs_every_wish_and_exactly_one_fit() -> None:
    rules = [list(r) for r in OUTBOUND.rules]
    spec = {"op": "select", "entity": "U", "where": [["catalogue", "==", "S1"]], "match": rules}
    wishes = {
        "home_city": "Porto",
        "destination": "Oslo",
        "travel_date": "2027-04-01",
        "cabin": "economy",
        "max_stops": "1",
        "max_price_usd": "500",
    }
    flight = {
        "catalogue": "S1",
        "from_city": "Porto",
        "to_city": "Oslo",
        "day": "2027-04-01",
        "cabin_class": "economy",
        "stops": "1",
        "fare_usd": "500",
    }
    claims = [Claim("U", a, v) for a, v in wishes.items()]
    claims += [Claim("AX1", a, v) for a, v in flight.items()]
    claims += [Claim("AX2", a, v) for a, v in {**flight, "fare_usd": "510"}.items()]
    claims += [Claim("AX3", a, v) for a, v in {**flight, "catalogue": "S2"}.items()]
    assert evaluate(spec, Table.from_claims(claims)) == "AX1"
    loose = claims + [Claim("U", "max_price_usd", "600")]
    assert evaluate(spec, Table.from_claims(loose)) == "unknown"  # two fit
    partial = [c for c in claims if c.attribute != "max_stops"]
    assert evaluate(spec, Table.from_claims(partial)) == "unknown"


def test_the_colleague_search_is_a_distractor_under_its_own_tag() -> None:
    scenario = TRACK.generate(6, "standard")
    asked = {q.spec["where"][0][2] for q in scenario.questions if q.spec["op"] == "select"}
    side = [e for e in scenario.events if e.kind == "distractor" and "catalogue=" in e.text]
    assert len(side) == 1 and side[0].facts == []
    tags = {c.value for c in TRACK.read(side[0].text) if c.attribute == "catalogue"}
    assert len(tags) == 1 and not tags & asked
    changes = [e for e in scenario.events if e.kind in ("correction", "update") and e.facts]
    assert side[0].step > max(e.step for e in changes)  # the customer's (the chores' tail after)
