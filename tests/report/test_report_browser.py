"""The report in a real browser: Debian's chromium driven by Playwright, headless. No console
errors, no request leaves the file, every chart and every mark in it renders with a non-zero box,
and a screenshot is saved (also to ``$MEMGYM_REPORT_PNG`` when set, for the docs)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from memgym.report import write_report

CHROMIUM = shutil.which("chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (CI: apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[report]')"
    )
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield instance
        instance.close()


def test_report_renders_every_chart_without_errors(browser, stored, tmp_path):
    report = write_report(stored.path, tmp_path / "report.html", resamples=200)
    page = browser.new_page(viewport={"width": 1320, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report.resolve().as_uri())
    page.wait_for_load_state("load")

    charts = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart')].map(svg => {
            const box = svg.getBoundingClientRect();
            const marks = [...svg.querySelectorAll('.mark')].map(m => {
                const b = m.getBoundingClientRect();
                return b.width > 0 || b.height > 0;
            });
            return {id: svg.id, w: box.width, h: box.height, marks: marks.length,
                    drawn: marks.filter(Boolean).length};
        })"""
    )
    ids = {c["id"] for c in charts}
    assert {"leaderboard", "axes-entities", "length-entities", "compactions-entities"} <= ids
    assert {"isolated-entities-scripted", "budget-entities-window", "roc-test"} <= ids
    assert {"reliability-ood", "risk-coverage-ood"} <= ids
    for chart in charts:
        assert chart["w"] > 100 and chart["h"] > 100, chart
        assert chart["marks"] > 0 and chart["drawn"] == chart["marks"], chart
    assert errors == []
    assert [url for url in requests if not url.startswith("file://")] == []

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    if target := os.environ.get("MEMGYM_REPORT_PNG"):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, target)
    page.close()
