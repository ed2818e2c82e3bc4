"""Episodes of one sandboxed worker share no folder: ``stash``
(``tests/run/redteam_scratch_plugins.py``) leaves a note in every writable folder it can reach
in one episode and finds none of them in the next (the worker's own scratch and tmp, through
``/proc/1``, included), though it could write in its scratch, tmp and home: the next episode of
another seed is served by the same child, which empties its scratch, tmp and shared memory
folder first, and the same seed again by a fresh child. In a plain worker
process (``MEMGYM_SANDBOX=off``), whose children share its folders, the second episode reads the
first one's note (so the test can fail)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from memgym.run.runner import run_item
from memgym.run.sandbox import PROCESS, SANDBOX, _bwrap
from memgym.run.work import WorkItem
from memgym.tracks import get_track

pytestmark = pytest.mark.skipif(_bwrap() is None, reason="needs bubblewrap (the sandbox)")

PLUGIN = "tests.run.redteam_scratch_plugins"


def stashed(seed: int) -> tuple[str, dict[str, Any]]:
    """One entities episode of ``stash`` (as ``memgym run --plugin`` runs it): the boundary and
    the stash's report."""
    result = run_item(
        WorkItem("entities", "lite", seed, (), "stash", "scripted", plugins=(PLUGIN,))
    )
    assert result.status == "ok", result.reason
    assert result.composite == 1.0  # it keeps everything, as full does
    (record,) = [c for c in result.compactions if c.strategy == "stash"]
    report: dict[str, Any] = json.loads(str(record.after[0].content))
    return str(result.boundary), report


def first_line(seed: int) -> str:
    """The note an episode of ``seed`` leaves: its brief's first line."""
    return get_track("entities").generate(seed, "lite").brief.splitlines()[0]


def test_a_note_left_in_one_episode_is_gone_in_the_next() -> None:
    boundary, first = stashed(0)
    assert boundary == SANDBOX
    for seed in (1, 0):  # another seed, then the same seed again
        _, later = stashed(seed)
        assert later["unmounted"] == []  # the fresh folders cannot be taken away
        assert later["found"] == {}
        assert {"/scratch", "/tmp"} <= set(later["wrote"])  # it had somewhere to write
    assert not any(w.startswith(("/proc", "/run")) for w in first["wrote"])


@pytest.mark.usefixtures("unsandboxed")
def test_without_the_sandbox_the_next_episode_reads_the_note() -> None:
    boundary, first = stashed(0)
    assert boundary == PROCESS and first["wrote"]
    _, second = stashed(1)
    assert first_line(0) in second["found"].values() and first_line(0) != first_line(1)
