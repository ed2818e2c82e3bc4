"""A full disk stops ``memgym run`` and ``memgym compare`` with one line that says what is saved,
and loses nothing: the results file, copied off the full disk, resumes to the unbroken run.

The disk is a real one: a 300 kB tmpfs that bubblewrap mounts for the command (no root needed),
so SQLite meets ENOSPC as it would on a full volume."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys

import pytest

from memgym.run.results import ResultsStore
from tests.cli_process import ROOT, env, memgym, without_progress


def _sized_tmpfs() -> bool:
    """Whether bubblewrap is here and can size a tmpfs (``--size``, bubblewrap 0.8)."""
    exe = shutil.which("bwrap")
    if exe is None:
        return False
    shown = subprocess.run([exe, "--help"], capture_output=True, text=True, check=False)
    return "--size" in shown.stdout + shown.stderr


pytestmark = pytest.mark.skipif(not _sized_tmpfs(), reason="needs bubblewrap 0.8 (--size)")
DISK_BYTES = 300_000
"""The tmpfs: a few of ``run``'s episodes fit; ``compare``'s window episodes carry their
compaction records (views, packed: about 50 kB a seed here, and the write-ahead log beside),
room for a whole seed or more of the six."""


def on_full_disk(tmp_path, *args: str, size: int = DISK_BYTES) -> tuple[int, str]:
    """``memgym ARGS --results DISK/r.sqlite`` on a ``size``-byte tmpfs; the results file (and
    its WAL) copied to ``tmp_path/r.sqlite*`` before the tmpfs goes; (exit code, stderr)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    command = shlex.join([sys.executable, "-m", "memgym", *args, "--results", f"{disk}/r.sqlite"])
    script = (
        f"{command} 2> {tmp_path}/err; echo $? > {tmp_path}/rc; cp {disk}/r.sqlite* {tmp_path}/"
    )
    done = subprocess.run(
        ["bwrap", "--dev-bind", "/", "/", "--size", str(size), "--tmpfs", str(disk)]
        + ["--chdir", str(ROOT), "sh", "-c", script],
        env=env(), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return int((tmp_path / "rc").read_text()), (tmp_path / "err").read_text()


def episodes(path) -> list[tuple]:
    with ResultsStore.open_read(path) as store:
        return sorted((r.seed, r.memory, r.reasoner, r.composite) for r in store.episodes())


@pytest.mark.parametrize(
    "command",
    [
        ["run", "--track", "entities", "--tier", "lite", "--seeds", "6"],
        ["compare", "--track", "entities", "--tier", "lite", "--seeds", "6", "--json"]
        + ["--memories", "window:max_tokens=2000", "--resamples", "50"],
    ],
    ids=["run", "compare"],
)
def test_a_full_disk_stops_with_one_line_and_the_run_resumes(tmp_path, command):
    code, err = on_full_disk(tmp_path, *command, size=DISK_BYTES)
    assert code == 2, err
    lines = without_progress(err)  # the lines a log shows while it ran, then the error
    assert len(lines) == 1 and "Traceback" not in err, err
    assert "the disk is full" in err and f"`memgym {command[0]} ... --resume` continues it" in err
    kept = episodes(tmp_path / "r.sqlite")
    if command[0] == "run":  # every episode stored is kept
        saved = int(err.split(" episode")[0].rsplit(" ", 1)[-1])
        assert 0 < saved == len(kept) < 6 * 5
    else:  # whole seeds are kept (a seed cut short runs again)
        whole = int(err.split(" of 6 seeds saved whole")[0].rsplit(" ", 1)[-1])
        assert 0 < whole and 4 * whole <= len(kept) < 6 * 4

    resumed = memgym(*command, "--results", str(tmp_path / "r.sqlite"), "--resume")
    whole = memgym(*command, "--results", str(tmp_path / "whole.sqlite"))
    assert resumed.returncode == whole.returncode == 0, resumed.stderr + whole.stderr
    assert episodes(tmp_path / "r.sqlite") == episodes(tmp_path / "whole.sqlite")
    if command[0] == "compare":
        assert json.loads(resumed.stdout) == json.loads(whole.stdout)


def test_a_file_written_whole_survives_a_full_disk(tmp_path):
    """A model, a manifest, a report (``files.write_atomic``): a write that fills the disk fails
    with ENOSPC and leaves the previous file, and no temporary file beside it."""
    disk = tmp_path / "disk"
    disk.mkdir()
    code = (
        "import errno, os, sys; from memgym.files import write_atomic\n"
        f"write_atomic('{disk}/manifest.json', 'the old manifest')\n"
        "try:\n"
        f"    write_atomic('{disk}/manifest.json', 'x' * {2 * DISK_BYTES})\n"
        "except OSError as exc:\n"
        "    assert exc.errno == errno.ENOSPC, exc\n"
        "else:\n"
        "    sys.exit('the disk was not full')\n"
        f"assert open('{disk}/manifest.json').read() == 'the old manifest'\n"
        f"assert os.listdir('{disk}') == ['manifest.json'], os.listdir('{disk}')\n"
    )
    done = subprocess.run(
        ["bwrap", "--dev-bind", "/", "/", "--size", str(DISK_BYTES), "--tmpfs", str(disk)]
        + ["--chdir", str(ROOT), sys.executable, "-c", code],
        env=env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_eval_stopped_by_a_full_disk_resumes_to_the_same_entry(tmp_path):
    """``memgym eval`` (the smoke protocol's stream tracks against ``memgym serve``: tau2's engine
    lives in a venv of its own) on a 600 kB tmpfs stops with the line; resumed from the file
    copied off it, its entry equals an unbroken one's byte for byte."""
    from memgym.protocol.spec import SMOKE
    from memgym.serve import running

    with running() as server:
        args = ["eval", "--model", "memgym-scripted", "--base-url", server.base_url]
        args += ["--protocol", "smoke", "--tracks", *(plan.track for plan in SMOKE.tracks)]

        def outputs(folder):
            return ["--entry", str(folder / "entry.json"), "--report", str(folder / "r.html")]

        code, err = on_full_disk(tmp_path, *args, *outputs(tmp_path), size=2 * DISK_BYTES)
        assert code == 2 and "the disk is full" in err, err
        assert "`memgym eval ... --resume` continues it" in err
        assert 0 < len(episodes(tmp_path / "r.sqlite")) < 28
        assert not (tmp_path / "entry.json").exists()
        resumed = memgym(*args, *outputs(tmp_path), "--results", str(tmp_path / "r.sqlite"),
                         "--resume")  # fmt: skip
        whole = tmp_path / "whole"
        whole.mkdir()
        unbroken = memgym(*args, *outputs(whole), "--results", str(whole / "r.sqlite"))
    assert resumed.returncode == unbroken.returncode == 0, resumed.stderr + unbroken.stderr
    assert (tmp_path / "entry.json").read_bytes() == (whole / "entry.json").read_bytes()
