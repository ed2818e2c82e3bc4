"""Inspect AI's entry point for memgym (``[project.entry-points.inspect_ai]``): one task per
registered question-stream track, named ``memgym/<track>``, so ``inspect eval memgym/entities`` finds it, and the
offline ``memgym-mock`` model (``--model memgym-mock/model``)."""

from __future__ import annotations

from memgym.envs.inspect_model import memgym_mock
from memgym.envs.inspect_tasks import track_task
from memgym.tracks import stream_track_names

TASKS = {name: track_task(name) for name in stream_track_names()}
globals().update(TASKS)

__all__ = ["TASKS", "memgym_mock", *TASKS]  # noqa: PLE0604 (one task per track name)
