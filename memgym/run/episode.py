"""The episode loop and its scoring: the one path every run, test and front end goes through."""

from __future__ import annotations

from collections.abc import Callable

from memgym import __version__
from memgym.errors import ContextOverflow, InfraError, ModelError
from memgym.memory.base import Memory
from memgym.reasoners.base import Reasoner
from memgym.run.usage import add_usage, component_usage
from memgym.scoring import is_correct, score_answers
from memgym.scoring.reading import Names, answer_names
from memgym.tokens import count_tokens
from memgym.tracks.registry import stream_events
from memgym.types import (
    AnswerRecord,
    EpisodeResult,
    GoldQuestion,
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


def run_episode(scenario: Scenario, memory: Memory, reasoner: Reasoner) -> Transcript:
    """Stream ``scenario`` through ``memory`` and ask ``reasoner`` every question on the way.

    The memory and the reasoner see public events and questions only (``Event.public``,
    ``GoldQuestion.public``): no answer, evidence, kind or answer type reaches them. The only
    exception is the privileged ``Memory.prepare`` hook of reference memories (``oracle``)."""
    memory.prepare(scenario)
    memory.reset(scenario.brief, scenario.params)
    reasoner.reset(scenario.brief, scenario.params)
    transcript = Transcript(scenario_hash=scenario.hash)  # computed once per episode
    known_tokens, counter = _event_tokens(transcript.scenario_hash)
    names = answer_names(scenario)  # read from the facts only if a sentence needs them
    observed = 0
    for event in stream_events(scenario):
        observed += counter(event.text)
        memory.observe(event.public())
        question = event.question
        if question is None:
            continue
        asked = question.public()  # the agent's; the gold stays here, with the scorer
        view = memory.recall(asked)
        status: StepStatus = "ok"
        error: str | None = None
        text = ""
        try:
            text = reasoner.answer(asked, view)
        except ContextOverflow as exc:
            status, error = "context_overflow", str(exc)
        except ModelError as exc:
            status, error = "model_error", str(exc)
        except InfraError as exc:
            status, error = "infra_error", str(exc)
            transcript.errors.append(f"{question.id}: {exc}")
        transcript.answers.append(scored_answer(question, text, names, status, error))
    transcript.writes_used = memory.writes_used
    transcript.tokens_stored = memory.tokens_stored
    if known_tokens is None:
        _remember_tokens(transcript.scenario_hash, observed)
    transcript.tokens_observed = observed if known_tokens is None else known_tokens
    transcript.compactions = [
        c.model_copy(update={"episode": transcript.scenario_hash}) for c in memory.compactions
    ]
    return transcript


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
