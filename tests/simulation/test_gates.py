"""Ablation gates and deterministic regeneration (memgym.simulation.gates)."""

from __future__ import annotations

import pytest

from memgym.simulation.gates import Gates, ablation_result, check, generate_gated, subseed
from memgym.tracks import get_track, track_names
from tests.tracks.toy_gates import NAME, ToyGatesTrack, ToySubseedTrack

TOY = ToyGatesTrack()


def test_a_sound_scenario_passes_with_the_expected_accuracies():
    report = check(TOY, TOY.generate(1))
    assert report.passed, report.failures
    assert report.accuracy == {"oracle": 1.0, "none": 0.0, "distractors": 0.0}
    assert report.questions == 4 and report.seed == 1


@pytest.mark.parametrize(
    ("knob", "failed"),
    [
        ("leak_rate", {"distractors"}),
        ("guess_rate", {"none", "distractors"}),
        ("wrong_rate", {"oracle"}),
    ],
)
def test_each_broken_scenario_fails_exactly_its_gates(knob, failed):
    report = check(TOY, TOY.generate(1, **{knob: 1.0}))
    assert not report.passed
    assert {f.split()[0] for f in report.failures} == failed


def test_thresholds_are_respected_and_validated():
    scenario = TOY.generate(2, leak_rate=1.0)
    assert check(TOY, scenario, Gates(distractors_max=1.0)).passed
    with pytest.raises(ValueError, match="oracle_min"):
        Gates(oracle_min=1.5)


def test_subseeds_are_deterministic_distinct_and_start_at_the_seed():
    assert subseed(7, 0) == 7
    seeds = [subseed(s, k) for s in range(50) for k in range(1, 10)]
    assert seeds == [subseed(s, k) for s in range(50) for k in range(1, 10)]
    assert len(set(seeds)) == len(seeds) and not set(seeds) & set(range(10_000))
    with pytest.raises(ValueError, match="attempt"):
        subseed(1, -1)


def test_regeneration_rejects_leaky_scenarios_and_is_deterministic():
    runs = [[generate_gated(TOY, s, leak_rate=0.5) for s in range(8)] for _ in range(2)]
    first, second = runs
    assert [g.scenario.hash for g in first] == [g.scenario.hash for g in second]
    assert all(g.accepted for g in first)
    regenerated = [g for g in first if g.rejected]
    assert regenerated, "with leak_rate 0.5 some seed needs a second try"
    for g in regenerated:
        assert [r.seed for r in g.rejected] == [subseed(g.seed, k) for k in range(len(g.rejected))]
        assert g.scenario.seed == subseed(g.seed, len(g.rejected))
        assert all("distractors" in r.failures[0] for r in g.rejected)
        # the kept scenario is exactly what the track generates from its recorded seed
        assert g.scenario.hash == TOY.generate(g.scenario.seed, leak_rate=0.5).hash
    clean = [g for g in first if not g.rejected]
    assert all(g.scenario.hash == TOY.generate(g.seed, leak_rate=0.5).hash for g in clean)


def test_giving_up_returns_the_last_attempt_and_counts_it():
    gated = generate_gated(TOY, 3, max_tries=3, wrong_rate=1.0)
    assert not gated.accepted and gated.generated == 3 and len(gated.rejected) == 2
    assert gated.scenario.seed == subseed(3, 2)
    with pytest.raises(ValueError, match="max_tries"):
        generate_gated(TOY, 3, max_tries=0)


def test_none_and_oracle_skip_filler_distractors_and_the_cut_full_memory_stream_it():
    scenario = TOY.generate(4, target_tokens=20_000)
    assert scenario.filler
    assert ablation_result(TOY, scenario, "none").tokens_observed < 1_000
    streamed = ablation_result(TOY, scenario, "distractors").tokens_observed
    assert abs(streamed - 20_000) < 1_000
    skipped = ablation_result(TOY, scenario, "distractors", stream_filler=False)
    assert skipped.tokens_observed < 1_000
    full = ablation_result(TOY, scenario, "full:max_tokens=500")
    assert full.tokens_observed == streamed and full.accuracy < 1.0


def test_tracks_with_a_subseed_param_keep_their_seed_and_count_up_the_subseed():
    track = ToySubseedTrack()
    runs = [[generate_gated(track, s, leak_rate=0.5) for s in range(8)] for _ in range(2)]
    assert [g.scenario.hash for g in runs[0]] == [g.scenario.hash for g in runs[1]]
    assert any(g.rejected for g in runs[0])
    for g in runs[0]:
        assert g.accepted and g.scenario.seed == g.seed
        assert g.scenario.params["subseed"] == len(g.rejected)
        assert (
            g.scenario.hash == track.generate(g.seed, subseed=len(g.rejected), leak_rate=0.5).hash
        )
    # an explicit subseed is the base the attempts count up from
    based = generate_gated(track, 0, max_tries=3, wrong_rate=1.0, subseed=40)
    assert [r.seed for r in based.rejected] == [0, 0]
    assert based.scenario.params["subseed"] == 42


STREAM_TRACKS = [
    n for n in track_names() if not n.startswith(NAME) and not get_track(n).interactive
]
"""Question-stream tracks: interactive tracks have no questions to gate (``memgym audit``)."""


@pytest.mark.parametrize("name", STREAM_TRACKS)
def test_every_registered_track_gates_its_lite_seed_zero(name):
    track = get_track(name)
    tier = "lite" if "lite" in track.tiers else None
    gated = generate_gated(track, 0, tier, max_tries=3)
    assert gated.accepted, gated.report.failures
    assert gated.report.accuracy["oracle"] >= 0.95
