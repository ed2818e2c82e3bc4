"""The model flags of ``run`` and ``compare`` reach every model of the run: one ``--cache`` covers
the writer's calls and the reasoner's, given as ``--reasoner llm:...``; ``--max-tokens`` and
``--timeout`` land in every model spec; a contradiction is one clear error."""

import json

import pytest

from memgym.cli import main
from memgym.commands.model_options import apply
from memgym.serve import running


def test_one_cache_replays_the_writer_and_the_reasoner(tmp_path, capsys):
    cache = str(tmp_path / "calls.sqlite")
    with running() as server:
        url = server.base_url
        args = [
            "run", "--tier", "lite", "--seeds", "1",
            "--memory", f"agentic-llm:base_url={url},script=strategic",
            "--reasoner", f"llm:base_url={url}", "--cache", cache, "--json",
        ]  # fmt: skip
        assert main([*args, "--results", str(tmp_path / "a.sqlite")]) == 0
        (first,) = json.loads(capsys.readouterr().out)["episodes"]
        asked = server.stats["requests"]
        assert main([*args, "--results", str(tmp_path / "b.sqlite")]) == 0
        (again,) = json.loads(capsys.readouterr().out)["episodes"]
        assert server.stats["requests"] == asked  # no request the second time
    assert first["usage"]["cached"] == 0 and first["usage"]["calls"] > 0
    assert again["usage"]["cached"] == again["usage"]["calls"] == first["usage"]["calls"]
    assert again["writes_used"] == first["writes_used"] > 0
    assert [a["answer"] for a in again["answers"]] == [a["answer"] for a in first["answers"]]


def test_flags_reach_every_model_spec_and_contradictions_fail():
    specs = ["agentic-llm:model=m", "llm:model=m", "summary:summarizer=llm", "window"]
    flags = {"max_tokens": 64, "timeout": 600.0, "cache": "c.db"}
    writer, reasoner, summary, window = apply(specs, flags)
    for spec in (writer, reasoner):
        assert "max_tokens=64" in spec and "timeout=600.0" in spec and "cache=c.db" in spec
    assert summary == "summary:summarizer=llm,timeout=600.0,cache=c.db"  # no max_tokens there
    assert window == "window"
    with pytest.raises(ValueError, match="--max-tokens 64 contradicts max_tokens=32"):
        apply(["llm:model=m,max_tokens=32"], flags)
    with pytest.raises(ValueError, match="--cache needs a model"):
        apply(["window", "scripted"], {"cache": "c.db"})


def test_tools_text_reaches_the_reasoner_and_its_calls_run(tmp_path, capsys):
    """``--tools text`` (for servers without tool calling, as ``memgym train serve``): the run's
    reasoner offers the store's tools in its prompt, and the CALL lines the server writes run."""
    with running() as server:
        args = [
            "run", "--tier", "lite", "--seeds", "1", "--param", "entities=6",
            "--param", "questions=3", "--memory", "agentic:policy=strategic",
            "--model", "memgym-scripted", "--base-url", server.base_url, "--tools", "text",
            "--results", str(tmp_path / "r.sqlite"), "--json",
        ]  # fmt: skip
        assert main(args) == 0
        text_calls = server.stats["requests"]
    (episode,) = json.loads(capsys.readouterr().out)["episodes"]
    assert episode["reasoner"].endswith(",tools=text")
    assert episode["usage"]["tool_calls"] > 0 and episode["usage"]["tool_errors"] == 0
    assert episode["usage"]["calls"] == text_calls
    assert sum(a["correct"] for a in episode["answers"]) >= 1
