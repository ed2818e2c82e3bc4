"""Hidden tests: probe results of the seed's code base (``drift``), compared with another tree's.

At generation the probes run on the seed's module and on mutated copies in one plain
subprocess (the code is memgym's own rewrite of the standard library); at verification they
run on the agent's module inside the sandbox, since the agent may have written anything there:
the runner is a standalone script bound read-only into the sandbox for that run (never an import
of memgym), the expected values stay outside and are compared here. A task's hidden test passes
when every one of its probes gives the seed's module's result. A runner that cannot start is an
``InfraError`` (the task is not scored), never a failed test.

The module under test runs in the runner's process, so it can read what the runner was sent.
So a verification gives it nothing to use or keep: the module is copied (a plain file, read
without following links) into the runner's read-only folder and run **without the working
directory** (nothing the module writes survives the run, and nothing the agent did to the
directory, a ``chmod 000`` say, can stop the runner), and the task's probes go **among decoys**
(``DECOYS`` other probes of the code base per hidden test), shuffled by the system's random
source on every run: which probes are the task's, and which are its guards, is not in what the
module can read.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from memgym.errors import InfraError
from memgym.tracks.swe.disguise import Variant
from memgym.tracks.swe.runtime import interpreter, runtime
from memgym.tracks.swe.sandbox import Sandbox

RUNNER = Path(__file__).with_name("probe_runner.py")
RUNNER_INSIDE = Path("/opt/runner")
"""Where the runner's folder is bound (read-only) for a verification."""
PROBE_CPU = 0.25
"""CPU seconds one probe may take before it counts as ``!Timeout``."""
DECOYS = 3
"""Other probes of the code base sent with each hidden test's probe at verification."""
MODULE_BYTES = 4 * 1024 * 1024
"""A module larger than this is not verified (scored 0): the host reads it."""
TREE = "tree"
"""The runner folder's subfolder that holds the copy of the module under test."""


@dataclass(frozen=True)
class HiddenTest:
    """One probe and the seed's code base's result for it."""

    probe: str
    expected: str


def request(code: Variant, probes: list[str], trees: list[str], cascade: bool = True) -> str:
    """The runner's request (``cascade``: a probe after a timed-out one is not run)."""
    return json.dumps(
        {
            "module": code.module,
            "setup": code.codebase.setup,
            "probes": probes,
            "trees": trees,
            "cpu": PROBE_CPU,
            "cascade": cascade,
        }
    )


def read_module(path: Path) -> str | None:
    """The text of the agent's module, or None when it is not a plain file (a link is never
    followed, a pipe never waited on: the host reads it) or is larger than ``MODULE_BYTES``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = handle.read(MODULE_BYTES + 1)
    if len(data) > MODULE_BYTES:
        return None
    return data.decode("utf-8", errors="replace")


def _limits() -> None:
    gib = 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (2 * gib, 2 * gib))


def evaluate_sources(code: Variant, sources: list[str], probes: list[str]) -> list[list[str]]:
    """Every probe's result on each source text (generation: trusted code, no sandbox)."""
    with tempfile.TemporaryDirectory(prefix="memgym-swe-gen-") as tmp:
        trees = []
        for i, text in enumerate(sources):
            path = Path(tmp) / f"t{i}" / code.filename
            path.parent.mkdir()
            path.write_text(text, encoding="utf-8")
            trees.append(str(path))
        proc = subprocess.run(
            [interpreter(), "-I", "-S", str(RUNNER)],
            input=request(code, probes, trees),
            capture_output=True,
            text=True,
            timeout=60 + 2 * len(sources) * len(probes) * PROBE_CPU,
            preexec_fn=_limits,
            env={"PYTHONHASHSEED": "0", "LANG": "C.UTF-8"},
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"swe: probe runner failed: {proc.stderr.strip()[-300:]}")
    results: list[list[str]] = json.loads(proc.stdout.strip().splitlines()[-1])["results"]
    return results


def failing(tests: list[HiddenTest], results: list[str]) -> list[HiddenTest]:
    """The tests whose probe's result is not the expected one."""
    return [t for t, r in zip(tests, results, strict=True) if r != t.expected]


class Verifier:
    """Runs hidden tests on a copy of the agent's module in a sandbox, among decoys."""

    def __init__(self, code: Variant, sandbox: Sandbox) -> None:
        self.code, self.sandbox = code, sandbox
        self._folder = Path(tempfile.mkdtemp(prefix="memgym-swe-runner-"))
        shutil.copy(RUNNER, self._folder / RUNNER.name)
        (self._folder / TREE).mkdir()
        for folder in (self._folder, self._folder / TREE):
            folder.chmod(0o755)
        (self._folder / RUNNER.name).chmod(0o644)
        self._random = random.SystemRandom()

    def _run(
        self, probes: list[str], trees: list[str], cascade: bool = True
    ) -> list[list[str]] | None:
        """The runner's results in the sandbox (without the working directory), or None when
        it gave none."""
        argv = [str(runtime().inside_binary), "-I", "-S", str(RUNNER_INSIDE / RUNNER.name)]
        result = self.sandbox.run(
            argv,
            request(self.code, probes, trees, cascade),
            readonly=((self._folder, RUNNER_INSIDE),),
            split_stderr=True,
            keep_chars=1_000_000,
            work=False,
        )
        if result.timed_out or result.returncode != 0:
            return None
        try:
            rows: list[list[str]] = json.loads(result.output.strip().splitlines()[-1])["results"]
        except (ValueError, IndexError, KeyError):
            return None
        return rows

    def healthy(self) -> None:
        """``InfraError`` when the runner cannot run in this sandbox (no tree: no agent code)."""
        if self._run([], []) != []:
            raise InfraError("swe: the hidden-test runner cannot start in the sandbox")

    def mixed(self, tests: list[HiddenTest]) -> tuple[list[str], list[int]]:
        """The probes to send: the tests' among ``DECOYS`` per test drawn from the code base's
        other probes, all shuffled; and where each test's probe lies among them."""
        own = [t.probe for t in tests]
        others = [p for p in self.code.codebase.probes if p not in own]
        decoys = self._random.sample(others, min(len(others), DECOYS * len(tests)))
        probes = own + decoys
        order = list(range(len(probes)))
        self._random.shuffle(order)
        sent = [probes[i] for i in order]
        where = [order.index(i) for i in range(len(own))]
        return sent, where

    def verify(self, tests: list[HiddenTest], text: str | None) -> tuple[int, str]:
        """Run ``tests`` on a copy of the agent's module, ``text`` as ``read_module`` read it
        on the host, in the sandbox: (tests passed, detail). A module that is no plain file
        (None), or a run without results, is the agent's doing (0 passed) unless the runner
        cannot start at all (``InfraError``)."""
        if text is None:
            return 0, "the module is missing, a link or too large: no hidden test ran"
        copy = self._folder / TREE / self.code.filename
        copy.write_text(text, encoding="utf-8")
        copy.chmod(0o644)
        sent, where = self.mixed(tests)
        inside = RUNNER_INSIDE / TREE / self.code.filename
        rows = self._run(sent, [str(inside)], cascade=False)
        if rows is None or len(rows) != 1 or len(rows[0]) != len(sent):
            self.healthy()
            return 0, "hidden tests gave no readable result"
        bad = failing(tests, [rows[0][i] for i in where])
        return len(tests) - len(bad), f"{len(tests) - len(bad)}/{len(tests)} hidden tests pass"

    def close(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)
