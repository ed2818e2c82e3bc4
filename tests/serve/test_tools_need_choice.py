"""``memgym serve --tools-need-choice`` behaves like llama-cpp-python's server: a request's tools
are left out of the prompt unless it sends ``tool_choice``. memgym sends ``tool_choice`` with every
request that offers tools, so its runs get their tools: the writer's calls are made and executed
(the store holds what the scripted policy writes) and the answerer searches the store."""

import json
import urllib.request

from memgym.cli import main
from memgym.memory.tools import ANSWER_TOOLS
from memgym.serve import Faults, running


def post(url, body, spec):
    headers = {"Content-Type": "application/json", "X-Memgym-Spec": json.dumps(spec)}
    request = urllib.request.Request(
        url + "/chat/completions", data=json.dumps(body).encode(), headers=headers
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.load(reply)


def test_without_tool_choice_the_tools_are_dropped_and_the_reply_is_text(track):
    question = track.generate(0, "lite").questions[0]
    messages = [{"role": "user", "content": question.text}]
    tools = ANSWER_TOOLS.schemas()
    body = {"model": "m", "messages": messages, "tools": tools}
    with running(faults=Faults(tools_need_choice=True)) as server:
        plain = post(server.base_url, body, question.spec)
        chosen = post(server.base_url, {**body, "tool_choice": "auto"}, question.spec)
        stats = dict(server.stats)
    assert stats["tools_dropped"] == 1
    # Dropped: the prompt is counted without the tools, as llama-cpp-python's is (52 vs 575).
    assert plain["usage"]["prompt_tokens"] < chosen["usage"]["prompt_tokens"] / 3
    assert plain["choices"][0]["message"]["content"].startswith("Answer:")
    assert chosen["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "memory_search"


def run_json(args):
    return main([*args, "--json"])


def test_memgym_runs_get_their_tools_on_a_server_that_needs_tool_choice(tmp_path, capsys):
    """Writer and answerer over HTTP equal the in-process strategic policy, store included."""
    common = ["run", "--tier", "lite", "--seeds", "2"]
    assert run_json([*common, "--policies", "strategic", "--results", str(tmp_path / "a.db")]) == 0
    local = json.loads(capsys.readouterr().out)["episodes"]
    with running(faults=Faults(tools_need_choice=True)) as server:
        url = server.base_url
        writer = f"agentic-llm:base_url={url},script=strategic"
        args = ["--memory", writer, "--model", "memgym-scripted", "--base-url", url]
        assert run_json([*common, *args, "--results", str(tmp_path / "b.db")]) == 0
        stats = dict(server.stats)
    served = json.loads(capsys.readouterr().out)["episodes"]
    assert "tools_dropped" not in stats and stats["tool_calls"] > 0
    for mine, theirs in zip(served, local, strict=True):
        assert mine["writes_used"] == theirs["writes_used"] > 0
        assert mine["tokens_stored"] == theirs["tokens_stored"]
        assert mine["composite"] == theirs["composite"] > 0.2
        assert [a["answer"] for a in mine["answers"]] == [a["answer"] for a in theirs["answers"]]
    # Every write the store holds came from a tool call the server made and memgym executed.
    assert stats["tool_calls"] >= sum(r["writes_used"] for r in served)
