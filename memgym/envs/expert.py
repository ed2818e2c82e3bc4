"""Expert episodes: memgym's scripted write policies and the scripted reasoner, acting only through
the episode's tool calls, so every call they make is recorded and can be replayed.

The expert sees what ``memgym run`` gives the same policy (each event's text and what its reader
finds in it; at a question, the question's structured spec, never its answer), so an expert episode
scores exactly what ``evaluate(scenario, agentic:policy=<name>, scripted)`` scores.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from memgym.envs import tools as T
from memgym.envs.episode import Episode, Outcome
from memgym.memory.agentic import SILENT_KINDS, policy_seed
from memgym.memory.store import Entry, Store, StoreResult
from memgym.memory.tools import parse_hits
from memgym.memory.writers import make_policy
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.tracks import Track, get_track
from memgym.types import Event, Message, Scenario, View


@dataclass
class Step:
    """One recorded call: what was called, on which event, and what came back."""

    name: str
    args: dict[str, Any]
    before: str
    """The event the call was made on, as the agent saw it."""
    result: str
    reward: float
    advanced: bool
    after: str
    """The event shown after the call (the next one when the call advanced)."""


@dataclass
class Recorder:
    """Runs calls on an episode and keeps them."""

    episode: Episode
    steps: list[Step] = field(default_factory=list)

    def call(self, name: str, args: dict[str, Any]) -> Outcome:
        before = self.episode.event_text()
        outcome = self.episode.call(name, args)
        after = self.episode.event_text() if outcome.advanced else before
        self.steps.append(
            Step(name, args, before, outcome.result, outcome.reward, outcome.advanced, after)
        )
        return outcome


class EpisodeStore(Store):
    """The ``Store`` API, served by tool calls on a recorded episode: each operation is sent as
    the tool call an LLM agent would make, and its JSON result read back (opens no database)."""

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder

    def _run(self, op: str, name: str, args: dict[str, Any]) -> StoreResult:
        outcome = self._recorder.call(name, args)
        body = json.loads(outcome.result)
        if not outcome.ok:
            return StoreResult(False, op, error=body.get("error", outcome.result))
        if name == T.SEARCH_NAME:
            return StoreResult(True, op, hits=tuple(parse_hits(outcome.result) or ()))
        if name == T.DELETE_NAME:
            return StoreResult(True, op, entry=Entry(body["deleted"], "", 0))
        text = body["text"] if name == T.READ_NAME else args["text"]
        return StoreResult(True, op, entry=Entry(body["id"], text, body.get("tokens", 0)))

    def write(self, text: str) -> StoreResult:
        return self._run("write", T.WRITE_NAME, {"text": text})

    def edit(self, entry_id: int, text: str) -> StoreResult:
        return self._run("edit", T.EDIT_NAME, {"id": entry_id, "text": text})

    def delete(self, entry_id: int) -> StoreResult:
        return self._run("delete", T.DELETE_NAME, {"id": entry_id})

    def read(self, entry_id: int) -> StoreResult:
        return self._run("read", T.READ_NAME, {"id": entry_id})

    def search(self, query: str, k: int = 5) -> StoreResult:
        return self._run("search", T.SEARCH_NAME, {"query": query, "k": k})

    def close(self) -> None:
        """Nothing to close: the episode owns the store."""


@dataclass
class ExpertEpisode:
    """A finished expert episode: its scenario, the policy, every call and memgym's scores."""

    scenario: Scenario
    scenario_hash: str
    tier: str | None
    overrides: dict[str, Any]
    policy: str
    waive_budget: bool
    steps: list[Step]
    scores: dict[str, Any]
    entries: list[list[Any]]


def write_policy_names() -> list[str]:
    """The scripted write policies an expert can use (the honest simulation policies)."""
    from memgym.simulation.policies import HONEST, get_policy

    names = []
    for name in HONEST:
        spec = get_policy(name).memory
        if spec.startswith("agentic:policy="):
            names.append(spec.split("=", 1)[1])
    return names


class ScriptedWriter:
    """A scripted write policy keeping an episode's memory through tool calls, event by event
    (the same policy, RNG and budget as ``agentic:policy=<name>``)."""

    def __init__(self, policy: str, recorder: Recorder, track: Track) -> None:
        self.policy = make_policy(policy)
        self.read = track.read_cached
        self.store = EpisodeStore(recorder)
        scenario = recorder.episode.scenario
        seed = policy_seed(self.policy.name, scenario.brief, scenario.params)
        self.policy.reset(self.store, scenario.params, random.Random(seed))

    def observe(self, event: Event) -> None:
        """Let the policy see ``event`` (silent kinds: questions, session markers, are skipped)."""
        if event.kind not in SILENT_KINDS:
            self.policy.on_event(event.text, self.read(event.text))


def run_expert(
    scenario: Scenario,
    policy: str = "strategic",
    *,
    tier: str | None = None,
    overrides: dict[str, Any] | None = None,
    track: Track | None = None,
    recorder: Recorder | None = None,
) -> ExpertEpisode:
    """Play ``scenario`` with the write policy ``policy`` and the scripted reasoner."""
    track = track or get_track(scenario.track)
    if recorder is None:
        waive = make_policy(policy).waives_budget
        episode = Episode(scenario, tier=tier, overrides=overrides, track=track, waive_budget=waive)
        recorder = Recorder(episode)
    episode = recorder.episode
    writer = ScriptedWriter(policy, recorder, track)
    reasoner = ScriptedReasoner(track)
    reasoner.reset(scenario.brief, scenario.params)
    view = View(messages=[Message(role="system", content=scenario.brief)], store=writer.store)
    while not episode.done:
        event = episode.event
        assert event is not None
        if event.question is not None:
            recorder.call(T.ANSWER, {"answer": reasoner.answer(event.question.public(), view)})
            continue
        writer.observe(event)
        recorder.call(T.NEXT, {})
    return ExpertEpisode(
        scenario=scenario,
        scenario_hash=episode.scenario_hash,
        tier=episode.tier,
        overrides=dict(episode.overrides),
        policy=policy,
        waive_budget=episode.waive_budget,
        steps=recorder.steps,
        scores=episode.scores(),
        entries=[[i, t] for i, t in episode.entries.items()],
    )
