"""A naive chat agent that only knows the OpenAI API, replaying a memgym scenario.

It keeps no memory of its own: the brief is its system message, a fixed task message opens the
chat, every event is appended as a user message, and each question is asked (with the prompt an
``LLMReasoner`` uses) over the whole history, through the ``openai`` SDK, to ``base_url`` (a
``memgym proxy`` applying some memory strategy, or an endpoint directly). Questions and answers
are not kept in the history. It sends ``X-Memgym-Track`` and ``X-Memgym-Spec`` (which ``memgym
serve`` answers from) and ``X-Memgym-Conversation``. Answers are scored with memgym's scorer.
"""

from __future__ import annotations

import json
from typing import Any

from memgym.llm.classify import LLMModelError, is_context_overflow
from memgym.memory.history.core import CONVERSATION_HEADER
from memgym.reasoners.llm import (
    FINISH_LINE,
    QUESTION_PROMPT,
    SPEC_HEADER,
    TRACK_HEADER,
    extract_answer,
)
from memgym.run.episode import score, scored_answer
from memgym.scoring.reading import answer_names
from memgym.tracks import stream_events
from memgym.types import EpisodeResult, Question, Scenario, StepStatus, Transcript

TASK = "Records follow, one per message. Questions about them come later; answer from the records."


def question_prompt(question: Question) -> str:
    """The user message that asks ``question`` (the ``LLMReasoner``'s wording, no tools)."""
    return QUESTION_PROMPT.format(question=question.text, tool_hint="", finish=FINISH_LINE)


def replay(
    scenario: Scenario,
    base_url: str,
    conversation: str,
    model: str = "memgym-scripted",
    api_key: str = "memgym-no-key",
    stream: bool = False,
    timeout: float = 60.0,
) -> EpisodeResult:
    """Play ``scenario`` as one chat through ``base_url`` and score the answers."""
    from openai import APIError, APIStatusError, OpenAI

    client = OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=timeout)
    history: list[dict[str, Any]] = [
        {"role": "system", "content": scenario.brief},
        {"role": "user", "content": TASK},
    ]
    transcript = Transcript(scenario_hash=scenario.hash)
    names = answer_names(scenario)
    try:
        for event in stream_events(scenario):
            question = event.question
            if question is None:
                history.append({"role": "user", "content": event.text})
                continue
            headers = {
                TRACK_HEADER: scenario.track,
                SPEC_HEADER: json.dumps(question.spec, sort_keys=True, separators=(",", ":")),
                CONVERSATION_HEADER: conversation,
            }
            messages = [*history, {"role": "user", "content": question_prompt(question.public())}]
            status: StepStatus = "ok"
            error: str | None = None
            text = ""
            try:
                content, finish = _ask(client, model, messages, headers, stream)
                text = extract_answer(content, finish)
            except LLMModelError as exc:
                status, error = "model_error", str(exc)
            except APIStatusError as exc:
                if is_context_overflow(exc.status_code, exc.body or exc.message):
                    status, error = "context_overflow", f"context_length: {exc}"
                else:
                    status, error = "infra_error", f"{type(exc).__name__}: {exc}"
                    transcript.errors.append(f"{question.id}: {error}")
            except APIError as exc:
                status, error = "infra_error", f"{type(exc).__name__}: {exc}"
                transcript.errors.append(f"{question.id}: {error}")
            transcript.answers.append(scored_answer(question, text, names, status, error))
    finally:
        client.close()
    return score(transcript, scenario, memory="proxy", reasoner="naive-openai", model=model)


def _ask(
    client: Any, model: str, messages: list[dict[str, Any]], headers: dict[str, str], stream: bool
) -> tuple[str | None, str | None]:
    """One chat completion's text and finish reason (streamed deltas joined when ``stream``)."""
    if not stream:
        reply = client.chat.completions.create(
            model=model, messages=messages, extra_headers=headers
        )
        choice = reply.choices[0]
        return choice.message.content, choice.finish_reason
    parts: list[str] = []
    finish: str | None = None
    for chunk in client.chat.completions.create(
        model=model, messages=messages, extra_headers=headers, stream=True
    ):
        for choice in chunk.choices:
            parts.append(choice.delta.content or "")
            finish = choice.finish_reason or finish
    return "".join(parts), finish
