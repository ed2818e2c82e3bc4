"""The ``chain`` query op and the scripted reasoner's hop-by-hop store search."""

from __future__ import annotations

from memgym.claims import Claim, render_claims
from memgym.memory.store import Store
from memgym.query import ABSTAIN, Table, entities_named, evaluate
from memgym.reasoners import make_reasoner
from memgym.tracks import get_track
from memgym.types import Message, Question, View

TABLE = Table.from_claims(
    [
        Claim("Mira Tolvane", "mentor", "Oren Vaskley"),
        Claim("Oren Vaskley", "employer", "Quelion Labs"),
        Claim("Quelion Labs", "founded", "1907"),
        Claim("Quelion Labs", "headquarters", "Drelmouth"),
        Claim("Mira Tolvane", "mentor", "Sara Dreton", previous="Oren Vaskley"),
        Claim("Sara Dreton", "employer", "Ambrix Works"),
    ]
)


def test_chain_follows_links_to_an_attribute_or_a_name() -> None:
    spec = {"op": "chain", "entity": "Oren Vaskley", "relations": ["employer"]}
    assert evaluate({**spec, "attribute": "founded"}, TABLE) == "1907"
    assert evaluate(spec, TABLE) == "Quelion Labs"
    longer = {"op": "chain", "entity": "Mira Tolvane", "relations": ["mentor", "employer"]}
    assert evaluate(longer, TABLE) == "Ambrix Works"  # the corrected link wins
    assert evaluate({**longer, "attribute": "founded"}, TABLE) == ABSTAIN
    assert evaluate({**spec, "relations": ["mentor"]}, TABLE) == ABSTAIN
    assert entities_named(longer) == ["Mira Tolvane"]


def _question(spec: dict) -> Question:
    return Question(id="q0", text="?", spec=spec)


def test_scripted_reasoner_follows_the_chain_through_the_store() -> None:
    track = get_track("research")
    reasoner = make_reasoner("scripted", track)
    store = Store()
    records = [
        [Claim("Mira Tolvane", "mentor", "Oren Vaskley"), Claim("Mira Tolvane", "born", "1950")],
        [Claim("Mara Tolvane", "mentor", "Sara Dreton")],  # a near miss
        [Claim("Oren Vaskley", "employer", "Quelion Labs")],
        [Claim("Oren Vasquist", "employer", "Ambrix Works")],  # a near miss
        [Claim("Quelion Labs", "headquarters", "Drelmouth")],
        [Claim("Drelmouth", "population", "48211")],
    ]
    for claims in records:
        assert store.write(render_claims(claims)).ok
    for i in range(30):  # records that merely mention the names as link values
        store.write(
            render_claims([Claim(f"Filler Person{chr(65 + i % 26)}", "employer", "Quelion Labs")])
        )
    view = View(messages=[Message(role="system", content="brief")], store=store)
    spec = {
        "op": "chain",
        "entity": "Mira Tolvane",
        "relations": ["mentor", "employer", "headquarters"],
        "attribute": "population",
    }
    assert reasoner.answer(_question(spec), view) == "48211"
    named = {k: v for k, v in spec.items() if k != "attribute"}
    assert reasoner.answer(_question(named), view) == "Drelmouth"
    broken = {**spec, "relations": ["mentor", "headquarters"]}
    assert reasoner.answer(_question(broken), view) == ABSTAIN
