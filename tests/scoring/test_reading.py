"""Answers written as sentences are read fairly (``memgym.scoring.reading``), and the cheats still
fail: a list of candidates, every name of the scenario, the question echoed, two numbers."""

import pytest

from memgym.memory import make_memory
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.run.episode import run_episode
from memgym.scoring import is_correct
from memgym.scoring.reading import Names, answer_names, words
from memgym.tracks import get_track
from memgym.types import GoldQuestion


def current_value(scenario, entity, attribute):
    """The gold of a value question, recomputed from the facts: the latest value stated."""
    facts = [f for f in scenario.facts if f.entity == entity and f.attribute == attribute]
    return max(facts, key=lambda f: f.step).value


def with_question(wanted, tier, **params):
    """The first seed's scenario that asks a question ``wanted`` accepts, and the question (the
    asked entity and kind are drawn per seed, so not every scenario asks every field)."""
    track = get_track("entities")
    for seed in range(50):
        scenario = track.generate(seed, tier, **params)
        for q in scenario.questions:
            if wanted(q):
                return scenario, q
    raise AssertionError("no such question in 50 seeds")


def with_value_question(words, tier, **params):
    return with_question(lambda q: q.spec["op"] == "value" and words in q.text, tier, **params)


@pytest.fixture(scope="module")
def sports():
    return with_value_question("founding year of", None)


@pytest.fixture(scope="module")
def cities():
    return with_value_question("trade partner of", "lite", template="city")


def test_the_founding_year_sentence_is_right(sports):
    sports, question = sports
    team = question.spec["entity"]
    gold = current_value(sports, team, question.spec["attribute"])
    assert question.answer == gold and isinstance(gold, int)
    names = answer_names(sports)
    assert is_correct(question, f"The founding year of {team} is {gold}.", names)
    assert not is_correct(question, f"The founding year of {team} is {gold + 1}.", names)
    assert not is_correct(question, f"It was founded in {gold} or {gold - 1}.", names)


def test_the_trade_partner_sentence_is_right(cities):
    cities, question = cities
    entity = question.spec["entity"]
    gold = current_value(cities, entity, question.spec["attribute"])
    assert question.answer == gold
    names = answer_names(cities)
    for sentence in (
        f"The trade partner of {entity} is {gold}.",
        f"{gold} is the trade partner of {entity}.",
        f"{entity} trades with {gold}.",
    ):
        assert is_correct(question, sentence, names), sentence
    others = sorted({f.entity for f in cities.facts} - {entity, gold})
    assert not is_correct(question, f"The trade partner of {entity} is {others[0]}.", names)
    assert not is_correct(question, f"{gold} or {others[0]}", names)  # several candidates
    assert not is_correct(question, ", ".join([gold, *others]), names)  # every name
    assert not is_correct(question, question.text, names)  # the question echoed
    assert not is_correct(question, f"The trade partner of {entity} is unknown.", names)


def test_the_issue_example_word_for_word():
    question = GoldQuestion(
        id="q",
        kind="retrieval",
        axis="breadth",
        text="Which city is the trade partner of Kaelford Bay?",
        spec={"op": "value", "entity": "Kaelford Bay", "attribute": "trade_partner"},
        answer="Quarwold Crossing",
        answer_type="text",
    )
    names = Names(["Kaelford Bay", "Quarwold Crossing", "Quarwold", "Ostrness Bay"])
    answer = "The trade partner of Kaelford Bay is Quarwold Crossing."
    assert is_correct(question, answer, names)
    assert is_correct(question, answer)  # the restatement alone reads it, without names
    assert not is_correct(question, "Quarwold Crossing, not Ostrness Bay", names)
    assert not is_correct(question, "Quarwold", names)  # a name inside the gold is not the gold


def test_numbers_the_question_states_do_not_count():
    question = GoldQuestion(
        id="q",
        kind="retrieval",
        axis="breadth",
        text="What was the revenue of Vantor Labs in 2023, in million USD?",
        spec={"op": "value", "entity": "Vantor Labs", "attribute": "revenue"},
        answer=45,
        answer_type="int",
    )
    assert is_correct(question, "The revenue of Vantor Labs in 2023 was 45 million USD.")
    assert is_correct(question, "Vantor Labs made 45 million USD in 2023.")
    assert not is_correct(question, "Vantor Labs made 45 or 46 million USD in 2023.")
    assert not is_correct(question, "2023")


def test_a_choice_the_question_offers_must_be_named_alone():
    sports, question = with_question(lambda q: q.kind == "comparison", None)
    name, value = question.answer.rsplit(" (", 1)
    value = value.rstrip(")")
    names = answer_names(sports)
    restated = f"{question.text.split(',')[0].removeprefix('Which has ')} is {name} ({value})"
    assert is_correct(question, restated, names), restated
    other = next(e for e in question.spec["entities"] if e != name)
    assert not is_correct(question, f"{name} or {other} ({value})", names)


class Sentences(ScriptedReasoner):
    """The scripted reasoner's answer, said in a sentence that restates the question."""

    def answer(self, question, view):
        answer = super().answer(question, view)
        spec = question.spec
        if spec["op"] != "value":
            return answer
        attribute = spec["attribute"].replace("_", " ")
        return f"Based on my records, the {attribute} of {spec['entity']} is {answer}."


class EveryName(ScriptedReasoner):
    """A cheat: every candidate name of the brief's scenario, whatever the question."""

    names = ""

    def answer(self, question, view):
        return self.names


def test_sentences_score_as_the_bare_answers_and_every_name_scores_nothing():
    track = get_track("entities")
    scenario = track.generate(1, "lite")
    bare = run_episode(scenario, make_memory("full", track), ScriptedReasoner(track))
    said = run_episode(scenario, make_memory("full", track), Sentences(track))
    assert [a.correct for a in said.answers] == [a.correct for a in bare.answers]
    assert sum(a.correct for a in bare.answers) > len(bare.answers) / 2
    cheat = EveryName(track)
    cheat.names = ", ".join(sorted({f.entity for f in scenario.facts}))
    listed = run_episode(scenario, make_memory("full", track), cheat)
    assert not any(a.correct for a in listed.answers)


def test_a_list_is_wrong_even_of_names_the_scenario_never_uses():
    """A list holding the gold fails however its other items were got: values the stream states
    about anyone, names of other scenarios (not candidates of this one), or made up; cut by
    commas, "or", slashes or line breaks, or run together. A sentence naming the gold alone,
    hedged or not, is right."""
    track = get_track("dialogue")
    scenario, question = next(
        (s, q)
        for s in (track.generate(seed, "lite") for seed in range(40))
        for q in s.questions
        if q.spec["op"] == "value" and q.spec["attribute"] == "employer"
    )
    customer = question.spec["entity"]
    gold = current_value(scenario, customer, "employer")
    assert question.answer == gold
    names = answer_names(scenario)
    elsewhere = sorted(
        {
            str(f.value)
            for seed in range(1, 20)
            for f in track.generate(seed, "lite").facts
            if f.attribute == "employer"
        }
        - {gold}
    )[:3]
    assert not any(words(e) in names.names for e in elsewhere[:2])  # not this scenario's names
    for answer in (
        gold,
        f"{customer} works at {gold}.",
        f"I believe it is {gold}",
        f"Based on my notes, the answer is {gold}",
    ):
        assert is_correct(question, answer, names), answer
    for answer in (
        ", ".join([gold, *elsewhere]),
        f"{gold} or {elsewhere[0]}",
        f"{elsewhere[0]} / {gold}",
        f"{gold}\n{elsewhere[1]}",
        f"{customer} works at {gold} and maybe {elsewhere[0]}",
        f"{gold} {elsewhere[0]}",
        f"{gold}, Acme Nonsense Ltd, Foo Bar",
    ):
        assert not is_correct(question, answer, names), answer


def test_an_answer_from_notes_is_read_like_one_from_records(sports):
    """ "Based on my notes, the answer is X (v)" reads as "Based on my records, ...": a
    name-and-value gold stated after a restating preamble is right."""
    sports, _ = sports
    _, question = with_question(lambda q: q.answer_type == "name_value", None)
    names = answer_names(sports)
    for source in ("records", "notes"):
        answer = f"Based on my {source}, the answer is {question.answer}"
        assert is_correct(question, answer, names), answer
