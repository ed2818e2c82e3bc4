"""A protocol's fingerprint: what makes two runs of one protocol version comparable, as hashes.

For the first seed of each track of the protocol: the scenario (its hash and every streamed
event's text, filler included), every request a model would get from every memory of the
protocol (views, prompts, tool schemas and tool results, as ``memgym.protocol.estimate``
builds them with ``memgym serve``'s scripted model) and the scorer's verdicts on test vectors
(each scripted answer, and the same answer upper-cased, put in a sentence, and replaced by
"unknown"). Plus the protocol's own definition. A change to a generator, a memory, the prompt or
a scorer changes it.

``fingerprints.json`` beside this file records each protocol's version and fingerprint. A test
fails when the code's fingerprint differs from the record; ``memgym eval --fingerprint`` prints
both, and ``--write`` records the new one only once the protocol's version was bumped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from memgym.files import write_atomic
from memgym.memory import make_memory
from memgym.protocol.estimate import MeteredAgent
from memgym.protocol.spec import PROTOCOLS, Protocol
from memgym.reasoners.llm import LLMReasoner
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.run.episode import run_episode
from memgym.scoring import is_correct
from memgym.scoring.reading import answer_names
from memgym.tracks import get_track, stream_events

RECORD = Path(__file__).with_name("fingerprints.json")


def _digest(parts: list[str]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


class RecordingAgent(MeteredAgent):
    """A ``MeteredAgent`` that also keeps every request it is asked, as JSON."""

    def __init__(self, scripted: ScriptedReasoner) -> None:
        super().__init__(scripted, 0, 0)
        self.requests: list[str] = []

    def ask(self, messages, toolset, headers, keep_from=0):  # type: ignore[no-untyped-def]
        schemas = toolset.schemas() if toolset is not None else None
        self.requests.append(json.dumps([messages, schemas, dict(headers)], sort_keys=True))
        return super().ask(messages, toolset, headers, keep_from)


def _variants(answer: str) -> list[str]:
    return [answer, answer.upper(), f"I believe it is {answer}.", "unknown"]


def track_parts(protocol: Protocol, index: int) -> dict[str, str]:
    """The hashes of one track of ``protocol`` (its ``index``-th plan), on its first seed."""
    plan = protocol.tracks[index]
    track = get_track(plan.track)
    scenario = track.generate(plan.seeds[0], plan.tier, **plan.params)
    stream = _digest([scenario.hash, *(e.text for e in stream_events(scenario))])
    agent = RecordingAgent(ScriptedReasoner(track))
    reasoner = LLMReasoner(track)
    reasoner.agent = agent
    gold = {q.id: q for q in scenario.questions}
    names = answer_names(scenario)
    verdicts = []
    for spec in protocol.memories:
        transcript = run_episode(scenario, make_memory(spec, track), reasoner)
        for record in transcript.answers:
            question = gold[record.question_id]
            marks = [is_correct(question, text, names) for text in _variants(record.answer)]
            verdicts.append(f"{spec}|{record.question_id}|{record.answer}|{marks}")
    return {"scenario": stream, "requests": _digest(agent.requests), "scorer": _digest(verdicts)}


def fingerprint(
    protocol: Protocol, on_track: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """``{"fingerprint": hex, "protocol": hex, "tracks": {track: {part: hex}}}``."""
    definition = json.dumps(protocol.to_json(), sort_keys=True)
    tracks: dict[str, dict[str, str]] = {}
    for index, plan in enumerate(protocol.tracks):
        tracks[plan.track] = track_parts(protocol, index)
        if on_track is not None:
            on_track(plan.track)
    whole = [definition, *(f"{t}:{p}:{h}" for t, parts in tracks.items() for p, h in parts.items())]
    return {"fingerprint": _digest(whole), "protocol": _digest([definition]), "tracks": tracks}


def recorded() -> dict[str, Any]:
    """The record: protocol name -> {"version", "fingerprint", "protocol", "tracks"}."""
    if not RECORD.is_file():
        return {}
    data: dict[str, Any] = json.loads(RECORD.read_text(encoding="utf-8"))
    return data


def problems(protocol: Protocol, current: dict[str, Any]) -> list[str]:
    """What is wrong between the code's fingerprint ``current`` and the record (empty: none)."""
    record = recorded().get(protocol.name)
    if record is None:
        return [f"protocol {protocol.name!r} has no recorded fingerprint"]
    if record["fingerprint"] == current["fingerprint"]:
        if record["version"] != protocol.version:
            return [
                (
                    f"protocol {protocol.name!r} is version {protocol.version} but its "
                    f"fingerprint is recorded for version {record['version']}: record it again"
                )
            ]
        return []
    changed = [
        f"{track}.{part}"
        for track, parts in current["tracks"].items()
        for part, value in parts.items()
        if record.get("tracks", {}).get(track, {}).get(part) != value
    ]
    if record.get("protocol") != current["protocol"]:
        changed.insert(0, "definition")
    what = ", ".join(changed) or "fingerprint"
    if record["version"] == protocol.version:
        return [
            (
                f"protocol {protocol.name!r} changed ({what}) but is still version "
                f"{protocol.version}: bump its version in memgym/protocol/spec.py, then run "
                "`memgym eval --fingerprint --write`"
            )
        ]
    return [
        (
            f"protocol {protocol.name!r} is now version {protocol.version} ({what} changed): "
            "run `memgym eval --fingerprint --write` to record its fingerprint"
        )
    ]


def write(protocols: list[Protocol], current: dict[str, dict[str, Any]]) -> None:
    """Record ``current`` fingerprints; ``ValueError`` when one changed without a version bump."""
    record = recorded()
    for protocol in protocols:
        old = record.get(protocol.name) or {}
        changed = bool(old) and old["fingerprint"] != current[protocol.name]["fingerprint"]
        if changed and old["version"] == protocol.version:
            raise ValueError(
                f"protocol {protocol.name!r} changed but is still version {protocol.version}: "
                "bump its version in memgym/protocol/spec.py first"
            )
        record[protocol.name] = {"version": protocol.version, **current[protocol.name]}
    ordered = {name: record[name] for name in PROTOCOLS if name in record}
    write_atomic(RECORD, json.dumps(ordered, indent=2) + "\n")
