"""Hidden tests: probe results of the original code, compared with those of another tree.

At generation the probes run on the original module and on mutated copies in one plain
subprocess (the code is memgym's own rewrite of the standard library); at verification they
run on the agent's tree inside the sandbox, since the agent may have written anything there:
the runner is a standalone script bound read-only into the sandbox for that run (never an import
of memgym), the expected values stay outside and are compared here. A task's hidden test passes
when every one of its probes gives the original's result. A runner that cannot start is an
``InfraError`` (the task is not scored), never a failed test.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from memgym.errors import InfraError
from memgym.tracks.swe.disguise import Variant, variant
from memgym.tracks.swe.runtime import interpreter, runtime
from memgym.tracks.swe.sandbox import INSIDE, Sandbox

RUNNER = Path(__file__).with_name("probe_runner.py")
RUNNER_INSIDE = Path("/opt/runner")
"""Where the runner's folder is bound (read-only) for a verification."""
PROBE_CPU = 0.25
"""CPU seconds one probe may take before it counts as ``!Timeout``."""


@dataclass(frozen=True)
class HiddenTest:
    """One probe and the original code's result for it."""

    probe: str
    expected: str


def request(code: Variant, probes: list[str], trees: list[str]) -> str:
    return json.dumps(
        {
            "module": code.module,
            "setup": code.codebase.setup,
            "probes": probes,
            "trees": trees,
            "cpu": PROBE_CPU,
        }
    )


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


@cache
def original_results(name: str, seed: int) -> tuple[str, ...]:
    """The result of every probe of code base ``name`` on seed ``seed``'s rewrite of it
    (once per process)."""
    code = variant(name, seed)
    (row,) = evaluate_sources(code, [code.source], list(code.codebase.probes))
    return tuple(row)


def failing(tests: list[HiddenTest], results: list[str]) -> list[HiddenTest]:
    """The tests whose probe's result is not the expected one."""
    return [t for t, r in zip(tests, results, strict=True) if r != t.expected]


class Verifier:
    """Runs hidden tests on the module in a sandbox's directory, with a copy of the runner."""

    def __init__(self, code: Variant, sandbox: Sandbox) -> None:
        self.code, self.sandbox = code, sandbox
        self._folder = Path(tempfile.mkdtemp(prefix="memgym-swe-runner-"))
        shutil.copy(RUNNER, self._folder / RUNNER.name)
        self._folder.chmod(0o755)
        (self._folder / RUNNER.name).chmod(0o644)

    def _run(self, probes: list[str], trees: list[str]) -> list[list[str]] | None:
        """The runner's results in the sandbox, or None when it gave none."""
        argv = [str(runtime().inside_binary), "-I", "-S", str(RUNNER_INSIDE / RUNNER.name)]
        result = self.sandbox.run(
            argv,
            request(self.code, probes, trees),
            readonly=((self._folder, RUNNER_INSIDE),),
            split_stderr=True,
            keep_chars=1_000_000,
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

    def verify(self, tests: list[HiddenTest]) -> tuple[int, str]:
        """Run ``tests`` on the module in the sandbox's directory: (tests passed, detail).
        A run without results is the agent's module's doing (0 passed) unless the runner
        cannot start at all (``InfraError``)."""
        rows = self._run([t.probe for t in tests], [str(INSIDE / self.code.filename)])
        if rows is None or len(rows) != 1 or len(rows[0]) != len(tests):
            self.healthy()
            return 0, "hidden tests gave no readable result"
        bad = failing(tests, rows[0])
        return len(tests) - len(bad), f"{len(tests) - len(bad)}/{len(tests)} hidden tests pass"

    def close(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)
