"""The episode loop and its scoring: the one path every run, test and front end goes through."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from memgym import __version__
from memgym.errors import ContextOverflow, InfraError, ModelError
from memgym.llm.usage import add_usage, component_usage
from memgym.memory.base import Memory
from memgym.memory.reference import ReferenceMemory
from memgym.reasoners.base import Reasoner
from memgym.scoring import is_correct, score_answers
from memgym.scoring.reading import Names, answer_names
from memgym.tokens import count_tokens
from memgym.tracks.registry import stream_events
from memgym.types import (
    AnswerRecord,
    CompactionRecord,
    EpisodeResult,
    Event,
    GoldQuestion,
    Question,
    Scenario,
    StepStatus,
    Transcript,
)

_STREAM_TOKENS: dict[str, int] = {}
_STREAM_TOKENS_MAX = 4096


def _event_tokens(scenario_hash: str) -> tuple[int | None, Callable[[str], int]]:
    """The scenario's stream token total if known (every policy streams the same scenario), and
    the counter to use for its events: a real one the first time, a free one after."""
    known = _STREAM_TOKENS.get(scenario_hash)
    return known, (count_tokens if known is None else _zero)


def _zero(_text: str) -> int:
    return 0


def _remember_tokens(scenario_hash: str, total: int) -> None:
    if len(_STREAM_TOKENS) >= _STREAM_TOKENS_MAX:
        _STREAM_TOKENS.clear()
    _STREAM_TOKENS[scenario_hash] = total


class Side(Protocol):
    """The evaluated side of an episode, as the episode loop drives it: in this process
    (``LocalSide``) or behind the boundary (``memgym.run.remote.RemoteSide``)."""

    def reset(self, brief: str, params: dict[str, Any]) -> None: ...

    def observe(self, event: Event) -> None:
        """See a scenario event: the side hands on its public copy (``Event.public``)."""

    def answer(self, question: Question) -> tuple[str, StepStatus, str | None]: ...

    def end(self) -> EpisodeEnd: ...


@dataclass
class EpisodeEnd:
    """What the evaluated side reports after the last event."""

    writes_used: int
    tokens_stored: int
    compactions: list[CompactionRecord]


class LocalSide:
    """A memory and a reasoner in this process (trusted code: memgym's own strategies)."""

    def __init__(self, memory: Memory, reasoner: Reasoner) -> None:
        self.memory = memory
        self.reasoner = reasoner
        self.reference = isinstance(memory, ReferenceMemory)

    def reset(self, brief: str, params: dict[str, Any]) -> None:
        self.memory.reset(brief, copy.deepcopy(params))
        self.reasoner.reset(brief, copy.deepcopy(params))

    def observe(self, event: Event) -> None:
        self.memory.observe(event.reference() if self.reference else event.public())

    def answer(self, question: Question) -> tuple[str, StepStatus, str | None]:
        view = self.memory.recall(question)
        try:
            return self.reasoner.answer(question, view), "ok", None
        except ContextOverflow as exc:
            return "", "context_overflow", str(exc)
        except ModelError as exc:
            return "", "model_error", str(exc)
        except InfraError as exc:
            return "", "infra_error", str(exc)

    def end(self) -> EpisodeEnd:
        m = self.memory
        return EpisodeEnd(m.writes_used, m.tokens_stored, list(m.compactions))


def run_episode(scenario: Scenario, memory: Memory, reasoner: Reasoner) -> Transcript:
    """Stream ``scenario`` through ``memory`` and ask ``reasoner`` every question on the way, in
    this process (``play`` with a ``LocalSide``). A reference memory (``oracle``) is bound to the
    scenario's gold here, by the evaluator; no other memory receives the scenario."""
    if isinstance(memory, ReferenceMemory):
        memory.bind(scenario)
    return play(scenario, LocalSide(memory, reasoner))


def play(scenario: Scenario, side: Side) -> Transcript:
    """Stream ``scenario`` through the evaluated ``side`` and score every answer on the way.

    The side sees public events and questions only (``Event.public``, ``GoldQuestion.public``:
    fresh copies, no answer, evidence, kind or answer type); the gold stays here, with the
    scorer."""
    side.reset(scenario.brief, scenario.params)
    transcript = Transcript(scenario_hash=scenario.hash)  # computed once per episode
    known_tokens, counter = _event_tokens(transcript.scenario_hash)
    names = answer_names(scenario)  # read from the facts only if a sentence needs them
    observed = 0
    stated: dict[int, tuple[int, list[str]]] = {}
    for event in stream_events(scenario):
        observed += counter(event.text)
        if event.facts:
            stated[event.step] = (hash(event.text), event.facts)
        side.observe(event)
        question = event.question
        if question is None:
            continue
        text, status, error = side.answer(question.public())
        if status == "infra_error":
            transcript.errors.append(f"{question.id}: {error}")
        transcript.answers.append(scored_answer(question, text, names, status, error))
    end = side.end()
    transcript.writes_used = end.writes_used
    transcript.tokens_stored = end.tokens_stored
    if known_tokens is None:
        _remember_tokens(transcript.scenario_hash, observed)
    transcript.tokens_observed = observed if known_tokens is None else known_tokens
    transcript.compactions = [
        with_facts(c, stated, transcript.scenario_hash) for c in end.compactions
    ]
    return transcript


def with_facts(
    record: CompactionRecord, stated: dict[int, tuple[int, list[str]]], episode: str
) -> CompactionRecord:
    """``record`` of ``episode`` with the fact ids its dropped spans carried, filled in by the
    evaluator (memories are handed no fact ids): a dropped span that is an observed event's text
    states that event's facts (``stated``: step -> hash of the text, fact ids); a text the
    memory made (a placeholder, a summary) states none."""
    dropped = []
    for span in record.dropped:
        hit = stated.get(span.step)
        facts = list(hit[1]) if hit is not None and hit[0] == hash(span.text) else []
        dropped.append(span.model_copy(update={"facts": facts}))
    facts = list(dict.fromkeys(f for s in dropped for f in s.facts))
    return record.model_copy(update={"episode": episode, "dropped": dropped, "facts": facts})


def untouched(result: EpisodeResult, scenario: Scenario) -> EpisodeResult:
    """``result``, with status ``tampered`` when ``scenario`` no longer hashes to the
    ``scenario_hash`` it recorded (hashed afresh: something changed it in place)."""
    if scenario.fresh_hash() != result.scenario_hash:
        result.status = "tampered"
    return result


def scored_answer(
    question: GoldQuestion,
    answer: str,
    names: Names | None,
    status: StepStatus = "ok",
    error: str | None = None,
) -> AnswerRecord:
    """The record of ``answer`` to ``question``: correct when the step went well (``status``
    ``ok``) and the scorer marks it right (``names``: ``answer_names`` of the scenario)."""
    return AnswerRecord(
        question_id=question.id,
        kind=question.kind,
        axis=question.axis,
        answer=answer,
        correct=status == "ok" and is_correct(question, answer, names),
        status=status,
        error=error,
    )


def score(
    transcript: Transcript,
    scenario: Scenario,
    memory: str,
    reasoner: str,
    model: str = "scripted",
    usage: dict[str, float] | None = None,
) -> EpisodeResult:
    """Aggregate a transcript into the result row the results store keeps."""
    scores = score_answers(transcript.answers, transcript.writes_used)
    infra = any(a.status == "infra_error" for a in transcript.answers)
    return EpisodeResult(
        track=scenario.track,
        seed=scenario.seed,
        params=scenario.params,
        scenario_hash=transcript.scenario_hash,
        memory=memory,
        reasoner=reasoner,
        model=model,
        version=__version__,
        axes=scores.axes,
        composite=scores.composite,
        accuracy=scores.accuracy,
        abstention=scores.abstention,
        questions=scores.questions,
        correct=scores.correct,
        writes_used=transcript.writes_used,
        tokens_observed=transcript.tokens_observed,
        tokens_stored=transcript.tokens_stored,
        status="infra_error" if infra else "ok",
        overflows=sum(a.status == "context_overflow" for a in transcript.answers),
        usage=usage or {},
        answers=transcript.answers,
        compactions=transcript.compactions,
    )


def evaluate(scenario: Scenario, memory: Memory, reasoner: Reasoner) -> EpisodeResult:
    """Run and score one episode, with the reasoner's model id and the episode's LLM usage."""
    transcript = run_episode(scenario, memory, reasoner)
    usage = add_usage([component_usage(memory), component_usage(reasoner)])
    return score(
        transcript, scenario, memory.config(), reasoner.config(), model_id(reasoner), usage
    )


def model_id(reasoner: Reasoner) -> str:
    """The model a reasoner asks: its ``model_id()`` or ``model`` attribute, else "scripted"."""
    named = getattr(reasoner, "model_id", None)
    model = named() if callable(named) else getattr(reasoner, "model", None)
    return model if isinstance(model, str) and model else "scripted"
