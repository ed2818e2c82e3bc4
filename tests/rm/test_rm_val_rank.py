"""bench/studies/rm_val_rank.py: per-episode harms per strategy and their tau, recomputed."""

from __future__ import annotations

from tests.bench_scripts import load_bench_script

val_rank = load_bench_script("rm_val_rank")


def _row(track: str, strategy: str, episode: str, harmful: int) -> dict[str, object]:
    return {"track": track, "strategy": strategy, "episode": episode, "harmful": harmful}


def test_per_episode_harms_and_tau() -> None:
    rows = [
        _row("a", "w", "e1", 1),
        _row("a", "w", "e1", 1),
        _row("a", "w", "e2", 0),
        _row("a", "s", "e1", 0),
        _row("a", "s", "e2", 1),
        _row("a", "m", "e1", 0),
        _row("b", "w", "e3", 1),
        _row("b", "s", "e3", 0),
    ]
    probs = [0.5, 0.25, 0.25, 0.5, 0.5, 0.125, 0.0, 1.0]
    harms = val_rank.strategy_harms(rows, probs)
    # a: w has 2 harmful over 2 episodes, P 1.0 over 2; s 1 over 2, P 1.0 over 2; m 0 over 1
    assert harms["a"] == {"m": (0.0, 0.125), "s": (0.5, 0.5), "w": (1.0, 0.5)}
    assert harms["b"] == {"s": (0.0, 1.0), "w": (1.0, 0.0)}
    taus = val_rank.track_taus(harms)
    assert taus["b"] == -1.0  # the model orders the two strategies the other way round
    # a: replay m < s < w; model m < s = w: two concordant pairs, one tie on the model's side
    assert abs(taus["a"] - 2 / (3 * 2) ** 0.5) < 1e-12
