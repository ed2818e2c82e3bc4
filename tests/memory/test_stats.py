"""The ``stats`` memory: an adversarial baseline keeping only per-attribute typical values."""

from statistics import median

from memgym.claims import parse_number
from memgym.memory import make_memory
from memgym.memory.stats import TYPICAL, typical
from tests.memory.conftest import accuracy


def test_typical_is_the_median_of_numbers_and_the_mode_of_text():
    assert typical(["3", "10", "7", "1"]) == "5"  # median 5.0 of integers stays an integer
    assert parse_number(typical(["1.5", "2.5", "9.25"])) == median([1.5, 2.5, 9.25])
    assert typical(["red", "blue", "red", "green"]) == "red"


def test_the_view_names_no_entity_of_the_stream(standard, track):
    scenario = standard[0]
    memory = make_memory("stats", track)
    memory.reset(scenario.brief, scenario.params)
    for event in scenario.events:
        memory.observe(event)
    view = memory.recall(scenario.questions[0])
    note = view.messages[1].content
    claims = track.read(note)
    assert claims and {c.entity for c in claims} == {TYPICAL}  # one line about no entity
    assert len(claims) == len({c.attribute for c in claims})  # one typical value per attribute


def test_typical_values_answer_next_to_nothing(standard, track):
    for scenario in standard:
        assert accuracy(scenario, "stats", track) <= 0.05


def test_the_running_tally_gives_typical_of_every_prefix():
    import random

    from memgym.memory.stats import Tally

    rng = random.Random(7)
    pools = (["1", "2.5", "-3", "10", "7", "0", "1,200"], ["red", "blue", "7", "green"])
    for pool in pools * 20:
        tally, seen = Tally(), []
        for _ in range(rng.randint(1, 25)):
            seen.append(rng.choice(pool))
            tally.add(seen[-1])
            assert tally.typical() == typical(seen)
