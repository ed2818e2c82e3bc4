"""Expert episodes as training data: OpenAI-format chat records with real tool calls, a segmented
form split at memory actions, and replay, which checks a record reproduces its store and score.

A chat record is one JSON object per episode: ``messages`` (system instructions and brief, the
first event as a user message, then one assistant tool call per turn and its ``tool`` result;
after ``next_event`` or ``submit_answer`` the result is the next event), ``tools`` (the schemas
of ``memgym.envs.tools``) and ``memgym`` (scenario hash, track, tier, seed, overrides, policy,
per-step rewards, scores and the final store, which fine-tuning uploads may drop).

A segment record starts at each memory action (write, edit, delete): the system message, the
current event as a user message, then the calls up to the next memory action. ``reward`` is what
the segment earned and ``return`` what it and every later segment earned (undiscounted), for
training methods that edit their own context at memory actions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from memgym.envs import tools as T
from memgym.envs.episode import Episode
from memgym.envs.expert import ExpertEpisode, Step
from memgym.envs.prompts import system_prompt
from memgym.tracks import get_track

FORMAT = "memgym-chat-v1"


def _assistant(i: int, step: Step) -> dict[str, Any]:
    call = {"name": step.name, "arguments": json.dumps(step.args, ensure_ascii=False)}
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": f"call_{i}", "type": "function", "function": call}],
    }


def _tool(i: int, step: Step) -> dict[str, Any]:
    content = step.after if step.advanced else step.result
    return {"role": "tool", "tool_call_id": f"call_{i}", "content": content}


def _meta(ep: ExpertEpisode) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "scenario_hash": ep.scenario_hash,
        "track": ep.scenario.track,
        "tier": ep.tier,
        "seed": ep.scenario.seed,
        "overrides": ep.overrides,
        "policy": ep.policy,
        "waive_budget": ep.waive_budget,
        "rewards": [s.reward for s in ep.steps],
        "scores": ep.scores,
        "entries": ep.entries,
    }


def chat_record(ep: ExpertEpisode) -> dict[str, Any]:
    """The whole episode as one OpenAI-format chat record."""
    first = ep.steps[0].before if ep.steps else "[end of episode]"
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system_prompt(ep.scenario.brief)},
        {"role": "user", "content": first},
    ]
    for i, step in enumerate(ep.steps):
        messages.append(_assistant(i, step))
        messages.append(_tool(i, step))
    return {"messages": messages, "tools": T.tool_schemas(), "memgym": _meta(ep)}


def segment_records(ep: ExpertEpisode) -> Iterator[dict[str, Any]]:
    """The episode split at memory actions, one record per segment, with per-segment returns."""
    starts = [0] + [i for i, s in enumerate(ep.steps) if i and s.name in T.MEMORY_ACTIONS]
    bounds = list(zip(starts, starts[1:] + [len(ep.steps)], strict=True))
    rewards = [sum(s.reward for s in ep.steps[a:b]) for a, b in bounds]
    to_go = sum(rewards)
    system = {"role": "system", "content": system_prompt(ep.scenario.brief)}
    for n, ((a, b), reward) in enumerate(zip(bounds, rewards, strict=True)):
        messages: list[dict[str, Any]] = [system, {"role": "user", "content": ep.steps[a].before}]
        for i in range(a, b):
            messages.append(_assistant(i, ep.steps[i]))
            messages.append(_tool(i, ep.steps[i]))
        yield {
            "messages": messages,
            "tools": T.tool_schemas(),
            "segment": n,
            "segments": len(bounds),
            "reward": reward,
            "return": to_go,
            "memgym": {
                "format": FORMAT + "-segment",
                "scenario_hash": ep.scenario_hash,
                "policy": ep.policy,
                "steps": [a, b],
            },
        }
        to_go -= reward


def tool_calls(record: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, arguments) of every assistant tool call of a chat record, in order."""
    for message in record["messages"]:
        for call in message.get("tool_calls") or []:
            function = call["function"]
            yield function["name"], json.loads(function["arguments"] or "{}")


def replay(record: Mapping[str, Any]) -> Episode:
    """Regenerate a chat record's scenario and run its tool calls on a fresh episode; the caller
    compares ``episode.scores()`` and ``episode.entries`` with the record's. Raises ``ValueError``
    when the scenario no longer regenerates to the recorded hash."""
    meta = record.get("memgym")
    if not isinstance(meta, Mapping) or meta.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} chat record (its 'memgym' metadata is missing)")
    track = get_track(meta["track"])
    scenario = track.generate(meta["seed"], meta["tier"], **meta["overrides"])
    if scenario.hash != meta["scenario_hash"]:
        raise ValueError(f"scenario {meta['track']}/{meta['seed']} regenerates to another hash")
    episode = Episode(
        scenario,
        tier=meta["tier"],
        overrides=meta["overrides"],
        track=track,
        waive_budget=meta["waive_budget"],
    )
    for name, args in tool_calls(record):
        episode.call(name, args)
    return episode
