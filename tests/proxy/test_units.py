"""Chat histories as atomic units, and the pairing property: whatever a strategy drops, a tool
call and its results are never split, and the system prompt and the task are always kept."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from memgym.memory.history.units import group, render
from memgym.proxy import MemoryProxy, dangling, split

SYSTEM = {"role": "system", "content": "You are an agent."}
TASK = {"role": "user", "content": "Fix the bug in parser.py."}


def call_unit(uid: str, n: int, words: str) -> list[dict]:
    calls = [
        {"id": f"{uid}-{j}", "type": "function",
         "function": {"name": "read", "arguments": json.dumps({"path": f"f{j}.py"})}}
        for j in range(n)
    ]  # fmt: skip
    results = [
        {"role": "tool", "tool_call_id": f"{uid}-{j}", "content": f"{words} result {j}"}
        for j in range(n)
    ]
    return [{"role": "assistant", "content": "", "tool_calls": calls}, *results]


def test_a_tool_call_groups_with_all_its_results_and_orphans_stand_alone():
    pair = call_unit("a", 2, "x")
    orphan = {"role": "tool", "tool_call_id": "zz", "content": "late"}
    note = {"role": "user", "content": "ok"}
    units = group([*pair, note, orphan])
    assert [len(u) for u in units] == [3, 1, 1]
    assert units[0] == pair


def test_split_pins_system_and_task_and_keeps_the_last_unit_live():
    pair = call_unit("a", 1, "x")
    history = split([SYSTEM, TASK, {"role": "user", "content": "more"}, *pair])
    assert history.head == (SYSTEM, TASK)
    assert [u.text for u in history.body] == ["more"]
    assert history.live is not None and list(history.live.messages) == pair


def test_a_lone_user_message_renders_as_its_text_and_a_pair_as_tagged_lines():
    assert (
        render([{"role": "user", "content": [{"type": "text", "text": "a"}, {"text": "b"}]}])
        == "ab"
    )
    text = render(call_unit("a", 1, "w"))
    assert (
        'assistant calls read({"path": "f0.py"})' in text
        and "tool result (a-0): w result 0" in text
    )


def test_dangling_finds_both_kinds_of_split_pair():
    pair = call_unit("a", 2, "x")
    assert dangling([SYSTEM, TASK, *pair]) == []
    assert dangling([SYSTEM, *pair[:2]]) == ["call without result: a-1"]
    assert dangling([SYSTEM, pair[2]]) == ["result without call: a-1"]


def test_bad_messages_are_refused_with_a_clear_error():
    import pytest

    with pytest.raises(ValueError, match="must be a list"):
        split({"role": "user"})
    with pytest.raises(ValueError, match=r"messages\[1\]"):
        split([SYSTEM, "hello"])


WORDS = st.text(alphabet="abcdefgh 0123", min_size=1, max_size=60)


@st.composite
def histories(draw) -> list[dict]:
    """A system prompt, a task, then user notes, assistant replies and tool-call pairs."""
    messages = [SYSTEM, TASK]
    for i in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["user", "assistant", "tools"]))
        words = f"{draw(WORDS)} #{i}"  # unique texts: an output message names its original
        if kind == "tools":
            messages.extend(call_unit(f"c{i}", draw(st.integers(1, 3)), words))
        else:
            messages.append({"role": kind, "content": words})
    return messages


SPECS = st.one_of(
    st.integers(0, 120).map(lambda n: f"window:max_tokens={n}"),
    st.integers(0, 4).map(lambda k: f"mask:keep={k}"),
    st.integers(8, 120).map(lambda n: f"summary:max_tokens={n}"),
    st.sampled_from(["full", "none", "rag-bm25:k=2"]),
)


def pairs_whole(original: list[dict], out: list[dict]) -> bool:
    """Every tool-call unit of ``original`` appears in ``out`` entirely and contiguously, or not
    at all."""
    for unit in group(original):
        if len(unit) < 2:
            continue
        present = [m in out for m in unit]
        if any(present) and not all(present):
            return False
        if all(present):
            start = out.index(unit[0])
            if out[start : start + len(unit)] != unit:
                return False
    return True


@settings(max_examples=120, deadline=None)
@given(histories(), SPECS, st.lists(st.integers(2, 40), max_size=3), st.integers(0, 2))
def test_no_compaction_ever_splits_a_tool_call_from_its_results(messages, spec, cuts, forced):
    assert dangling(messages) == []
    proxy = MemoryProxy(spec)
    lengths = sorted({min(c, len(messages)) for c in cuts} | {len(messages)})
    for n in lengths:  # one conversation growing over several requests
        turn = proxy.compact(messages[:n], {"X-Memgym-Conversation": "c"})
        out = turn.messages
        for _ in range(forced):
            out = proxy.force(turn) or out
        assert set(dangling(out)) <= set(dangling(messages[:n]))  # a cut request may end open
        assert pairs_whole(messages[:n], out)
        assert out[:2] == [SYSTEM, TASK]
        live = split(messages[:n]).live
        if live is not None:
            assert out[-len(live.messages) :] == list(live.messages)
        originals = [m for m in out if m in messages]
        notes = [m for m in out if m not in messages]
        assert all(m["role"] == "user" and "tool_calls" not in m for m in notes)
        assert [messages.index(m) for m in originals] == sorted(
            messages.index(m) for m in originals
        )
