"""pass^k: the chance that an agent solves a task in every one of k independent trials.

τ-bench's estimator: for a task tried ``n`` times with ``c`` successes, ``C(c, k) / C(n, k)``,
averaged over tasks (pass^1 is the plain success rate; pass^k falls as an agent is less
consistent). Trials are episodes of the same tasks under the same memory and agent that differ
only in their trial number (a track parameter such as tau2's ``trial``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from math import comb

from memgym.types import EpisodeResult


def pass_hat_k(trials: Mapping[str, Sequence[bool]], k: int) -> float:
    """Mean over tasks of ``C(c, k) / C(n, k)``; tasks tried fewer than ``k`` times are left out
    (NaN when none is left)."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    values = [comb(sum(r), k) / comb(len(r), k) for r in trials.values() if len(r) >= k]
    return sum(values) / len(values) if values else float("nan")


def task_trials(episodes: Iterable[EpisodeResult]) -> dict[tuple[str, str], dict[str, list[bool]]]:
    """(memory, agent) -> task id -> its results over the trials found, in episode order."""
    table: dict[tuple[str, str], dict[str, list[bool]]] = {}
    for episode in episodes:
        tasks = table.setdefault((episode.memory, episode.reasoner), {})
        for answer in episode.answers:
            if answer.status != "infra_error":
                tasks.setdefault(answer.question_id, []).append(answer.correct)
    return table


def main(argv: Sequence[str]) -> int:
    """``python -m memgym.run.passk RESULTS.sqlite [TRACK]``: pass^1..pass^n per memory
    and agent over the stored episodes (of ``TRACK``), n the fewest trials of any task."""
    import sys

    from memgym.run.results import ResultsStore

    if len(argv) not in (1, 2):
        print("usage: python -m memgym.run.passk RESULTS.sqlite [TRACK]", file=sys.stderr)
        return 2
    with ResultsStore(argv[0]) as store:
        episodes = [e for e in store.episodes(compactions=False) if argv[1:] in ([], [e.track])]
    for (memory, agent), trials in task_trials(episodes).items():
        n = min(len(r) for r in trials.values())
        figures = "  ".join(f"pass^{k} {pass_hat_k(trials, k):.3f}" for k in range(1, n + 1))
        print(f"{memory} / {agent}: {len(trials)} tasks, {n} trials  {figures}")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
