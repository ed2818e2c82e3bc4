"""The HTML report of a results file: ``write_report(results, out)``; see ``memgym report``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from memgym.files import write_atomic


def build_report(
    results: str | Path,
    run_id: int | None = None,
    resamples: int = 1000,
    include_incomplete: bool = False,
    grpo: Sequence[str | Path] = (),
) -> str:
    """The report page (HTML text) for the results file ``results`` (one run, or all), with the
    reward curves of GRPO runs (their ``rewards.json``) when given."""
    from memgym.report.data import load
    from memgym.report.page import build_html
    from memgym.report.training import load_curve

    curves = [load_curve(p) for p in grpo]
    return build_html(load(str(results), run_id, resamples, include_incomplete), curves)


def write_report(
    results: str | Path,
    out: str | Path,
    run_id: int | None = None,
    resamples: int = 1000,
    include_incomplete: bool = False,
    grpo: Sequence[str | Path] = (),
) -> Path:
    """Write the report for ``results`` to ``out`` and return its path."""
    path = Path(out)
    page = build_report(results, run_id, resamples, include_incomplete, grpo)
    write_atomic(path, page)
    return path


__all__ = ["build_report", "write_report"]
