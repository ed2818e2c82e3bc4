"""``bench/studies/learned_members.py``: its summary over seed sets and its overrides."""

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
