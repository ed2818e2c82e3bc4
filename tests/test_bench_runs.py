"""Every bench script runs from the repository: its ``--help`` works, and the ones that need no
base checkout, server or extra run to their verdict on a tiny argument."""

from __future__ import annotations

import inspect
import sys
from types import ModuleType

import pytest

from tests.bench_scripts import BENCH, load_bench_script

SCRIPTS = sorted(p.stem for p in BENCH.glob("*.py") if p.stem != "base_checkout")


@pytest.fixture(autouse=True)
def _bench_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bench scripts import their helpers (``base_checkout``) from ``bench/``."""
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


def test_the_store_bench_runs_small(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_main(load_bench_script("bench_store"), ["--sizes", "100", "--samples", "20"], monkeypatch)
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[2:]]
    assert [r[:2] for r in rows] == [["100", "write"], ["100", "search"]]
    assert all(r[6] in ("yes", "NO") for r in rows)


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
