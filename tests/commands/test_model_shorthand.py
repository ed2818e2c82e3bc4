"""The model shorthand and flags of ``run`` and ``compare`` against a real ``memgym serve``:
``compare --model/--base-url`` (as ``run`` has), ``--max-turns`` (the per-question turn limit),
and the one line saying that ``llm`` without a URL goes to the public OpenAI API."""

from __future__ import annotations

import json

import pytest

from memgym.cli import main
from memgym.commands.endpoints import OPENAI_URL
from memgym.serve import running
from tests.cli_process import memgym


@pytest.fixture(scope="module")
def server():
    with running() as served:
        yield served


def test_compare_takes_the_model_shorthand(server, tmp_path, capsys):
    argv = ["compare", "--tier", "lite", "--seeds", "1", "--memories", "window:max_tokens=2000",
            "--model", "memgym-scripted", "--base-url", server.base_url,
            "--results", str(tmp_path / "r.sqlite"), "--json"]  # fmt: skip
    calls = server.stats.get("requests", 0)
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reasoner"].startswith(f"llm:model=memgym-scripted,base_url={server.base_url}")
    assert data["usage"]["calls"] > 0 and server.stats.get("requests", 0) > calls
    rows = {r["memory"]: r for r in data["memories"]}
    assert rows["full"]["accuracy"] == 1.0 and rows["none"]["accuracy"] == 0.0


def test_compare_refuses_both_a_reasoner_and_the_shorthand(tmp_path, capsys):
    argv = ["compare", "--reasoner", "scripted", "--model", "m", "--results", str(tmp_path / "r")]
    assert main(argv) == 2
    assert "give either --reasoner or --model" in capsys.readouterr().err


@pytest.mark.parametrize("turns", [1, 6])
def test_max_turns_limits_the_turns_per_question(server, tmp_path, capsys, turns):
    """The agentic policy needs a search turn before it answers: one turn leaves every question
    unanswered (no_answer), six answer them (a question may take several search turns before its answer)."""
    argv = ["run", "--tier", "lite", "--seeds", "1", "--model", "memgym-scripted",
            "--base-url", server.base_url, "--max-turns", str(turns),
            "--results", str(tmp_path / "r.sqlite"), "--json"]  # fmt: skip
    assert main(argv) == 0
    answers = json.loads(capsys.readouterr().out)["episodes"][0]["answers"]
    lost = [a for a in answers if a["error"] == f"no_answer: no final answer within {turns} turns"]
    assert (len(lost) == len(answers)) if turns == 1 else not lost


def test_max_turns_must_be_positive(tmp_path, capsys):
    argv = ["run", "--model", "m", "--base-url", "http://127.0.0.1:9/v1", "--max-turns", "0"]
    assert main([*argv, "--results", str(tmp_path / "r.sqlite")]) == 2
    assert "--max-turns must be at least 1, got 0" in capsys.readouterr().err


def test_llm_without_a_url_says_it_calls_the_public_openai_api(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "not-a-key")  # refused (or unreachable): nothing runs
    argv = ["run", "--tier", "lite", "--seeds", "1", "--reasoner", "llm"]
    assert main([*argv, "--results", str(tmp_path / "r.sqlite")]) == 2
    note = " ".join(capsys.readouterr().err.split())
    assert note.startswith("note: no base_url given") and OPENAI_URL in note, note
    help_text = " ".join(memgym("compare", "--help").stdout.split())
    assert "public OpenAI API" in help_text and "--max-turns" in help_text
