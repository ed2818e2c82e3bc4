"""pass^k against its definition, counted by brute force over every k-subset of trials."""

from __future__ import annotations

import math
from itertools import combinations

import pytest

from memgym.run.passk import pass_hat_k


def _brute(results: list[bool], k: int) -> float:
    subsets = list(combinations(results, k))
    return sum(all(s) for s in subsets) / len(subsets)


def test_pass_hat_k_is_the_share_of_k_subsets_all_solved() -> None:
    trials = {"a": [True, True, False, True], "b": [False] * 4, "c": [True] * 4, "d": [True]}
    for k in (1, 2, 3, 4):
        kept = [r for r in trials.values() if len(r) >= k]
        assert pass_hat_k(trials, k) == pytest.approx(sum(_brute(r, k) for r in kept) / len(kept))
    assert pass_hat_k(trials, 1) > pass_hat_k(trials, 2) > pass_hat_k(trials, 4)
    assert math.isnan(pass_hat_k(trials, 5))
    with pytest.raises(ValueError, match="k must"):
        pass_hat_k(trials, 0)


def test_pass_hat_k_over_stored_tau2_trials(tmp_path, capsys) -> None:
    from memgym.tracks.tau2 import loader

    if not loader.available():
        pytest.skip(loader.MISSING)
    from memgym.cli import main as memgym
    from memgym.run.passk import main

    results = str(tmp_path / "r.sqlite")
    for trial in range(3):
        args = ["run", "--track", "tau2", "--param", "domain=mock", "--param", "customers=6"]
        args += ["--param", "callbacks=3"]  # 3 scored callbacks, 3 tasks apart
        assert (
            memgym([*args, "--param", f"trial={trial}", "--seeds", "1", "--results", results]) == 0
        )
    capsys.readouterr()
    assert main([results, "tau2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    gold = next(line for line in lines if line.startswith("full / gold"))
    assert "3 tasks, 3 trials" in gold and "pass^3 1.000" in gold  # gold is deterministic
    assert main([]) == 2
