"""Hidden tests: probe results of the original code, compared with those of another tree.

At generation the probes run on the original module and on mutated copies in one plain
subprocess (the code is memgym's own mutation of the standard library); at verification they
run on the agent's tree inside the sandbox, since the agent may have written anything there.
A task's hidden test passes when every one of its probes gives the original's result.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from memgym.tracks.swe.codebases import CodeBase, cached_source
from memgym.tracks.swe.sandbox import Sandbox

RUNNER = Path(__file__).with_name("probe_runner.py")
PROBE_CPU = 0.25
"""CPU seconds one probe may take before it counts as ``!Timeout``."""


@dataclass(frozen=True)
class HiddenTest:
    """One probe and the original code's result for it."""

    probe: str
    expected: str


def request(codebase: CodeBase, probes: list[str], trees: list[str]) -> str:
    return json.dumps(
        {
            "module": codebase.name,
            "setup": codebase.setup,
            "probes": probes,
            "trees": trees,
            "cpu": PROBE_CPU,
        }
    )


def _limits() -> None:
    gib = 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (2 * gib, 2 * gib))


def evaluate_sources(codebase: CodeBase, sources: list[str], probes: list[str]) -> list[list[str]]:
    """Every probe's result on each source text (generation: trusted code, no sandbox)."""
    with tempfile.TemporaryDirectory(prefix="memgym-swe-gen-") as tmp:
        trees = []
        for i, text in enumerate(sources):
            path = Path(tmp) / f"t{i}" / codebase.filename
            path.parent.mkdir()
            path.write_text(text, encoding="utf-8")
            trees.append(str(path))
        proc = subprocess.run(
            [sys.executable, "-I", "-S", str(RUNNER)],
            input=request(codebase, probes, trees),
            capture_output=True,
            text=True,
            timeout=60 + 2 * len(sources) * len(probes) * PROBE_CPU,
            preexec_fn=_limits,
            env={"PYTHONHASHSEED": "0", "LANG": "C.UTF-8", "PATH": os.environ.get("PATH", "")},
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"swe: probe runner failed: {proc.stderr.strip()[-300:]}")
    results: list[list[str]] = json.loads(proc.stdout.strip().splitlines()[-1])["results"]
    return results


@cache
def original_results(name: str) -> tuple[str, ...]:
    """The original module's result for every probe of code base ``name`` (once per process)."""
    from memgym.tracks.swe.codebases import get_codebase

    codebase = get_codebase(name)
    (row,) = evaluate_sources(codebase, [cached_source(name)], list(codebase.probes))
    return tuple(row)


def failing(tests: list[HiddenTest], results: list[str]) -> list[HiddenTest]:
    """The tests whose probe's result is not the expected one."""
    return [t for t, r in zip(tests, results, strict=True) if r != t.expected]


def verify(codebase: CodeBase, sandbox: Sandbox, tests: list[HiddenTest]) -> tuple[int, str]:
    """Run ``tests`` on the module in the sandbox's directory: (tests passed, detail)."""
    tree = str(sandbox.workdir / codebase.filename)
    argv = [sys.executable, "-I", "-S", str(RUNNER)]
    result = sandbox.run(
        argv,
        request(codebase, [t.probe for t in tests], [tree]),
        split_stderr=True,
        keep_chars=1_000_000,
    )
    if result.timed_out or result.returncode != 0:
        return 0, f"hidden tests did not run to the end (exit {result.returncode})"
    try:
        (row,) = json.loads(result.output.strip().splitlines()[-1])["results"]
    except (ValueError, IndexError, KeyError):
        return 0, "hidden tests gave no readable result"
    bad = failing(tests, row)
    return len(tests) - len(bad), f"{len(tests) - len(bad)}/{len(tests)} hidden tests pass"
