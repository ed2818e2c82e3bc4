from hypothesis import given
from hypothesis import strategies as st

from memgym.claims import Claim, format_number, parse_notes, parse_number, render_claims


def test_note_round_trip_with_previous_values():
    claims = [
        Claim("Vantor Labs", "revenue_musd", "45.2", "41"),
        Claim("Vantor Labs", "partner", "Quell Systems"),
        Claim("Quell Systems", "quarterly", "1.5, 2, 3.25"),
    ]
    assert parse_notes(render_claims(claims)) == claims


def test_lines_without_records_are_ignored():
    assert parse_notes("Memo: lunch is at noon.\nno pipes here") == []


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 2)))
def test_format_number_round_trips(x):
    assert abs(parse_number(format_number(x)) - x) < 1e-9
