"""``bench/studies/learned_rule_blocks.py``: the learned rule scored per training block."""

from __future__ import annotations

import pytest

from memgym.simulation import cheats
from memgym.tracks import get_track
from tests.bench_scripts import load_bench_script

study = load_bench_script("learned_rule_blocks")


def test_the_suites_own_block_scores_as_the_suite_does() -> None:
    base = cheats.TRAIN_BASE
    scores = study.block_scores("dialogue", "lite", [5000, 5001], [base, base + 7], {})
    assert cheats.TRAIN_BASE == base  # restored for every other test
    track = get_track("dialogue")
    learned = cheats.learn(track, "lite", {})
    expected = [
        cheats.run_cheats(track, track.generate(s, "lite"), learned, [study.CHEAT])[
            study.CHEAT
        ].composite
        for s in (5000, 5001)
    ]
    assert scores[base] == expected
    assert list(scores) == [base, base + 7] and len(scores[base + 7]) == 2


def test_sets_are_means_of_ten_and_a_short_tail_is_left_out() -> None:
    values = [0.0] * 10 + [0.1] * 10 + [1.0] * 3
    assert study.sets_of(values) == pytest.approx([0.0, 0.1])


def test_overrides_parse_and_a_bad_one_is_one_line() -> None:
    assert study.parse_set(["questions=12", "tier=lite"]) == {"questions": 12, "tier": "lite"}
    with pytest.raises(SystemExit, match="KEY=VALUE"):
        study.parse_set(["questions"])


def test_another_cheat_is_scored_the_same_way_and_an_unknown_one_is_refused() -> None:
    base = cheats.TRAIN_BASE
    scores = study.block_scores("research", "lite", [6000], [base], {}, "template_gold")
    track = get_track("research")
    learned = cheats.learn(track, "lite", {})
    ran = cheats.run_cheats(track, track.generate(6000, "lite"), learned, ["template_gold"])
    assert scores[base] == [ran["template_gold"].composite]
    with pytest.raises(SystemExit, match="not a cheat"):
        study.main(["--cheat", "no_such_cheat", "--seeds", "1"])
