"""A model with a small context window: prompts that outgrow it are scored wrong as
``context_overflow``, counted and shown, never dropped; ``--resume`` does not run them again;
``--context-window`` fits the prompts so they do not overflow. Against ``memgym serve --context``,
which answers an over-long request with HTTP 400 ``context_length_exceeded`` as real servers do."""

import json

import pytest

from memgym.cli import main
from memgym.run.results import CLOSED_BOOK, ResultsStore
from memgym.serve import Faults, running

WINDOW = 15_000  # lite seeds 0-1: first questions at 7,088 and 12,821 stream tokens, last at 15,588, 16,139
RUN = ["run", "--tier", "lite", "--seeds", "2", "--memory", "full", "--model", "memgym-scripted"]


@pytest.fixture(scope="module")
def server():
    with running(faults=Faults(context=WINDOW)) as served:
        yield served


def run_cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out, out.err


def test_overflows_are_scored_counted_and_not_resumed(server, tmp_path, capsys):
    results = str(tmp_path / "r.sqlite")
    args = [*RUN, "--base-url", server.base_url, "--results", results, "--concurrency", "1"]
    rows = json.loads(run_cli(capsys, *args, "--json")[0])["episodes"]
    assert [r["status"] for r in rows] == ["ok", "ok"]  # scored, never infra_error
    for row in rows:
        lost = [a for a in row["answers"] if a["status"] == "context_overflow"]
        assert 0 < len(lost) < len(row["answers"])  # early questions fit, later ones do not
        assert row["overflows"] == len(lost) and not any(a["correct"] for a in lost)
        assert all(a["error"].startswith("context_length") for a in lost)
        assert row["usage"]["overflows"] == len(lost) and row["usage"]["failed"] == 0
    requests = server.stats["requests"]
    table, err = run_cli(capsys, *args, "--resume")
    assert server.stats["requests"] == requests  # nothing asked again
    assert "0 episodes run, 2 resumed" in err
    total = sum(r["overflows"] for r in rows)
    answers = sum(len(r["answers"]) for r in rows)
    assert f"context overflow on {total}/{answers} answers" in table
    assert "context overflows" in table  # the usage line counts the calls
    with ResultsStore(results) as store:
        assert store.done_keys(1) and len(list(store.episodes(1))) == 2


def test_a_declared_context_window_fits_the_prompts(server, tmp_path, capsys):
    args = [*RUN, "--base-url", server.base_url, "--results", str(tmp_path / "r.sqlite")]
    rows = json.loads(run_cli(capsys, *args, "--context-window", str(WINDOW), "--json")[0])[
        "episodes"
    ]
    for row in rows:
        assert row["overflows"] == 0 and row["usage"].get("overflows", 0) == 0
        assert row["usage"]["fitted"] > 0  # the view gave way, oldest first
        assert row["reasoner"].endswith(f",context_window={WINDOW}")
        assert all(a["status"] == "ok" for a in row["answers"])
        assert any(a["correct"] for a in row["answers"])


def test_compare_says_why_a_memory_lost_answers(server, tmp_path, capsys):
    results = str(tmp_path / "c.sqlite")
    args = ["compare", "--tier", "lite", "--seeds", "2", "--memories", "window:max_tokens=500"]
    reasoner = f"llm:base_url={server.base_url}"
    data = json.loads(
        run_cli(capsys, *args, "--reasoner", reasoner, "--results", results, "--json")[0]
    )
    rows = {r["memory"]: r for r in data["memories"]}
    full = rows["full"]
    assert 0 < full["context_overflow"] <= full["asked"]
    assert f"full: context overflow on {full['context_overflow']}/{full['asked']}" in " ".join(
        data["notes"]
    )
    assert full["accuracy"] is not None and rows["oracle"]["isolated"] == 1.0  # no empty cell
    assert rows["window:max_tokens=500"]["context_overflow"] == 0
    probe = data["closed_book_usage"]
    assert probe["calls"] > 0  # the closed-book probe's calls ...
    with ResultsStore(results) as store:
        assert store.run_usage(1)[CLOSED_BOOK]["calls"] == probe["calls"]  # ... are stored
    table, _ = run_cli(capsys, *args, "--reasoner", reasoner, "--results", results)
    assert "full: context overflow on" in table and "of which the closed-book probe" in table
    summary, _ = run_cli(capsys, "results", results, "--run", "1")
    assert "of which closed-book" in summary
