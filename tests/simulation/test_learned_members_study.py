"""``bench/studies/learned_members.py``: its summary over seed sets, its overrides, and the paired
differences of ``--against``."""

from __future__ import annotations

import pytest

from memgym.simulation.bounded import BOUNDED_SHARE
from memgym.simulation.cheats import CHEAT_CEILING
from memgym.simulation.learned_selector import SELECTOR_BUDGETS
from tests.bench_scripts import load_bench_script

load_bench_script("learned_rule_blocks")  # the study imports its parser by name
study = load_bench_script("learned_members")


def _set(means: list[float], held: list[float]) -> object:
    return study.SetResult(means, held, "")


def test_the_summary_counts_a_judged_members_sets_above_the_bar() -> None:
    assert len(SELECTOR_BUDGETS) == 3
    small, large = BOUNDED_SHARE / 2, BOUNDED_SHARE * 2
    results = [
        _set([0.01, 0.06, 0.20], [small, small, large]),
        _set([0.03, 0.04, 0.30], [small, small, large]),
        _set([0.02, 0.08, 0.10], [small, small, large]),
    ]
    lines = study.summary(results)
    assert len(lines) == 3
    first, second, third = lines
    assert "mean 0.0200" in first and "worst 0.030" in first
    assert first.endswith(f"0 of 3 sets above {CHEAT_CEILING}")
    assert "mean 0.0600" in second and "worst 0.080" in second
    assert second.endswith(f"2 of 3 sets above {CHEAT_CEILING}")
    assert third.endswith("not judged")  # it held more than BOUNDED_SHARE: never judged


def test_overrides_are_parsed_once_and_a_bad_one_is_one_line() -> None:
    assert study.parse_overrides("questions=12,,tier=lite") == {"questions": 12, "tier": "lite"}
    assert study.parse_overrides("") == {}
    with pytest.raises(SystemExit, match="KEY=VALUE"):
        study.parse_overrides("questions")


def test_paired_differences_give_the_mean_the_counts_and_the_exact_sign_flip_p() -> None:
    bases = [_set([0.04, 0.02, 0.01], [0.0] * 3) for _ in range(4)]
    results = [
        _set([0.03, 0.03, 0.01], [0.0] * 3),
        _set([0.02, 0.01, 0.01], [0.0] * 3),
        _set([0.03, 0.02, 0.01], [0.0] * 3),
        _set([0.02, 0.02, 0.01], [0.0] * 3),
    ]
    first, second, third = study.paired(results, bases)
    # every set lower by 0.01 or 0.02: mean -0.015, and of the 2**4 sign assignments only
    # all-minus and all-plus are as far from zero, so p = 2 / 16
    assert first.startswith("learned250 paired over 4 sets: -0.0150 [")
    assert "lower on 4, higher on 0, sign-flip p 0.12" in first
    assert "+0.0000" in second and "lower on 1, higher on 1, sign-flip p 1" in second
    assert "lower on 0, higher on 0, sign-flip p 1" in third
    with pytest.raises(ValueError):
        study.paired(results, bases[:3])  # the sets must pair one to one


def test_against_scores_each_set_twice_and_pairs_them(capsys) -> None:
    argv = ["--track", "entities", "--tier", "lite", "--sets", "public,s9-pair", "--seeds", "2"]
    study.main([*argv, "--set", "questions=9", "--against", "questions=6"])
    out = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("  against: ") for line in out) == 2
    pairs = [line for line in out if " paired over 2 sets: " in line]
    assert len(pairs) == len(SELECTOR_BUDGETS)
    sets = [None, "s9-pair"]  # recomputed: each set under both overrides, differenced
    after = [study.run_set("entities", "lite", s, range(2), {"questions": 9}) for s in sets]
    before = [study.run_set("entities", "lite", s, range(2), {"questions": 6}) for s in sets]
    for j, line in enumerate(pairs):
        mean = sum(a.means[j] - b.means[j] for a, b in zip(after, before, strict=True)) / 2
        assert f": {study._signed(mean)} [" in line  # a difference of 0 prints as +0.0000
