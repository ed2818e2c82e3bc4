from memgym.memory.context import ContextMemory, Note, Stage, span_tokens
from memgym.types import Event, Question, Span


class KeepLast(Stage):
    """Keeps the last span only; ``calls`` counts shrinks."""

    def __init__(self):
        self.calls = 0

    def reset(self):
        self.calls = 0

    def shrink(self, spans):
        self.calls += 1
        return spans[-1:] if len(spans) > 1 else spans

    def config(self):
        return "keep-last"


def event(step, text, facts=(), kind="document"):
    return Event(step=step, kind=kind, text=text, facts=list(facts))


def test_records_name_the_dropped_spans_and_their_facts():
    stage = KeepLast()
    memory = ContextMemory([stage], "keep-last")
    memory.reset("brief", {})
    memory.observe(event(0, "alpha beta", ["f0", "f1"]))
    assert memory.compactions == []
    memory.observe(event(1, "What?", kind="question"))
    assert stage.calls == 1  # questions are not observed
    memory.observe(event(2, "gamma", ["f1", "f2"]))
    (record,) = memory.compactions
    assert record.step == 2 and record.strategy == "keep-last"
    assert [s.text for s in record.dropped] == ["alpha beta"]
    assert record.facts == ["f0", "f1"]
    assert [m.content for m in record.before] == ["alpha beta", "gamma"]
    assert [m.content for m in record.after] == ["gamma"]
    assert (record.tokens_before, record.tokens_after) == (3, 1)
    view = memory.recall(Question.model_construct())
    assert [m.role for m in view.messages] == ["system", "user"]
    assert memory.tokens_stored == 1
    memory.reset("again", {})
    assert memory.compactions == [] and memory.spans == [] and stage.calls == 0


def test_notes_carry_no_facts_and_count_tokens():
    note = Note(step=3, text="a b c")
    assert note.facts == [] and span_tokens([note, Span(step=0, text="d")]) == 4
