import pytest

from memgym.claims import parse_notes
from memgym.query import ABSTAIN, Table, evaluate

NOTES = """\
A | x=3; kind=red; series=1, 2, 4; link=B
B | x=5 (was 4); kind=blue; series=9, 7, 8
C | x=10; kind=red; link=A
A | x=4
"""


@pytest.fixture()
def table():
    return Table.from_claims(parse_notes(NOTES))


@pytest.mark.parametrize(
    "spec, answer",
    [
        ({"op": "value", "entity": "A", "attribute": "x"}, "4"),
        ({"op": "previous", "entity": "A", "attribute": "x"}, "3"),
        ({"op": "previous", "entity": "C", "attribute": "x"}, ABSTAIN),
        ({"op": "delta", "entity": "B", "attribute": "x"}, "1"),
        (
            {"op": "aggregate", "fn": "sum", "attribute": "x", "where": [["kind", "==", "red"]]},
            "14",
        ),
        (
            {"op": "aggregate", "fn": "mean", "attribute": "x", "where": [["kind", "==", "red"]]},
            "7",
        ),
        (
            {"op": "aggregate", "fn": "count", "attribute": "x", "where": [["kind", "==", "red"]]},
            "2",
        ),
        ({"op": "compare", "entities": ["A", "B"], "attribute": "x", "direction": "min"}, "A (4)"),
        (
            {
                "op": "argmax",
                "attribute": "x",
                "where": [["kind", "==", "red"]],
                "direction": "max",
            },
            "C (10)",
        ),
        ({"op": "hop", "entity": "C", "relation": "link", "attribute": "kind"}, "red"),
        ({"op": "count", "where": [["kind", "==", "red"], ["x", ">", 5]]}, "1"),
        ({"op": "trend", "entity": "A", "attribute": "series"}, "rising (3)"),
        ({"op": "trend", "entity": "B", "attribute": "series"}, "mixed (-1)"),
        ({"op": "value", "entity": "Nobody", "attribute": "x"}, ABSTAIN),
    ],
)
def test_evaluate(table, spec, answer):
    assert evaluate(spec, table) == answer


def test_unknown_op_is_an_error(table):
    with pytest.raises(ValueError, match="unknown query op"):
        evaluate({"op": "nope"}, table)
