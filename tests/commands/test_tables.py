"""Tables fit ordinary terminals: at 80, 100 and 120 columns no line is wider than the terminal,
nothing is cut to ``…``, and every row label is printed whole and tells its row apart."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

import memgym.commands.compare as compare_cmd
from memgym.cli import main
from memgym.commands import common
from memgym.commands.tables import Column, fit
from memgym.labels import distinct, pair_labels, spec_label
from memgym.simulation.policies import POLICIES

WIDTHS = (80, 100, 120)
MEMORIES = [
    "window:max_tokens=2000", "window:max_tokens=8000", "mask:keep=5", "mask:keep=20",
    "summary:max_tokens=2000", "rag-bm25:k=5", "rag-bm25:k=20",
]  # fmt: skip


def render(monkeypatch, width, argv):
    """What ``memgym ARGV`` prints on a terminal ``width`` columns wide."""
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False, color_system=None)
    monkeypatch.setattr(common, "console", console)
    monkeypatch.setattr("memgym.commands.results.console", console)
    assert main(argv) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tables")
    run = folder / "run.sqlite"
    assert (
        main(["run", "--seeds", "3", "--policies", ",".join(POLICIES), "--results", str(run)]) == 0
    )
    cmp = folder / "cmp.sqlite"
    assert main(["compare", "--seeds", "2", "--memories", *MEMORIES, "--results", str(cmp)]) == 0
    return run, cmp


def check(text: str, width: int, labels) -> None:
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width, text
    assert "…" not in text, text
    for label in labels:  # whole, at the start of a row
        assert any(re.match(rf"\s*(\d+\s+)?{re.escape(label)}(\s|$)", line) for line in lines), (
            label,
            text,
        )


@pytest.mark.parametrize("width", WIDTHS)
def test_run_table_fits_and_names_every_policy(files, monkeypatch, width):
    run, _ = files
    text = render(monkeypatch, width, ["results", str(run), "--run", "1"])
    check(text.split("run 1:")[1], width, list(POLICIES))
    assert "composite" in text.replace("compo-\n", "composite") or "compo-" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_compare_table_fits_and_tells_memories_apart(files, monkeypatch, width):
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None)
    monkeypatch.setattr(common, "console", console)
    comparison = compare_cmd.run_comparison("entities", "lite", [0, 1], MEMORIES, resamples=50)
    compare_cmd.print_comparison(comparison)
    labels = ["none", "oracle", "full", "window 2000", "window 8000", "mask 5", "mask 20",
              "summary 2000", "rag-bm25 5", "rag-bm25 20"]  # fmt: skip
    check(out.getvalue(), width, labels)
    assert "isolated" in out.getvalue()


@pytest.mark.parametrize("width", WIDTHS)
def test_runs_list_and_leaderboard_fit(files, monkeypatch, width):
    run, cmp = files
    text = render(monkeypatch, width, ["results", str(run), "--leaderboard"])
    check(text, width, list(POLICIES))
    listing = render(monkeypatch, width, ["results", str(cmp)])
    check(listing, width, [])
    for column in ("track", "tier", "memory", "policy", "status"):
        assert column in listing


def test_the_cheats_have_rows_of_their_own_in_the_leaderboard(files):
    from memgym.run.results import ResultsStore

    run, _ = files
    with ResultsStore.open_read(run) as store:
        rows = store.leaderboard()
    assert sorted(r["policy"] for r in rows) == sorted(POLICIES)
    assert {(r["memory"], r["reasoner"]) for r in rows} == {
        (p.memory, p.reasoner) for p in POLICIES.values()
    }
    assert {r["tier"] for r in rows} == {"lite"}


def test_columns_are_dropped_lowest_priority_first_and_named():
    columns = [Column("name"), Column("a", priority=3), Column("b" * 30, priority=1)]
    console = Console(file=io.StringIO(), width=40)
    table = fit("t", columns, [["x", ("1.000", "±0.100"), "y"]], 40, console)
    console.print(table)
    table, note = console.file.getvalue().split("not shown")
    assert "b" * 30 not in table and " y" not in table and "±0.100" in table
    assert note.split() == ["at", "40", "columns:", "b" * 30, "(see", "--json)"]


def test_labels_are_short_and_distinct():
    assert spec_label("agentic:policy=strategic") == "agentic strategic"
    assert spec_label("window:max_tokens=2000") == "window 2000"
    labels = distinct(["summary:max_tokens=2000", "summary:max_tokens=2000,summarizer=llm"])
    assert len(set(labels.values())) == 2
    pairs = [(p.memory, p.reasoner) for p in POLICIES.values()]
    named, _ = pair_labels(pairs, {(p.memory, p.reasoner): n for n, p in POLICIES.items()})
    assert sorted(named.values()) == sorted(POLICIES)
    unnamed, shared = pair_labels(pairs)
    assert shared is None and len(set(unnamed.values())) == len(pairs)
    assert unnamed[("none", "guesser")] == "none / guesser"
    assert pair_labels([("none", "llm:model=gpt-x,base_url=http://h/v1")])[1] is not None
