"""A plugin meets no scenario twice in one process: ``hoard``
(``tests/run/redteam_replay_plugins.py``) keeps every event it observes in a module global and
in files in its writable folders, and answers only from what they held before its episode. In
one process (or with files a plain worker's children share) a repeat of a scenario answers from
the first play (> 0.8, from either store alone); behind the boundary a repeat (the same item
again, as a re-run or a pass^k trial; the seed under another tier; two arms of a compare, from
``run_seed`` and from the ``compare`` command under a salt) scores ≤ 0.05, while the same child
serves other seeds and the plugin's count of them goes on (learning across scenarios is allowed)
and its files are gone between them."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from memgym.commands.compare import run_seed
from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.run.remote import close_workers
from memgym.run.runner import run_item
from memgym.run.sandbox import SANDBOX, _bwrap
from memgym.run.work import WorkItem
from memgym.salt import SALT_ENV, SALT_FILE_ENV
from memgym.tracks import get_track
from memgym.types import EpisodeResult
from tests.run import redteam_replay_plugins as hoard

pytestmark = pytest.mark.skipif(_bwrap() is None, reason="needs bubblewrap (the sandbox)")

PLUGIN = "tests.run.redteam_replay_plugins"


def report(result: EpisodeResult) -> dict[str, Any]:
    """What ``hoard`` said at its episode's start: episodes its process started, events its
    global and its files held."""
    (record,) = [c for c in result.compactions if c.strategy == "hoard"]
    return json.loads(str(record.after[0].content))  # type: ignore[no-any-return]


@pytest.fixture
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This process's ``hoard`` stores emptied, its files in a folder of the test's."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    hoard.HOARD.clear()
    yield tmp_path
    hoard.HOARD.clear()


@pytest.fixture
def new_workers() -> Iterator[None]:
    """Workers started afresh for the test (none of an earlier test's children)."""
    close_workers()
    yield
    close_workers()


def in_process(seed: int = 1) -> float:
    track = get_track("entities")
    scenario = track.generate(seed, "lite")
    memory, reasoner = make_memory("hoard", track), make_reasoner("scripted", track)
    return evaluate(scenario, memory, reasoner).composite


def test_in_process_a_repeat_answers_from_the_first_play(own_tmp: Path) -> None:
    assert in_process() == 0.0  # its budgeted memory keeps nothing
    assert in_process() > 0.8
    hoard.HOARD.clear()
    assert in_process() > 0.8  # from its file alone
    os.remove(own_tmp / hoard.FILE)
    assert in_process() > 0.8  # from its global alone


def play(seed: int, tier: str = "lite") -> EpisodeResult:
    """One episode of ``hoard`` behind the boundary, as ``memgym run --plugin`` plays it."""
    item = WorkItem("entities", tier, seed, (), "hoard", "scripted", plugins=(PLUGIN,))
    result = run_item(item)
    assert result.status == "ok", result.reason
    return result


@pytest.mark.usefixtures("new_workers")
def test_behind_the_boundary_a_repeat_sees_nothing_of_the_first_play(own_tmp: Path) -> None:
    in_process(seed=1)
    seed_one = len(hoard.HOARD)  # what one play of seed 1 leaves in the global
    first = play(1)
    assert first.boundary == SANDBOX and first.composite == 0.0
    assert report(first) == {"started": 1, "global": 0, "files": 0}
    other = play(2)  # another seed: the same child serves it, its global kept, its files gone
    assert other.composite <= 0.05
    assert report(other) == {"started": 2, "global": seed_one, "files": 0}
    for seed, tier in ((1, "lite"), (1, "standard"), (1, "lite")):
        again = play(seed, tier)  # a re-run, the seed under another tier, a third trial
        assert again.composite <= 0.05
        assert report(again) == {"started": 1, "global": 0, "files": 0}  # a fresh child
    assert report(play(3))["started"] == 2  # and a later seed goes to a child that has played


@pytest.mark.usefixtures("new_workers")
def test_two_arms_of_a_compare_on_one_seed(own_tmp: Path) -> None:
    run = run_seed("entities", "lite", 4, ["hoard:arm=1", "hoard:arm=2", "hoard:arm=3"],
                   "scripted", {}, plugins=(PLUGIN,))  # fmt: skip
    assert [r.memory for r in run.results] == ["hoard:arm=1", "hoard:arm=2", "hoard:arm=3"]
    for result in run.results:
        assert result.composite <= 0.05
        assert report(result) == {"started": 1, "global": 0, "files": 0}


@pytest.mark.usefixtures("new_workers")
def test_the_compare_command_under_a_salt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from memgym.cli import main

    monkeypatch.setenv(SALT_ENV, "red team replay salt")
    monkeypatch.delenv(SALT_FILE_ENV, raising=False)
    argv = ["compare", "--track", "entities", "--tier", "lite", "--seeds", "3", "--memories",
            "hoard:arm=1", "hoard:arm=2", "--plugin", PLUGIN, "--json", "--results",
            str(tmp_path / "results.db")]  # fmt: skip
    assert main(argv) == 0
    rows = {m["memory"]: m for m in json.loads(capsys.readouterr().out)["memories"]}
    assert rows["full"]["accuracy"] == 1.0  # the scenarios are answerable
    for arm in ("hoard:arm=1", "hoard:arm=2"):
        assert rows[arm]["questions"] > 0 and rows[arm]["accuracy"] <= 0.05


@pytest.mark.usefixtures("unsandboxed")
def test_a_plain_workers_children_share_its_files(own_tmp: Path) -> None:
    first = play(1)
    again = play(1)  # a fresh child, but of a worker whose scratch its children share
    assert first.composite == 0.0 and report(again)["started"] == 1
    assert report(again)["files"] > 0 and again.composite > 0.8  # the files channel is real
