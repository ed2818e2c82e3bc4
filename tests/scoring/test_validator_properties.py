"""Properties: canonical golds are always accepted, values beyond tolerance always rejected."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from memgym.claims import format_number
from memgym.scoring import is_correct
from memgym.scoring.validators import ABS_FLOOR, REL_FLOOR
from memgym.types import GoldQuestion

golds = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
tolerances = st.sampled_from([0.0, 1e-6, 0.001, 0.01, 0.05, 0.2])
signs = st.sampled_from([-1.0, 1.0])
margins = st.floats(min_value=0.01, max_value=100.0)


def question(answer_type: str, answer: object, tolerance: float) -> GoldQuestion:
    return GoldQuestion(
        id="p",
        kind="aggregation",
        axis="reasoning",
        text="What is the mean revenue of the companies in Oslo?",
        spec={"op": "aggregate", "fn": "mean", "attribute": "revenue_musd", "where": []},
        answer=answer,
        answer_type=answer_type,
        tolerance=tolerance,
    )


def allowed_error(gold: float, tolerance: float) -> float:
    """The documented tolerance band: max(max(tolerance, 1e-9) * |gold|, ABS_FLOOR)."""
    return max(max(tolerance, REL_FLOOR) * abs(gold), ABS_FLOOR)


@given(golds, tolerances)
def test_canonical_gold_is_always_accepted(gold, tolerance):
    q = question("float", gold, tolerance)
    assert is_correct(q, format_number(gold))
    assert is_correct(q, f"The answer is {format_number(gold)}.")


@given(golds, tolerances, signs, margins)
def test_beyond_tolerance_is_always_rejected(gold, tolerance, sign, margin):
    off = gold + sign * allowed_error(gold, tolerance) * (1 + margin)
    assert not is_correct(question("float", gold, tolerance), repr(off))


@given(golds, tolerances, signs, margins)
def test_name_value_obeys_the_same_band(gold, tolerance, sign, margin):
    q = question("name_value", f"Vantor Labs ({format_number(gold)})", tolerance)
    assert is_correct(q, f"Vantor Labs ({format_number(gold)})")
    canonical = float(format_number(gold))
    off = canonical + sign * allowed_error(canonical, tolerance) * (1 + margin)
    assert not is_correct(q, f"Vantor Labs ({off!r})")


@given(
    st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=1, max_value=10**6)
)
def test_integers_are_exact(gold, delta):
    q = question("int", gold, 0.0)
    assert is_correct(q, format_number(gold))
    assert is_correct(q, f"{gold:,}")
    assert not is_correct(q, format_number(gold + delta))
    assert not is_correct(q, format_number(gold - delta))
