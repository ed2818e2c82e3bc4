"""The proxy's memory side without HTTP: conversations, compaction records, gate, forcing."""

import pytest

from memgym.memory.history.units import render
from memgym.proxy import MemoryProxy, RecordLog, read_records, split
from memgym.rmdata.proxy_rows import export_rows
from memgym.tokens import count_tokens
from tests.proxy.test_units import SYSTEM, TASK, call_unit

CONV = {"X-Memgym-Conversation": "c1"}


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def test_a_window_drops_a_tool_pair_whole_and_records_it(tmp_path):
    pair = call_unit("a", 2, "alpha beta gamma delta " * 5)
    messages = [SYSTEM, TASK, *pair, user("short note"), user("the question")]
    budget = count_tokens(render(pair))  # the pair fits alone, not with the note after it
    log = RecordLog(tmp_path / "c.jsonl")
    proxy = MemoryProxy(f"window:max_tokens={budget}", records=log)
    turn = proxy.compact(messages, CONV)
    log.close()
    assert turn.messages == [SYSTEM, TASK, user("short note"), user("the question")]
    (record,) = read_records(tmp_path / "c.jsonl")
    assert record.episode == "c1" and record.strategy == f"window:max_tokens={budget}"
    assert [s.text for s in record.dropped] == [render(pair)]
    assert record.tokens_before == budget + count_tokens("short note")
    assert record.tokens_after == count_tokens("short note")


def test_a_growing_conversation_is_found_by_its_prefix_and_observes_only_new_units():
    proxy = MemoryProxy("full")
    a = [SYSTEM, TASK, user("one"), user("two")]
    b = [SYSTEM, user("another task"), user("x"), user("y")]
    first = proxy.compact(a, {})
    proxy.compact(b, {})
    again = proxy.compact([*a, user("three")], {})
    assert proxy.conversations() == 2
    assert again.conversation is first.conversation
    assert [u.text for u in again.conversation.units] == ["one", "two"]  # "three" is live


def test_an_edited_history_starts_the_named_conversation_afresh():
    proxy = MemoryProxy("full")
    proxy.compact([SYSTEM, TASK, user("one"), user("two"), user("q")], CONV)
    turn = proxy.compact([SYSTEM, TASK, user("changed"), user("q")], CONV)
    assert [u.text for u in turn.conversation.units] == ["changed"]
    assert proxy.conversations() == 1


def test_the_gate_refuses_harmful_compactions_by_pinning_the_dropped_units(tmp_path):
    def gate(brief: str, record) -> float:
        assert brief == f"{SYSTEM['content']}\n{TASK['content']}"  # the pinned head
        return 1.0 if any("KEEP" in s.text for s in record.dropped) else 0.0

    log = RecordLog(tmp_path / "g.jsonl")
    proxy = MemoryProxy("window:max_tokens=3", gate=gate, records=log)
    notes = [user("KEEP this fact"), user("drop me now"), user("and me too"), user("last one")]
    turn = proxy.compact([SYSTEM, TASK, *notes, user("q")], CONV)
    log.close()
    assert turn.messages == [SYSTEM, TASK, notes[0], notes[3], user("q")]
    rows = [line for line in (tmp_path / "g.jsonl").read_text().splitlines()]
    assert len(rows) == len(list(read_records(tmp_path / "g.jsonl"))) == 3
    assert ['"refused":true' in r for r in rows] == [True, False, False]


def test_a_forced_compaction_drops_the_oldest_half_for_good(tmp_path):
    log = RecordLog(tmp_path / "f.jsonl")
    proxy = MemoryProxy("full", records=log)
    notes = [user(f"note {i}") for i in range(6)]
    turn = proxy.compact([SYSTEM, TASK, *notes, user("q")], CONV)
    forced = proxy.force(turn)
    assert forced == [SYSTEM, TASK, *notes[3:], user("q")]
    later = proxy.compact([SYSTEM, TASK, *notes, user("n6"), user("q2")], CONV)
    assert later.messages == [SYSTEM, TASK, *notes[3:], user("n6"), user("q2")]
    log.close()
    (record,) = read_records(tmp_path / "f.jsonl")
    assert record.strategy == "full+forced" and [s.text for s in record.dropped] == [
        "note 0", "note 1", "note 2"
    ]  # fmt: skip
    empty = proxy.compact([SYSTEM, TASK, user("q3")], {"X-Memgym-Conversation": "c2"})
    assert proxy.force(empty) is None


def test_masked_units_come_back_as_placeholders_and_summaries_as_notes():
    notes = [user(f"Orvona Group revenue_musd is {100 + i}.") for i in range(4)]
    turn = MemoryProxy("mask:keep=1").compact([SYSTEM, TASK, *notes, user("q")], CONV)
    assert turn.messages[-2:] == [notes[-1], user("q")]
    assert [m["content"] for m in turn.messages[2:5]] == [
        f"[observation at step {i} omitted]" for i in range(3)
    ]


def test_memories_that_need_the_scenario_or_a_store_are_refused():
    with pytest.raises(ValueError, match="whole scenario"):
        MemoryProxy("oracle")
    with pytest.raises(ValueError, match="unknown memory"):
        MemoryProxy("nope")
    proxy = MemoryProxy("agentic:policy=perfect")
    with pytest.raises(ValueError, match="searchable store"):
        proxy.compact([SYSTEM, TASK, user("a"), user("q")], CONV)


def test_split_of_the_forwarded_messages_keeps_the_head():
    turn = MemoryProxy("none").compact([SYSTEM, TASK, user("a"), user("q")], CONV)
    assert split(turn.messages).head == (SYSTEM, TASK)
    assert turn.messages == [SYSTEM, TASK, user("q")]


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ('{"a": 1}', "missing step, strategy, before, after, dropped, facts, tokens_before"),
        ("[1, 2]", "not a CompactionRecord: the line: Input should be"),
    ],
)
def test_a_bad_records_line_is_named_in_a_few_words(tmp_path, line, why):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    for read in (lambda: list(read_records(path)), lambda: export_rows(path, tmp_path / "o")):
        with pytest.raises(ValueError, match="not a CompactionRecord") as info:
            read()
        message = str(info.value)
        assert why in message and "pydantic" not in message and len(message) < 300
