"""Expert trajectories as a chat fine-tuning set for the answerer of ``memgym run --model``.

An expert chat record (``memgym trajectories``, format ``memgym-chat-v1``) holds the whole episode
as environment tool calls. At each question the expert searches its store, reads what comes back
and submits an answer. ``answer_conversations`` cuts out those exchanges and writes each as the
conversation the ``llm`` reasoner has with a model in ``memgym run`` (same brief, same question
prompt, same tools, same tool results), so what the model learns is exactly what it is later asked.
With ``tools="text"`` (the protocol any server takes) the tool list is in the prompt, each call an
assistant ``CALL`` line and each result a user ``RESULT`` line, one call per turn.

The scenario is regenerated from the record (its hash checked), so the question text is the
track's own, never copied from the record's rendered events.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from memgym.envs import tools as T
from memgym.envs.trajectories import FORMAT
from memgym.jsonl import json_objects
from memgym.llm.textcalls import describe, render_calls, render_results
from memgym.memory.tools import ANSWER_TOOLS
from memgym.reasoners.llm import render
from memgym.scoring import is_correct
from memgym.scoring.reading import answer_names
from memgym.tracks import get_track
from memgym.train.rollout_demos import is_rollout_row
from memgym.types import Message, Question, Scenario, View

ROW_FORMAT = "memgym-sft-v1"


Call = tuple[str, dict[str, Any], str]
"""(tool, arguments, result text) of one recorded call."""


def _calls(record: Mapping[str, Any]) -> list[tuple[Call, float]]:
    """Every call of a chat record with the reward it earned, in order."""
    messages = record["messages"]
    rewards = record["memgym"].get("rewards") or []
    out: list[tuple[Call, float]] = []
    for i, message in enumerate(messages):
        for call in message.get("tool_calls") or []:
            result = messages[i + 1]["content"] if i + 1 < len(messages) else ""
            function = call["function"]
            n = len(out)
            reward = float(rewards[n]) if n < len(rewards) else 0.0
            args = json.loads(function["arguments"] or "{}")
            out.append(((function["name"], args, result), reward))
    return out


def scenario_of(record: Mapping[str, Any]) -> Scenario:
    """The record's scenario, regenerated; ``ValueError`` when it is not a chat record or its
    scenario no longer regenerates to the recorded hash."""
    meta = record.get("memgym")
    if not isinstance(meta, Mapping) or meta.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} chat record (its 'memgym' metadata is missing)")
    scenario = get_track(meta["track"]).generate(meta["seed"], meta["tier"], **meta["overrides"])
    if scenario.hash != meta["scenario_hash"]:
        raise ValueError(f"scenario {meta['track']}/{meta['seed']} regenerates to another hash")
    return scenario


def question_exchanges(record: Mapping[str, Any]) -> Iterator[tuple[list[Call], bool]]:
    """The calls the expert made at each question (searches and reads, then ``submit_answer``),
    and whether its answer scored right, one pair per question in the order asked."""
    pending: list[Call] = []
    for (name, args, result), reward in _calls(record):
        if name == T.NEXT:
            pending = []
            continue
        pending.append((name, args, result))
        if name == T.ANSWER:
            yield [c for c in pending if c[0] in ANSWER_TOOLS.tools], reward > 0
            pending = []
        elif name not in ANSWER_TOOLS.tools:
            pending = []  # a write on a plain event: not part of an answer


def conversation(question: Question, brief: str, calls: Iterable[Call]) -> list[dict[str, Any]]:
    """One question's exchange as the text-tools conversation of the ``llm`` reasoner."""
    view = View(messages=[Message(role="system", content=brief)])
    messages = render(question, view, True, describe(ANSWER_TOOLS))
    for name, args, result in calls:
        messages.append({"role": "assistant", "content": render_calls([(name, args)])})
        if name != T.ANSWER:
            messages.append({"role": "user", "content": render_results([(name, result)])})
    return messages


def answer_conversations(record: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every question of an expert chat record as a fine-tuning row: ``messages`` (the run path's
    text-tools conversation) and ``memgym`` (scenario hash, track, seed, question id, policy, and
    ``correct``: whether the expert's answer scored right)."""
    scenario = scenario_of(record)
    meta = record["memgym"]
    exchanges = list(question_exchanges(record))
    questions = scenario.questions
    if len(exchanges) != len(questions):
        raise ValueError(
            f"record {meta['track']}/{meta['seed']} answers {len(exchanges)} of"
            f" {len(questions)} questions"
        )
    names = answer_names(scenario)
    for question, (calls, _) in zip(questions, exchanges, strict=True):
        # marked again, not read off the reward: abstention questions earn none, right or not
        given = [str(args.get("answer", "")) for name, args, _ in calls if name == T.ANSWER]
        correct = bool(given) and is_correct(question, given[-1], names)
        yield {
            "messages": conversation(question.public(), scenario.brief, calls),
            "memgym": {
                "format": ROW_FORMAT,
                "scenario_hash": scenario.hash,
                "track": scenario.track,
                "seed": scenario.seed,
                "question_id": question.id,
                "policy": meta["policy"],
                "correct": correct,
            },
        }


def read_rows(lines: Iterable[str], source: str = "") -> Iterator[dict[str, Any]]:
    """Fine-tuning rows from JSONL lines of expert chat records or of rows already built
    (answer conversations, or rollout demonstrations of ``memgym.train.rollout_demos``); a bad
    line's error names ``source`` (the file)."""
    for _, record in json_objects(lines, source):
        meta = record.get("memgym")
        if (isinstance(meta, dict) and meta.get("format") == ROW_FORMAT) or is_rollout_row(record):
            yield record
        else:
            yield from answer_conversations(record)
