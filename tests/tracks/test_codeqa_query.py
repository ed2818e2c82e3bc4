"""The ``path`` query op and the scripted reasoner following call links through a real store."""

from __future__ import annotations

from memgym.claims import Claim
from memgym.memory.store import Budget, Store
from memgym.query import ABSTAIN, Table, entities_named, evaluate
from memgym.reasoners import make_reasoner
from memgym.scoring import is_correct
from memgym.tracks import get_track
from memgym.types import GoldQuestion, Message, View

TRACK = get_track("codeqa")
SPEC = {"op": "path", "from": "a_x", "to": "d_x", "relation": "calls"}


def _table(links: dict[str, str]) -> Table:
    return Table.from_claims(Claim(k, "calls", v) for k, v in links.items())


def test_path_is_the_shortest_chain_over_listed_links() -> None:
    table = _table({"a_x": "b_x, c_x", "b_x": "e_x", "c_x": "d_x", "e_x": "d_x"})
    assert evaluate(SPEC, table) == "a_x -> c_x -> d_x"
    assert evaluate({**SPEC, "to": "e_x"}, table) == "a_x -> b_x -> e_x"


def test_path_abstains_when_a_link_is_missing_or_the_goal_is_the_start() -> None:
    assert evaluate(SPEC, _table({"a_x": "b_x", "c_x": "d_x"})) == ABSTAIN
    assert evaluate({**SPEC, "to": "a_x"}, _table({"a_x": "b_x"})) == ABSTAIN
    assert evaluate(SPEC, Table()) == ABSTAIN


def test_path_names_its_start_for_search() -> None:
    assert entities_named(SPEC) == ["a_x"]


def test_scripted_reasoner_follows_links_through_the_store() -> None:
    with Store(Budget()) as store:
        for i in range(30):
            store.write(f"unrelated_{i} | module=pkg.other; calls=noise_{i}")
        store.write("a_x | module=pkg.m; calls=b_x")
        store.write("c_x | module=pkg.m; calls=d_x")
        store.write("b_x | module=pkg.n; calls=c_x, zed_x")
        question = GoldQuestion(
            id="q0",
            kind="call_chain",
            axis="reasoning",
            text="chain?",
            spec=SPEC,
            answer="a_x -> b_x -> c_x -> d_x",
            answer_type="text",
        )
        view = View(messages=[Message(role="system", content="brief")], store=store)
        answer = make_reasoner("scripted", TRACK).answer(question.public(), view)
    assert answer == "a_x -> b_x -> c_x -> d_x"
    assert is_correct(question, answer)
    assert not is_correct(question, "a_x -> c_x -> d_x")
