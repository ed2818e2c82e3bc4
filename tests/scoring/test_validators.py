"""Validators: right, wrong, near misses, wrapped answers, echoes, garbage."""

from __future__ import annotations

import pytest

from memgym.scoring import VALIDATORS, is_correct, within_tolerance
from memgym.scoring.validators import ABS_FLOOR
from memgym.types import GoldQuestion

GOLDS = {
    "int": (1234, 0.0),
    "float": (45.2, 0.01),
    "text": ("Quell Systems", 0.0),
    "set": (["Vantor Labs", "Quell Systems", "Smith and Sons"], 0.0),
    "name_value": ("Vantor Labs (45.2)", 0.01),
    "abstain": ("unknown", 0.0),
}
RIGHT = {
    "int": "1,234",
    "float": "45.2",
    "text": "Quell Systems",
    "set": "Vantor Labs, Quell Systems, Smith and Sons",
    "name_value": "Vantor Labs (45.2)",
    "abstain": "unknown",
}


@pytest.fixture
def gold_question(make_question):
    def build(answer_type: str) -> GoldQuestion:
        answer, tolerance = GOLDS[answer_type]
        return make_question(answer_type, answer, tolerance)

    return build


def test_every_answer_type_has_a_validator():
    assert set(VALIDATORS) == set(GOLDS)


@pytest.mark.parametrize("answer_type", list(GOLDS))
@pytest.mark.parametrize(
    "wrap", ["{}", "The answer is {}.", "Answer: {}", "Final answer: {}", "**{}**", "  {}.  "]
)
def test_right_answers_are_accepted_bare_or_wrapped(gold_question, answer_type, wrap):
    assert is_correct(gold_question(answer_type), wrap.format(RIGHT[answer_type]))


def test_final_answer_after_reasoning_is_what_counts(gold_question):
    reply = "Vantor Labs had 1,200 staff before.\nFinal answer: 1,234"
    assert is_correct(gold_question("int"), reply)


@pytest.mark.parametrize("answer_type", list(GOLDS))
def test_the_question_echoed_is_wrong(gold_question, answer_type):
    question = gold_question(answer_type)
    assert not is_correct(question, question.text)
    assert not is_correct(question, f"{question.text} {RIGHT[answer_type]}")


@pytest.mark.parametrize("answer_type", list(GOLDS))
@pytest.mark.parametrize("garbage", ["", "   ", ".", "???", "\x00\x01", "lorem ipsum dolor"])
def test_garbage_is_wrong(gold_question, answer_type, garbage):
    assert not is_correct(gold_question(answer_type), garbage)


@pytest.mark.parametrize("answer_type", list(GOLDS))
@pytest.mark.parametrize("answer", [None, 42, 45.2, ["unknown"], b"unknown", object()])
def test_non_string_answers_are_wrong_without_raising(gold_question, answer_type, answer):
    assert not is_correct(gold_question(answer_type), answer)


def test_a_non_question_is_wrong_without_raising():
    assert not is_correct(None, "42")  # type: ignore[arg-type]
    assert not is_correct({"answer": 42, "answer_type": "int"}, "42")  # type: ignore[arg-type]


@pytest.mark.parametrize("answer_type", [t for t in GOLDS if t != "abstain"])
@pytest.mark.parametrize(
    "abstention", ["unknown", "I don't know", "not mentioned", "N/A", "cannot be determined"]
)
def test_abstaining_is_wrong_for_every_other_type(gold_question, answer_type, abstention):
    assert not is_correct(gold_question(answer_type), abstention)


@pytest.mark.parametrize("answer_type", [t for t in GOLDS if t != "abstain"])
def test_a_hedge_carrying_the_right_value_is_wrong(gold_question, answer_type):
    hedge = f"Not mentioned, but probably {RIGHT[answer_type]}"
    assert not is_correct(gold_question(answer_type), hedge)


@pytest.mark.parametrize("gold", [None, True, float("nan"), {"a": 1}, ["1", "2"]])
@pytest.mark.parametrize("answer_type", ["int", "float", "name_value"])
def test_malformed_golds_are_wrong_without_raising(make_question, answer_type, gold):
    # model_copy skips validation, as corrupt stored data might
    question = make_question(answer_type, 0).model_copy(update={"answer": gold})
    assert not is_correct(question, "1")


def test_an_unknown_answer_type_is_wrong_without_raising(make_question):
    question = make_question("int", 42).model_copy(update={"answer_type": "colour"})
    assert not is_correct(question, "42")


class TestInt:
    @pytest.mark.parametrize(
        "answer",
        ["1234", "1,234", "1,234 employees", "about 1234 people", "1234.0", "$1,234", "1.234e3"],
    )
    def test_accepts_the_gold_in_any_numeral_form(self, make_question, answer):
        assert is_correct(make_question("int", 1234), answer)

    @pytest.mark.parametrize("answer", ["1233", "1235", "1234.5", "-1234", "12,34", "1,2340"])
    def test_rejects_near_misses(self, make_question, answer):
        assert not is_correct(make_question("int", 1234), answer)

    @pytest.mark.parametrize(
        "answer", ["1234, 1235", "1,234 or 1,300", "between 1200 and 1234", "1234 (was 1200)"]
    )
    def test_rejects_more_than_one_number(self, make_question, answer):
        assert not is_correct(make_question("int", 1234), answer)

    def test_rejects_number_words(self, make_question):
        assert not is_correct(make_question("int", 42), "forty-two")

    def test_accepts_gold_given_as_canonical_text(self, make_question):
        assert is_correct(make_question("int", "-3"), "-3")
        assert not is_correct(make_question("int", "-3"), "3")

    def test_digits_inside_words_are_not_numbers(self, make_question):
        assert is_correct(make_question("int", 7), "7 hires in Q3")


class TestFloat:
    def test_relative_tolerance_edges(self, make_question):
        question = make_question("float", 200.0, 0.01)
        assert is_correct(question, "202")
        assert is_correct(question, "198")
        assert not is_correct(question, "202.1")
        assert not is_correct(question, "197.9")

    def test_zero_tolerance_still_accepts_the_exact_value(self, make_question):
        question = make_question("float", 45.2, 0.0)
        assert is_correct(question, "45.2")
        assert is_correct(question, "45.20")
        assert not is_correct(question, "45.21")

    def test_gold_zero_uses_the_absolute_floor(self, make_question):
        question = make_question("float", 0.0, 0.05)
        assert is_correct(question, "0")
        assert is_correct(question, "-0.00")
        assert is_correct(question, str(ABS_FLOOR * 0.9))
        assert not is_correct(question, "0.01")

    @pytest.mark.parametrize("answer", ["45.2 million USD", "$45.2M", "USD 45.2 million", "4.52e1"])
    def test_accepts_units_and_currency(self, make_question, answer):
        assert is_correct(make_question("float", 45.2, 0.01), answer)

    @pytest.mark.parametrize("answer", ["45.2 (up from 41.0)", "45.2, 45.3", "41.0 -> 45.2"])
    def test_rejects_more_than_one_number(self, make_question, answer):
        assert not is_correct(make_question("float", 45.2, 0.01), answer)

    def test_negative_values_keep_their_sign(self, make_question):
        question = make_question("float", -3.5, 0.0)
        assert is_correct(question, "-3.5")
        assert is_correct(question, "\u22123.5")  # the Unicode minus sign
        assert not is_correct(question, "3.5")

    def test_within_tolerance_rejects_non_finite(self):
        assert not within_tolerance(float("inf"), 1.0, 0.1)
        assert not within_tolerance(1.0, float("nan"), 0.1)
        assert within_tolerance(1.0, 1.0, float("nan"))


class TestText:
    @pytest.mark.parametrize(
        "answer",
        [
            "Quell Systems",
            "quell systems",
            "QUELL   SYSTEMS",
            '"Quell Systems"',
            "The Quell Systems",
            "Quell Systems!",
            "\uff31uell Systems",
        ],  # fullwidth Q normalises under NFKC
    )
    def test_normalised_equality(self, make_question, answer):
        assert is_correct(make_question("text", "Quell Systems"), answer)

    @pytest.mark.parametrize(
        "answer",
        [
            "Quell",
            "Quell Systems Inc",
            "Quell Systems and Vantor Labs",
            "Quell Systems or Orrin Dynamics",
        ],
    )
    def test_not_containment(self, make_question, answer):
        assert not is_correct(make_question("text", "Quell Systems"), answer)

    def test_a_sentence_that_only_restates_is_read(self, make_question):
        """In "It is X" only filler stands before the copula: its reading is X."""
        assert is_correct(make_question("text", "Quell Systems"), "It is Quell Systems")

    def test_series_gold_matches_number_by_number(self, make_question):
        question = make_question("text", "1.5, 2, 3.25", 0.0)
        assert is_correct(question, "1.5, 2, 3.25")
        assert is_correct(question, "1.50, 2.00 and 3.25")
        assert not is_correct(question, "1.5, 2")
        assert not is_correct(question, "1.5, 2, 3.25, 4")
        assert not is_correct(question, "1.5, 2.1, 3.25")

    def test_gold_that_reads_like_an_abstention_is_still_matchable(self, make_question):
        assert is_correct(make_question("text", "No Data Corp"), "No Data Corp")


class TestSet:
    GOLD = ("Vantor Labs", "Quell Systems", "Smith and Sons")

    @pytest.mark.parametrize(
        "answer",
        [
            "Vantor Labs, Quell Systems, Smith and Sons",
            "Smith and Sons; quell systems; vantor labs",
            "Vantor Labs, Quell Systems, and Smith and Sons",
            "- Vantor Labs\n- Quell Systems\n- Smith and Sons",
            "1. Vantor Labs\n2. Quell Systems\n3. Smith and Sons",
            "Vantor Labs, Vantor Labs, Quell Systems, Smith and Sons",
        ],
    )
    def test_any_order_and_separator(self, make_question, answer):
        assert is_correct(make_question("set", list(self.GOLD)), answer)

    @pytest.mark.parametrize(
        "answer",
        [
            "Vantor Labs, Quell Systems",
            "Vantor Labs, Quell Systems, Smith and Sons, Orrin Dynamics",
            "Vantor Labs, Quell Systems, Smith, Sons",
            "Vantor Labs Quell Systems Smith and Sons",
        ],
    )
    def test_missing_extra_or_mangled_items_are_wrong(self, make_question, answer):
        assert not is_correct(make_question("set", list(self.GOLD)), answer)

    def test_empty_gold_set(self, make_question):
        question = make_question("set", [])
        assert is_correct(question, "None.")
        assert is_correct(question, "nobody")
        assert not is_correct(question, "Vantor Labs")
        assert not is_correct(question, "unknown")

    def test_none_is_wrong_when_the_set_is_not_empty(self, make_question):
        assert not is_correct(make_question("set", list(self.GOLD)), "none")


class TestNameValue:
    @pytest.mark.parametrize(
        "answer",
        [
            "Vantor Labs (45.2)",
            "vantor labs (45.2 million USD)",
            "Vantor Labs, 45.2",
            "Vantor Labs: $45.2M",
            "Vantor Labs with 45.2",
            "Vantor Labs (45.5)",
            "Vantor Labs, 45.2 (approx)",
        ],
    )
    def test_right_name_and_value(self, make_question, answer):
        assert is_correct(make_question("name_value", "Vantor Labs (45.2)", 0.01), answer)

    @pytest.mark.parametrize(
        "answer",
        [
            "Quell Systems (45.2)",
            "Vantor Labs",
            "Vantor Labs (46)",
            "Vantor Labs (45.2 vs 41.0)",
            "Vantor Labs (45.2), Quell Systems (41.0)",
            "Vantor Labs 41.0 45.2",
            "Vantor (45.2)",
            "45.2",
        ],
    )
    def test_wrong_name_wrong_value_or_many_values(self, make_question, answer):
        assert not is_correct(make_question("name_value", "Vantor Labs (45.2)", 0.01), answer)

    def test_trend_values_keep_their_sign(self, make_question):
        question = make_question("name_value", "falling (-3.5)", 0.0)
        assert is_correct(question, "falling (-3.5)")
        assert is_correct(question, "Falling, -3.5")
        assert not is_correct(question, "falling (3.5)")
        assert not is_correct(question, "rising (-3.5)")
        assert not is_correct(question, "falling")

    def test_names_with_digits(self, make_question):
        question = make_question("name_value", "Unit 7 (12)", 0.0)
        assert is_correct(question, "Unit 7 (12)")
        assert is_correct(question, "Unit 7, 12")
        assert not is_correct(question, "Unit 8 (12)")


class TestAbstain:
    @pytest.mark.parametrize(
        "answer", ["unknown", "The answer is unknown.", "I don't know", "It cannot be determined."]
    )
    def test_clean_abstentions_are_right(self, make_question, answer):
        assert is_correct(make_question("abstain", "unknown"), answer)

    @pytest.mark.parametrize(
        "answer", ["1987", "Quell Systems", "unknown, probably 1987", "none", "Unknown Labs"]
    )
    def test_committed_or_hedged_answers_are_wrong(self, make_question, answer):
        assert not is_correct(make_question("abstain", "unknown"), answer)

    def test_gold_may_be_none(self, make_question):
        assert is_correct(make_question("abstain", None), "not stated")
