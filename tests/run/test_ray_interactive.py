"""The interactive tracks (tau2, swe, web) through the Ray executor on a real local Ray instance
with two worker CPUs: every episode equals the local executor's on the same work items, and a
worker keeps its engine between episodes (τ²-bench imported once, the swe sandbox's runtime
resolved once, one pooled chromium). Each track skips with its reason when its engine is
missing, as the track's own tests do."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from memgym.run.results import ResultsStore
from memgym.run.runner import run_concurrent, run_item
from memgym.run.work import WorkItem, stream
from memgym.types import EpisodeResult
from tests.engines import missing

ray = pytest.importorskip("ray", reason="the Ray executor needs the 'ray' extra")

from memgym.run.ray_executor import run_ray

MISSING: dict[str, str | None] = {track: missing(track) for track in ("tau2", "swe", "web")}
"""Why each track cannot run here (None: it can)."""

CASES: dict[str, tuple[str, dict[str, Any], str]] = {
    "tau2": ("lite", {}, "window:max_tokens=400"),
    "swe": ("lite", {"codebase": "colorsys", "tasks": 2, "redo": 2, "target_tokens": 0},
            "window:max_tokens=1000"),
    "web": ("lite", {"app": "shop", "errands": 2, "pages": 2, "page_tokens": 300,
                     "list_pages": 6}, "window:max_tokens=1000"),
}  # fmt: skip
"""Per track: tier, parameters and a history window that compacts and still solves a task.
Each runs 2 seeds x (none, window) with the context-reading agent: 4 short episodes."""


def noting_workers(track: str, folder: Path) -> Callable[[WorkItem], EpisodeResult]:
    """``run_item``, noting in ``folder/<pid>`` (one character per episode, in the order the
    worker ran them) whether the worker held the track's engine before the episode. Self-contained:
    Ray ships it by value, and the workers cannot import this test module."""

    def task(item: WorkItem) -> EpisodeResult:
        if track == "tau2":
            warm = "tau2.registry" in sys.modules
        elif track == "swe":
            from memgym.tracks.swe.runtime import runtime

            warm = runtime.cache_info().currsize > 0
        else:
            from memgym.tracks.web.pool import pooled

            warm = pooled() is not None
        result = run_item(item)
        with open(folder / str(os.getpid()), "a") as f:
            f.write("1" if warm else "0")
        return result

    return task


def by_key(path: Path) -> dict[str, dict]:
    with ResultsStore(path) as store:
        return {key: r.model_dump() for key, r in store.keyed_episodes()}


@pytest.mark.parametrize(
    "track",
    [pytest.param(t, marks=pytest.mark.skipif(bool(MISSING[t]), reason=str(MISSING[t])))
     for t in CASES],
)  # fmt: skip
def test_interactive_track_on_ray_equals_the_local_executor(
    track: str, cluster: Any, tmp_path: Path
) -> None:
    tier, params, window = CASES[track]
    items = list(stream(track, tier, range(2), params, [("none", "context"), (window, "context")]))
    local = tmp_path / "local.sqlite"
    with ResultsStore(local) as store:
        run_concurrent(items, store, store.start_run({"executor": "local"}))
    workers = tmp_path / "workers"
    workers.mkdir()
    remote = tmp_path / "ray.sqlite"
    task = noting_workers(track, workers)
    with ResultsStore(remote) as store:
        run_ray(items, store, store.start_run({"executor": "ray"}), task=task)
    expected, got = by_key(local), by_key(remote)
    assert sorted(got) == sorted(item.key for item in items)
    assert got == expected
    episodes = list(got.values())
    assert all(e["status"] == "ok" for e in episodes)
    assert any(e["composite"] > 0 for e in episodes)  # the window keeps what a task needs
    assert any(e["compactions"] for e in episodes)  # and compacted on the way
    # each worker took up the engine on its first episode and kept it for the next ones
    runs = [p.read_text() for p in workers.iterdir()]
    assert all(r == "0" + "1" * (len(r) - 1) for r in runs), runs
    assert max(map(len, runs)) > 1, runs
