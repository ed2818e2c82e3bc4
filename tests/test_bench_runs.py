"""Every bench script runs from the repository: its ``--help`` works, and the ones that need no
base checkout, server or extra run to their verdict on a tiny argument."""

from __future__ import annotations

import inspect
import re
import sys
from collections import Counter
from types import ModuleType

import pytest

from tests.bench_scripts import BENCH, load_bench_script

HELPERS = {"base_checkout", "boundary_plugin", "cpu_timers", "smollm2_shape"}
"""Modules the benches import (or load as a plugin), with no command of their own."""
SCRIPTS = sorted(p.stem for p in BENCH.glob("*.py") if p.stem not in HELPERS)


@pytest.fixture(autouse=True)
def _bench_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bench scripts import their helpers (``HELPERS``) from ``bench/``."""
    monkeypatch.syspath_prepend(str(BENCH))


def run_main(module: ModuleType, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> object:
    """``module.main`` on ``argv`` (given, or as ``sys.argv`` to a main that reads it)."""
    monkeypatch.setattr(sys, "argv", [str(module.__file__), *argv])
    takes_argv = bool(inspect.signature(module.main).parameters)
    return module.main(argv) if takes_argv else module.main()


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_bench_script_answers_help(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        run_main(load_bench_script(name), ["--help"], monkeypatch)
    assert done.value.code == 0
    assert "usage:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("case", "kind", "sides", "episodes"),
    [
        ([], "sampled, seeds [0]", "lock-step / one at a time", 2),
        (["--heldout"], "greedy, seeds [0, 1]", "lock-step / one at a time", 2),
        (["--groups", "2"], "sampled, seeds [0, 1]", "whole batch / one group per call", 4),
    ],
    ids=["group", "heldout", "batch"],
)
def test_the_rollout_bench_runs_small(
    case: list[str],
    kind: str,
    sides: str,
    episodes: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("transformers", reason="needs the train extra")
    argv = ["--generations", "2", "--layers", "1", "--max-turns", "2", "--max-new-tokens", "3"]
    assert run_main(load_bench_script("bench_rollout_lockstep"), argv + case, monkeypatch) == 0
    out = capsys.readouterr().out
    assert f"{episodes} episodes of entities lite (S6)" in out
    assert kind in out
    generated = re.findall(r"s CPU, (\d+) tokens generated", out)
    assert generated == [str(episodes * 2 * 3)] * 2  # episodes x 2 turns x 3 tokens, both sides
    assert re.search(rf"{sides}: [\d.]+x \(target <= [\d.]+x: (met|NOT met)\)", out)


def test_the_store_bench_runs_small(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_main(load_bench_script("bench_store"), ["--sizes", "100", "--samples", "20"], monkeypatch)
    lines = capsys.readouterr().out.splitlines()[2:]
    rows = [line.split() for line in lines if line.split()[0].isdigit()]
    assert [r[:2] for r in rows] == [["100", "write"], ["100", "search"]]
    found = re.search(r"reference workload ([\d.]+) ms", "\n".join(lines))
    assert found is not None
    reference = float(found.group(1))
    quiet = load_bench_script("reference").QUIET_MS
    for r in rows:  # the verdict is on the median calibrated by the reference of the same run
        median, calibrated, target = float(r[2]), float(r[5]), float(r[6])
        assert abs(calibrated - median * quiet / reference) <= 0.0002 + 0.01 * calibrated
        assert r[7] == ("yes" if calibrated <= target else "NO")


def test_a_timed_function_adds_its_cpu_time_under_its_label() -> None:
    time_calls = load_bench_script("cpu_timers").time_calls

    class Owner:
        @staticmethod
        def work(n: int) -> int:
            return sum(i * i for i in range(n))

    spent: Counter[str] = Counter()
    time_calls(Owner, "work", "squares", spent)
    assert Owner.work(200_000) == sum(i * i for i in range(200_000))
    first = spent["squares"]
    assert first > 0 and Owner.work.__name__ == "work"
    Owner.work(200_000)
    assert spent["squares"] > first and set(spent) == {"squares"}


def test_the_reference_workload_is_deterministic_work_timed_on_cpu() -> None:
    reference = load_bench_script("reference")
    assert reference.workload() == reference.workload() > 0
    assert reference.reference_ms(3) > 0
    # a reference twice the quiet one halves the figure
    assert reference.calibrated(2.0, reference.QUIET_MS * 2) == 1.0


def test_the_validate_bench_decides_on_cpu(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (BENCH / "bench_validate.py").read_text()
    assert "perf_counter" not in source.split("verdict")[1]  # the verdict reads CPU figures only
    module = load_bench_script("bench_validate")
    monkeypatch.setattr(module, "TEMPLATES", {"company": None})
    assert run_main(module, ["--seeds", "1", "--tiers", "lite"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "s CPU" in out and ("): met" in out or "NOT met" in out)
