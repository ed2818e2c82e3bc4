"""The report names a model without its path or endpoint, and puts every score beside its cost
(tokens per question, compactions per episode) and its trust (boundary, salt), readable in a
1,400-pixel browser window. Built from a real comparison against ``memgym serve`` with a model
named by a file path, as a GGUF served by llama.cpp is."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from memgym.cli import main
from memgym.report import write_report
from memgym.report.data import load
from memgym.run.results import ResultsStore
from memgym.serve import running

MODEL = "/opt/models/private/SmolLM2-135M-Instruct.Q4_1.gguf"
CHROMIUM = shutil.which("chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> tuple[Path, str]:
    """A results file of ``compare`` with a path-named model at a local endpoint; the URL."""
    path = tmp_path_factory.mktemp("public") / "r.sqlite"
    with running() as server:
        args = ["compare", "--tier", "lite", "--param", "entities=4", "--param", "questions=3",
                "--seeds", "2", "--memories", "window:max_tokens=300", "--model", MODEL,
                "--base-url", server.base_url, "--resamples", "50", "--results", str(path)]  # fmt: skip
        assert main(args) == 0
        return path, server.base_url


def test_the_leaderboard_names_the_model_and_counts_its_costs(served):
    path, url = served
    data = load(str(path), resamples=50)
    with ResultsStore.open_read(path) as store:
        episodes = list(store.episodes())
    for row in data.leaderboard:
        assert row["model"] == "SmolLM2-135M-Instruct.Q4_1.gguf"
        assert url not in str(row) and "base_url" not in str(row) and "/opt/" not in str(row)
        mine = [e for e in episodes if e.memory == row["memory"]]
        questions = sum(e.questions for e in mine)
        tokens = sum(
            e.usage.get(k, 0)
            for e in mine
            for k in ("prompt_tokens", "completion_tokens", "cached_prompt_tokens",
                      "cached_completion_tokens")
        )  # fmt: skip
        assert row["tokens_per_question"] == pytest.approx(tokens / questions)
        assert row["compactions"] == pytest.approx(
            sum(len(e.compactions) for e in mine) / len(mine)
        )
    window = next(r for r in data.leaderboard if r["memory"].startswith("window"))
    assert window["compactions"] > 0 and window["tokens_kind"] == "model"


def test_the_report_at_1400_pixels_shows_every_score_and_no_endpoint(served, tmp_path):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (CI: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    path, url = served
    report = write_report(path, tmp_path / "report.html", resamples=50)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(report.resolve().as_uri())
        text = page.inner_text("body")
        cells = page.evaluate(
            """() => {
                const table = document.querySelector('table');
                const head = [...table.querySelectorAll('thead th')].map(th => th.textContent);
                return [...table.querySelectorAll('tbody tr')].map(tr => {
                    const tds = [...tr.querySelectorAll('td')];
                    const at = name => tds[head.indexOf(name)].getBoundingClientRect();
                    return {score: at('composite').right, tokens: at('tokens / question').right,
                            trust: at('trust').right, text: tds.map(td => td.textContent)};
                });
            }"""
        )
        page.screenshot(path=os.environ.get("MEMGYM_PUBLIC_PNG") or str(tmp_path / "r.png"))
        browser.close()
    for hidden in (url, "127.0.0.1", "http://", "base_url", "/opt/models"):
        assert hidden not in text, hidden
    assert "SmolLM2-135M-Instruct.Q4_1.gguf" in text
    assert len(cells) == 4  # none, oracle, full, the window
    for row in cells:
        assert max(row["score"], row["tokens"], row["trust"]) <= 1400, row
        assert "public seeds" in " ".join(row["text"])
