"""The plain data that flows through memgym: facts, events, questions, scenarios and results.

Every type is a pydantic model, so JSON round trips are lossless and validated. A scenario's
``hash`` is the sha256 of its canonical JSON (sorted keys, no whitespace), so equal seeds and
params give equal hashes on every machine.
"""

from __future__ import annotations

import copy
import hashlib
import weakref
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Value = int | float | str | list[float]
"""A fact's value: integers, floats, text (also enums, dates, entity names) or a time series."""

EventKind = Literal["document", "correction", "update", "distractor", "question", "session", "task"]
AnswerType = Literal["int", "float", "text", "set", "name_value", "abstain"]
Axis = Literal["breadth", "maintenance", "reasoning", "abstention", "task"]
QuestionKind = Literal[
    "retrieval",
    "post_correction",
    "previous_value",
    "delta",
    "aggregation",
    "comparison",
    "argmax",
    "multi_hop",
    "intermediate_hop",
    "filter_count",
    "trend",
    "call_chain",
    "selection",
    "abstention",
    "task",
]
StepStatus = Literal["ok", "model_error", "context_overflow", "infra_error"]
"""How a step ended. ``model_error`` and ``context_overflow`` (the prompt did not fit the model's
window) are the model's failures, scored wrong; ``infra_error`` is excluded from scores."""
EpisodeStatus = Literal["ok", "model_error", "context_overflow", "infra_error", "tampered"]
"""How an episode ended: as its steps did, or ``tampered``: its scenario no longer hashed to the
hash taken before the episode (something changed it in place), so its score stands for nothing
and, like ``infra_error``, it is excluded from scores and marks its run incomplete."""


class Fact(BaseModel):
    """One unit of ground truth: ``entity.attribute == value`` from event ``step`` on."""

    model_config = ConfigDict(frozen=True)

    id: str
    entity: str
    attribute: str
    value: Value
    step: int


class Question(BaseModel):
    """A question as an agent is asked it: its id, its text and its structured ``spec``.

    This is the public question: memories, reasoners, front ends and endpoints receive only
    this. It carries no answer, no evidence, no kind, axis or answer type (an ``abstain`` type
    or an ``abstention`` kind would say the answer). ``spec`` is the question in memgym's
    structured query language (see ``memgym.query``): the scripted reasoner reads it instead of
    parsing ``text``. It never contains the answer.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    spec: dict[str, Any]


class GoldQuestion(BaseModel):
    """A question with its gold answer and the ids of the facts that prove it: the scorer's.

    Scenarios keep these; the episode loop hands agents ``public()`` only, and scores their
    answers against this. ``spec`` never contains the answer.
    """

    id: str
    kind: QuestionKind
    axis: Axis
    text: str
    spec: dict[str, Any]
    answer: Value | list[str] | None
    answer_type: AnswerType
    tolerance: float = 0.0
    evidence: list[str] = Field(default_factory=list)

    def public(self) -> Question:
        """The question as an agent is asked it (a deep copy of ``spec``: nothing shared)."""
        return Question(id=self.id, text=self.text, spec=copy.deepcopy(self.spec))


PUBLIC_KINDS = frozenset({"question", "session"})
"""Event kinds a memory is told: a question is asked at that very step, a session boundary is
stated by the event's text."""


class Event(BaseModel):
    """One thing the agent lives through. ``facts`` lists the ids of the facts its text states."""

    step: int
    kind: EventKind
    text: str
    facts: list[str] = Field(default_factory=list)
    question: GoldQuestion | None = None

    def public(self) -> Event:
        """The event as a memory sees it: a fresh copy (what a memory changes in it changes
        nothing of the scenario's) of its step and text, its kind only where the stream says it
        anyway (``question``, ``session``; every other kind reads ``document``: a memory must
        tell a correction or a distractor from a document by reading), no fact ids and no gold
        (an agent is asked ``question.public()`` separately)."""
        kind = self.kind if self.kind in PUBLIC_KINDS else "document"
        return Event.model_construct(
            step=self.step, kind=kind, text=self.text, facts=[], question=None
        )

    def reference(self) -> Event:
        """The event as a reference memory of the evaluator's sees it (``distractors``, the
        ablation, reads the true kind): a fresh copy without the gold."""
        return Event.model_construct(
            step=self.step, kind=self.kind, text=self.text, facts=list(self.facts), question=None
        )


class Scenario(BaseModel):
    """One deterministic episode script of a track: a brief, the world's facts and the events."""

    track: str
    seed: int
    params: dict[str, Any]
    brief: str
    facts: list[Fact]
    events: list[Event]
    filler: dict[str, Any] = Field(default_factory=dict)
    """The track's plan for filler events it generates lazily between ``events`` (which then
    leave gaps in their step numbers); empty when ``events`` is the whole stream. Iterate the
    whole stream with ``memgym.tracks.stream_events(scenario)``."""

    def canonical_json(self) -> str:
        """The byte-stable JSON form that ``hash`` is taken over: compact, fields in declaration
        order, dict keys in insertion order (which generation fixes deterministically)."""
        return self.model_dump_json()

    @property
    def hash(self) -> str:
        """sha256 of the canonical JSON, hex encoded. Computed once per scenario object (every
        policy of a run streams the same one): assigning a field or ``model_copy`` gives a fresh
        hash; lists and dicts inside a hashed scenario must not be changed in place."""
        key = id(self)
        mark = _fingerprint(self)
        hit = _HASHES.get(key)
        if hit is not None and hit[0]() is self and hit[1] == mark:
            return hit[2]
        value = self.fresh_hash()
        _HASHES[key] = (weakref.ref(self, _forget(key)), mark, value)
        return value

    def fresh_hash(self) -> str:
        """``hash`` computed again from the canonical JSON, never from the cache: what the
        evaluator compares after an episode with the hash taken before it."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()

    @property
    def questions(self) -> list[GoldQuestion]:
        """The questions (with their gold) in stream order."""
        return [e.question for e in self.events if e.question is not None]

    def fact_index(self) -> dict[str, Fact]:
        """Facts by id."""
        return {f.id: f for f in self.facts}


_HASHES: dict[int, tuple[weakref.ref[Scenario], tuple[int, ...], str]] = {}
"""id(scenario) -> (weak reference, field fingerprint, hash) for live scenarios."""


def _fingerprint(scenario: Scenario) -> tuple[int, ...]:
    """The identities of a scenario's field values (and list lengths): any assignment changes it."""
    return (
        *(id(getattr(scenario, name)) for name in Scenario.model_fields),
        len(scenario.events),
        len(scenario.facts),
    )


def _forget(key: int) -> Any:
    """The weakref callback dropping a dead scenario's cached hash."""

    def drop(ref: weakref.ref[Scenario]) -> None:
        hit = _HASHES.get(key)
        if hit is not None and hit[0] is ref:
            del _HASHES[key]

    return drop


class Message(BaseModel):
    """One chat message of a view."""

    role: Literal["system", "user", "assistant", "tool"]
    content: str


class View(BaseModel):
    """What a reasoner sees at a question: messages and, for agentic memory, a searchable store."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    messages: list[Message] = Field(default_factory=list)
    store: Any = None

    def text(self) -> str:
        """All message contents joined in order."""
        return "\n".join(m.content for m in self.messages)


class Span(BaseModel):
    """One piece of a memory's context: an observed event's text (with the fact ids it states) or
    a text the memory made itself (a placeholder, a summary), which states no fact id."""

    step: int
    text: str
    facts: list[str] = Field(default_factory=list)


class AskedQuestion(BaseModel):
    """A question the agent was asked: its text and the step of the stream it came at."""

    step: int
    text: str


class CompactionRecord(BaseModel):
    """One compaction: what a memory held before and after it dropped or replaced content.

    ``before`` and ``after`` are the memory's context messages (the brief is not repeated);
    ``dropped`` are the spans that left, and ``facts`` exactly the fact ids they carried, in
    order of first appearance. ``asked`` are the questions asked before the compaction (the
    dialogue so far: known at compaction time, never a later one). ``episode`` is the scenario
    hash (filled in by ``run_episode``).
    """

    episode: str = ""
    step: int
    strategy: str
    before: list[Message]
    after: list[Message]
    dropped: list[Span]
    facts: list[str]
    tokens_before: int
    tokens_after: int
    asked: list[AskedQuestion] = Field(default_factory=list)


class AnswerRecord(BaseModel):
    """A reasoner's answer to one question, scored."""

    question_id: str
    kind: QuestionKind
    axis: Axis
    answer: str
    correct: bool
    status: StepStatus = "ok"
    error: str | None = None


class Transcript(BaseModel):
    """What happened in one episode, before aggregation into scores."""

    scenario_hash: str
    answers: list[AnswerRecord] = Field(default_factory=list)
    writes_used: int = 0
    tokens_observed: int = 0
    tokens_stored: int = 0
    errors: list[str] = Field(default_factory=list)
    compactions: list[CompactionRecord] = Field(default_factory=list)


class EpisodeResult(BaseModel):
    """The scored outcome of one episode: the row the results store keeps."""

    track: str
    seed: int
    params: dict[str, Any]
    scenario_hash: str
    memory: str
    reasoner: str
    model: str = "scripted"
    version: str
    axes: dict[str, float]
    composite: float
    accuracy: float
    abstention: float | None
    questions: int
    correct: int
    writes_used: int
    tokens_observed: int
    tokens_stored: int
    status: EpisodeStatus = "ok"
    overflows: int = 0
    """Answers lost to a context overflow (status ``context_overflow``; scored wrong)."""
    reason: str | None = None
    """Why an ``infra_error`` episode failed (one line, e.g. a missing extra's install command)."""
    boundary: Literal["in-process", "in-process (third-party)", "process", "sandbox"] = "in-process"
    """What ran the memory and the reasoner (or agent): the evaluator's own process with
    memgym's code only, the evaluator's process with code from outside memgym (registered
    there; never ranked beside the others), a worker process, or a worker process in a sandbox
    (``memgym.run.sandbox``)."""
    salt: str = ""
    """The digest of the salt the scenario's seed was drawn under (``memgym.salt``); "" when
    the seed is public."""
    usage: dict[str, float] = Field(default_factory=dict)
    """LLM calls, retries, failures, tokens and cost of the episode (memory's + reasoner's)."""
    answers: list[AnswerRecord] = Field(default_factory=list)
    compactions: list[CompactionRecord] = Field(default_factory=list)
