"""The HTML report of a results file: ``write_report(results, out)``; see ``memgym report``."""

from __future__ import annotations

from pathlib import Path


def build_report(
    results: str | Path,
    run_id: int | None = None,
    resamples: int = 1000,
    include_incomplete: bool = False,
) -> str:
    """The report page (HTML text) for the results file ``results`` (one run, or all)."""
    from memgym.report.data import load
    from memgym.report.page import build_html

    return build_html(load(str(results), run_id, resamples, include_incomplete))


def write_report(
    results: str | Path,
    out: str | Path,
    run_id: int | None = None,
    resamples: int = 1000,
    include_incomplete: bool = False,
) -> Path:
    """Write the report for ``results`` to ``out`` and return its path."""
    path = Path(out)
    path.write_text(build_report(results, run_id, resamples, include_incomplete), encoding="utf-8")
    return path


__all__ = ["build_report", "write_report"]
