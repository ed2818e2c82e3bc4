"""No agent can reach a gold answer: walk every object a memory and a reasoner are handed.

A spy memory wraps a real one and a spy reasoner wraps the scripted one; they record every
argument the episode loop passes them (brief, params, events, questions, views and the stores
views carry). The walk follows pydantic fields, containers, dataclasses and the attributes of
memgym's own objects, and fails on any gold-holding object (``GoldQuestion``, ``Scenario``,
``Fact``) or any field that names gold (``answer``, ``evidence``, ``answer_type``). The same walk
covers what the Gymnasium environment hands an agent (observations and ``info``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pydantic import BaseModel

from memgym.memory import make_memory
from memgym.memory.base import Memory
from memgym.reasoners import make_reasoner
from memgym.reasoners.base import Reasoner
from memgym.run.episode import evaluate
from memgym.tracks import get_track
from memgym.types import Event, Fact, GoldQuestion, Question, Scenario, View

GOLD_TYPES = (GoldQuestion, Scenario, Fact)
GOLD_FIELDS = frozenset({"answer", "evidence", "answer_type", "tolerance", "kind", "axis"})
"""Fields of the scorer's question; ``kind`` only counts on a question-like object."""


def walk(root: Any, path: str = "handed") -> Iterator[tuple[str, Any]]:
    """Every object reachable from ``root`` (once each), with the path that reached it."""
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [(path, root)]
    while stack:
        where, obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (str, bytes, int, float, bool, type(None))):
            continue
        seen.add(id(obj))
        yield where, obj
        if isinstance(obj, BaseModel):
            children = {name: getattr(obj, name) for name in type(obj).model_fields}
            children |= dict(obj.__pydantic_extra__ or {})
        elif isinstance(obj, Mapping):
            children = {f"[{k!r}]": v for k, v in obj.items()}
            children |= {f"key {k!r}": k for k in obj}
        elif isinstance(obj, (list, tuple, set, frozenset)):
            children = {f"[{i}]": v for i, v in enumerate(obj)}
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            children = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        elif type(obj).__module__.startswith("memgym") and hasattr(obj, "__dict__"):
            children = dict(vars(obj))
        else:
            continue
        stack.extend((f"{where}.{name}", child) for name, child in children.items())


def gold_in(root: Any) -> list[str]:
    """Paths under ``root`` where gold is held."""
    found = []
    for where, obj in walk(root):
        if isinstance(obj, GOLD_TYPES):
            found.append(f"{where}: a {type(obj).__name__}")
        elif isinstance(obj, BaseModel) and "spec" in type(obj).model_fields:
            extra = GOLD_FIELDS & set(type(obj).model_fields)
            if extra:
                found.append(f"{where}: a question with {sorted(extra)}")
    return found


class SpyMemory(Memory):
    """A real memory that keeps every argument it is handed."""

    name = "spy"

    def __init__(self, inner: Memory) -> None:
        self.inner = inner
        self.handed: list[Any] = []

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        self.handed += [brief, params]
        self.inner.reset(brief, params)

    def observe(self, event: Event) -> None:
        self.handed.append(event)
        self.inner.observe(event)

    def recall(self, question: Question) -> View:
        self.handed.append(question)
        return self.inner.recall(question)


class SpyReasoner(Reasoner):
    """The scripted reasoner, keeping every argument it is handed (views with their stores)."""

    name = "spy"

    def __init__(self, inner: Reasoner) -> None:
        self.inner = inner
        self.handed: list[Any] = []

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        super().reset(brief, params)
        self.handed += [brief, params]
        self.inner.reset(brief, params)

    def answer(self, question: Question, view: View) -> str:
        self.handed += [question, view]
        assert set(type(question).model_fields) == {"id", "text", "spec"}
        return self.inner.answer(question, view)


def test_the_walk_finds_gold_when_it_is_there() -> None:
    scenario = get_track("entities").generate(0, "lite")
    question = scenario.questions[0]
    assert gold_in({"q": question}) and gold_in([scenario]) and gold_in(scenario.facts[0])
    assert gold_in(View(store={"held": [question]}))
    assert gold_in(question.public()) == []


@pytest.mark.parametrize("track_name", ["entities", "research", "codeqa", "dialogue"])
@pytest.mark.parametrize("memory_spec", ["full", "agentic:policy=strategic", "stats"])
def test_no_gold_reaches_a_memory_or_a_reasoner(track_name: str, memory_spec: str) -> None:
    track = get_track(track_name)
    scenario = track.generate(1, "lite")
    memory = SpyMemory(make_memory(memory_spec, track))
    reasoner = SpyReasoner(make_reasoner("scripted", track))
    result = evaluate(scenario, memory, reasoner)
    assert len(result.answers) == len(scenario.questions) > 0
    asked = [h for h in reasoner.handed if isinstance(h, Question)]
    assert [q.id for q in asked] == [q.id for q in scenario.questions]
    assert gold_in(memory.handed) == []
    assert gold_in(reasoner.handed) == []
    if memory_spec.startswith("agentic"):  # the store a view carries was walked too
        assert any(isinstance(h, View) and h.store is not None for h in reasoner.handed)


def test_the_gym_env_hands_no_gold() -> None:
    from memgym.envs import make

    env = make("memgym/entities-lite-v0")
    obs, info = env.reset(seed=0)
    handed: list[Any] = [obs, info]
    done = False
    steps = 0
    while not done and steps < 400:
        obs, _reward, terminated, truncated, info = env.step('{"name": "next_event"}')
        handed += [obs, info]
        done = terminated or truncated
        steps += 1
    env.close()
    assert steps > 1
    assert gold_in(handed) == []


@pytest.mark.parametrize("track_name", ["entities", "dialogue"])
def test_an_endpoint_is_sent_no_gold(track_name: str) -> None:
    """Everything the ``llm`` reasoner and the ``agentic-llm`` memory send ``memgym serve``
    (request bodies and every header) holds no gold field, and each question's spec header is
    its public spec: the server answers from the prompt and the spec alone."""
    import json

    from memgym.reasoners.llm import LLMReasoner
    from memgym.serve import running

    track = get_track(track_name)
    scenario = track.generate(1, "lite")
    sent: list[tuple[dict[str, Any], dict[str, str]]] = []
    with running() as server:
        reply = server.reply

        def spy(body: dict[str, Any], request: Any, dropped: bool = False) -> Any:
            sent.append((json.loads(json.dumps(body)), {k.lower(): v for k, v in request.items()}))
            return reply(body, request, dropped)

        server.reply = spy  # type: ignore[method-assign]
        memory = make_memory(f"agentic-llm:script=strategic,base_url={server.base_url}", track)
        reasoner = LLMReasoner(track, base_url=server.base_url)
        try:
            result = evaluate(scenario, memory, reasoner)
        finally:
            reasoner.close()
    assert result.status == "ok" and result.correct > 0
    specs = [json.loads(h["x-memgym-spec"]) for _, h in sent if "x-memgym-spec" in h]
    assert specs and all(s in [q.public().spec for q in scenario.questions] for s in specs)
    assert any("x-memgym-policy" in h for _, h in sent)  # the memory's write calls were seen
    keys = {k.lower() for body, headers in sent for _, obj in walk([body, headers])
            if isinstance(obj, Mapping) for k in obj if isinstance(k, str)}  # fmt: skip
    assert not keys & {"evidence", "answer_type", "tolerance", "axis"}, keys
    # "answer" is only the submit tool's parameter (what the model fills in), never a value sent
    answers = [w for body, _ in sent for w, obj in walk(body, "body")
               if isinstance(obj, Mapping) and "answer" in obj]  # fmt: skip
    assert answers and all("['tools']" in w and "['properties']" in w for w in answers), answers
