"""``bench/studies/evidence_surface.py``: evidence against the rest by opening and place."""

from __future__ import annotations

import pytest

from memgym.simulation.learned_selector import Stream, read_stream
from memgym.tracks import get_track
from tests.bench_scripts import load_bench_script

study = load_bench_script("evidence_surface")


def test_openings_keep_a_searchs_field_and_mask_the_rest() -> None:
    assert study.opening('Search result for "mentor of Ira Vel":\nIra Vel ...') == (
        'Search result for "mentor of N":'
    )
    assert study.opening("Erratum to an earlier search result: A's mentor is B, not C.") == (
        "Erratum to an earlier search result"
    )
    assert study.opening("Room 12 was painted blue today") == "Room 0 was painted blue"


def test_shares_are_per_side_and_places_are_tenths() -> None:
    stream = Stream(
        texts=['Search result for "venue of X":', 'Search result for "year of Y":', "Erratum: z"],
        tokens=[10, 10, 10],
        places=[0.0, 0.35, 0.95],
        labels=[True, False, True],
    )
    table, n_ev, n_rest = study.shares([stream])
    assert (n_ev, n_rest) == (2, 1)
    assert table['Search result for "venue of N":'] == (0.5, 0.0)
    assert table['Search result for "year of N":'] == (0.0, 1.0)
    assert table["Erratum"] == (0.5, 0.0)
    assert table["place=0"] == (0.5, 0.0) and table["place=3"] == (0.0, 1.0)
    assert table["place=9"] == (0.5, 0.0)


def test_on_research_lite_errata_are_evidence_and_not() -> None:
    """The finding the study reports (docs/validate.md): errata state evidence and not, at
    shares within a factor of 3 of each other; recomputed from the gold, not copied."""
    track = get_track("research")
    streams = [read_stream(track.generate(s, "lite")) for s in range(3)]
    table, n_ev, n_rest = study.shares(streams)
    labels = [
        label
        for st in streams
        for text, label in zip(st.texts, st.labels, strict=True)
        if text.startswith("Erratum")
    ]
    evidence, rest = sum(labels) / n_ev, (len(labels) - sum(labels)) / n_rest
    assert table["Erratum to an earlier search result"] == (
        pytest.approx(evidence),
        pytest.approx(rest),
    )
    assert evidence > 0 and rest > 0 and 1 / 3 < evidence / rest < 3
