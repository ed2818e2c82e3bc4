"""One memgym episode driven by tool calls: the core under the Gymnasium env, the expert policies,
trajectory replay and the Inspect AI solver, so training and evaluation share one code path.

The agent lives through the scenario's events one at a time. On each it may call the memory tools
any number of times, then ``next_event``; at a question it calls ``submit_answer`` (``next_event``
there skips the question, scored wrong). Every correct answer to a scored question earns 1.0;
abstention questions (gold "unknown") earn nothing, as the composite counts them on no axis: their
accuracy is reported apart (``scores()["abstention"]``), so a policy that remembers nothing and
answers "unknown" everywhere earns 0 (``max_return``: the scored questions, plus the shaping
weight). An unanswered question is one rule everywhere: a skipped question (``no_answer``) or an empty answer
(``empty_answer``) is recorded as status ``model_error`` with that reason, as ``memgym run``
records it, and scored wrong.
Answers are checked with memgym's validators and the episode is scored with
``memgym.scoring.score_answers``, exactly as ``memgym.run.episode`` scores a ``run_episode``
transcript.

Opt-in shaping (``shaping=w``), potential-based: the potential is ``w / F`` for each subject (an
entity's attribute) stated so far whose latest stated value the store holds (read back with the
track's reader), where ``F`` is the number of subjects the stream states; on leaving an event the
agent earns the change of the potential since it left the previous one. So an eviction (or a
stale value) costs what the storing earned, the shaping sums to the potential at the last event
(``w`` for a store that keeps every current value), and an agent that holds only the newest event
earns about one event's share. What it leaks: which facts
each event states and their true values (the gold reader's view of the text), so it rewards
keeping *everything*, budget permitting. It uses no question: it cannot say which facts will be
asked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from memgym.claims import format_value
from memgym.envs import tools as T
from memgym.memory.agentic import budget_from_params
from memgym.memory.store import Budget, Store
from memgym.memory.tools import execute
from memgym.run.episode import scored_answer
from memgym.salt import evaluation_seed, salt_digest
from memgym.scoring import score_answers
from memgym.scoring.reading import Names, answer_names
from memgym.tracks import Track, get_track, stream_events
from memgym.types import AnswerRecord, Event, Fact, GoldQuestion, Scenario

STATE_VERSION = 1
_OK = json.dumps({"ok": True})
MAX_CALLS_PER_EVENT = 64
"""Calls allowed on one event before the episode is truncated (stops an agent that never moves)."""


NO_ANSWER = "no_answer"
TRUNCATED = "episode_truncated"
"""The reason recorded for the questions a truncated episode never reached."""
EMPTY_ANSWER = "empty_answer"


def _subjects(scenario: Scenario, facts: Mapping[str, Fact]) -> set[tuple[str, str]]:
    """The (entity, attribute) subjects the scenario's events state."""
    return {
        (facts[f].entity, facts[f].attribute)
        for event in scenario.events
        for f in event.facts
        if f in facts
    }


def answer_record(
    question: GoldQuestion, answer: str, names: Names, reason: str | None = None
) -> AnswerRecord:
    """The scored record of ``answer``: ``model_error`` (scored wrong) when the question went
    unanswered (``reason``) or the answer is empty, as ``memgym run`` records them."""
    if reason is None and not answer.strip():
        reason = EMPTY_ANSWER
    if reason is not None:
        return scored_answer(question, answer, names, "model_error", reason)
    return scored_answer(question, answer, names)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one tool call did: its result as JSON text (``memgym.memory.tools``'
    format), the reward it earned, whether it moved to the next event and whether it succeeded."""

    result: str
    reward: float = 0.0
    advanced: bool = False
    ok: bool = True


class Episode:
    """A scenario's episode as a tool-call machine. ``call(name, args)`` is the one way to act."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        tier: str | None = None,
        overrides: Mapping[str, Any] | None = None,
        track: Track | None = None,
        waive_budget: bool = False,
        shaping: float = 0.0,
        max_calls_per_event: int = MAX_CALLS_PER_EVENT,
        scenario_hash: str | None = None,
        seed: int | None = None,
        salt: str = "",
    ) -> None:
        if shaping < 0:
            raise ValueError(f"shaping must be >= 0, got {shaping}")
        self.scenario = scenario
        self.scenario_hash = scenario_hash or scenario.hash
        self.seed = scenario.seed if seed is None else seed
        """The public seed the state records (the scenario's own unless it was drawn salted)."""
        self.salt = salt
        """The digest of the salt the scenario was drawn under ("" for a public seed)."""
        self.tier = tier
        self.overrides = dict(overrides or {})
        self.track = track or get_track(scenario.track)
        self.waive_budget = waive_budget
        self.shaping = shaping
        self.max_calls_per_event = max_calls_per_event
        self.budget: Budget = Budget() if waive_budget else budget_from_params(scenario.params)
        self.store = Store(self.budget)
        self.entries: dict[int, str] = {}  # a mirror of the live entries, for cheap state
        self.answers: list[AnswerRecord] = []
        self.names = answer_names(scenario)
        self._given: list[tuple[str, str, str | None]] = []  # (question id, answer, reason)
        self._events: Iterator[Event] = iter(stream_events(scenario))
        self.index = -1
        self.event: Event | None = None
        self.calls = 0  # calls on the current event
        self.total_calls = 0
        self.reward_total = 0.0
        self._facts: dict[str, Fact] | None = None
        self._subjects = 0
        self._current: dict[tuple[str, str], str] = {}  # shaping: each subject's latest value
        self._held = 0  # shaping: the potential's count when the agent last left an event
        if shaping:
            self._facts = scenario.fact_index()
            self._subjects = len(_subjects(scenario, self._facts)) or 1
        self._advance()

    # ------------------------------------------------------------------ acting

    @property
    def done(self) -> bool:
        """Every event has been lived through."""
        return self.event is None

    @property
    def truncated(self) -> bool:
        """The agent used more than ``max_calls_per_event`` calls on one event."""
        return self.calls > self.max_calls_per_event

    @property
    def question(self) -> GoldQuestion | None:
        """The pending question, or None."""
        return None if self.event is None else self.event.question

    def call(self, name: str, args: Any) -> Outcome:
        """Run one tool call. Malformed or refused calls change nothing and say why."""
        if self.event is None:
            return Outcome(T.refusal("episode_over", "the episode is over; reset"), ok=False)
        self.calls += 1
        self.total_calls += 1
        call, problem = T.parse_call(name, args)
        if call is None:
            return Outcome(problem or "", ok=False)
        if name == T.NEXT:
            return self._next()
        if name == T.ANSWER:
            return self._answer(call.args["answer"])
        store = self.store
        result, ok = execute(store, call)
        if ok:
            if name == T.WRITE_NAME:
                self.entries[store.writes_used] = call.args["text"]
            elif name == T.EDIT_NAME:
                self.entries[call.args["id"]] = call.args["text"]
            elif name == T.DELETE_NAME:
                del self.entries[call.args["id"]]
        return Outcome(result, ok=ok)

    def _answer(self, answer: str) -> Outcome:
        if self.question is None:
            return Outcome(
                T.refusal("no_question", "no question is pending; call next_event"), ok=False
            )
        reward = self._record(answer)
        self._advance()
        return Outcome(_OK, reward=reward, advanced=True)

    def _next(self) -> Outcome:
        reward = self._record("", NO_ANSWER) if self.question is not None else self._shaped()
        self._advance()
        return Outcome(_OK, reward=reward, advanced=True)

    def skip(self, reason: str) -> Outcome:
        """Leave the pending question unanswered because of the model's failure ``reason``
        (``no_answer``, ``unparsable_answer``, ...): a ``model_error``, scored wrong."""
        if self.question is None:
            return Outcome(
                T.refusal("no_question", "no question is pending; call next_event"), ok=False
            )
        self.calls += 1
        self.total_calls += 1
        reward = self._record("", reason)
        self._advance()
        return Outcome(_OK, reward=reward, advanced=True)

    def _record(self, answer: str, reason: str | None = None) -> float:
        question = self.question
        assert question is not None
        self.answers.append(answer_record(question, answer, self.names, reason))
        self._given.append((question.id, answer, reason))
        reward = 1.0 if self.answers[-1].correct and question.axis != "abstention" else 0.0
        self.reward_total += reward
        return reward

    @property
    def max_return(self) -> float:
        """The most an episode can earn: one per scored (non-abstention) question, plus the
        shaping weight (shaping sums to at most ``shaping``)."""
        return sum(q.axis != "abstention" for q in self.scenario.questions) + self.shaping

    def _shaped(self) -> float:
        """The shaping reward for leaving the current event: the change of the potential (the
        subjects stated so far whose latest value the store holds) since the last event was left
        (0 unless ``shaping`` is on)."""
        if not self.shaping or self._facts is None:
            return 0.0
        held: dict[tuple[str, str], str] = {}
        for text in self.entries.values():
            for claim in self.track.read_cached(text):
                held[(claim.entity, claim.attribute)] = claim.value
        current = self._current
        hits = sum(current.get(key) == value for key, value in held.items())
        reward = self.shaping * (hits - self._held) / self._subjects
        self._held = hits
        self.reward_total += reward
        return reward

    def _see(self, event: Event | None) -> None:
        """Note the values ``event`` states as its subjects' latest (shaping only)."""
        if event is None or self._facts is None:
            return
        for fact_id in event.facts:
            fact = self._facts.get(fact_id)
            if fact is not None:
                self._current[(fact.entity, fact.attribute)] = format_value(fact.value)

    def _advance(self) -> None:
        self.event = next(self._events, None)
        self._see(self.event)
        self.index += 1
        self.calls = 0

    # ------------------------------------------------------------------ reading

    def event_text(self) -> str:
        """The current event as the agent sees it (the end marker once the episode is over)."""
        event = self.event
        if event is None:
            return "[end of episode]"
        if event.question is not None:
            return (
                f"[question at event {self.index}]\n{event.text}\n"
                "Answer with submit_answer (the value alone, or 'unknown')."
            )
        return f"[event {self.index}]\n{event.text}"

    def scores(self) -> dict[str, Any]:
        """memgym's scores of the answers so far (the episode's final scores once ``done``). A
        truncated episode is over: every question it never answered counts, scored wrong (a
        ``model_error``, ``episode_truncated``), as ``memgym run`` counts a question a model
        never answered; so stopping early never raises a score."""
        answers = self.answers
        if self.truncated and not self.done:
            answers = [*answers, *self._unanswered()]
        s = score_answers(answers, self.store.writes_used)
        return {
            "composite": s.composite,
            "axes": dict(s.axes),
            "accuracy": s.accuracy,
            "abstention": s.abstention,
            "questions": s.questions,
            "correct": s.correct,
            "writes_used": self.store.writes_used,
            "tokens_stored": self.store.tokens_used,
            "return": self.reward_total,
            "max_return": self.max_return,
        }

    def _unanswered(self) -> list[AnswerRecord]:
        """Records of the questions the episode has not answered, each scored wrong."""
        given = {question_id for question_id, _, _ in self._given}
        return [
            answer_record(q, "", self.names, TRUNCATED)
            for q in self.scenario.questions
            if q.id not in given
        ]

    # ------------------------------------------------------------------ state

    def state(self) -> dict[str, Any]:
        """A JSON-ready snapshot that ``Episode.restore`` resumes from exactly."""
        return {
            "version": STATE_VERSION,
            "track": self.scenario.track,
            "seed": self.seed,
            **({"salt": self.salt} if self.salt else {}),
            "tier": self.tier,
            "overrides": dict(self.overrides),
            "scenario_hash": self.scenario_hash,
            "waive_budget": self.waive_budget,
            "shaping": self.shaping,
            "index": self.index,
            "calls": self.calls,
            "total_calls": self.total_calls,
            "reward_total": self.reward_total,
            "shaping_held": self._held,
            "answers": [list(a) for a in self._given],
            "writes_used": self.store.writes_used,
            "entries": [[i, t] for i, t in self.entries.items()],
        }

    @classmethod
    def restore(
        cls,
        state: Mapping[str, Any],
        scenario: Scenario | None = None,
        track: Track | None = None,
        max_calls_per_event: int = MAX_CALLS_PER_EVENT,
    ) -> Episode:
        """The episode ``state`` was taken from, at the same point (``scenario`` saves the
        regeneration when the caller has it)."""
        if not isinstance(state, Mapping) or state.get("version") != STATE_VERSION:
            raise ValueError(f"not a memgym episode state (version {STATE_VERSION} expected)")
        if track is not None and track.name != state.get("track"):
            raise ValueError(
                f"a state of track {state.get('track')!r} cannot resume on {track.name!r}"
            )
        track = track or get_track(state["track"])
        drawn = state_seed(state)
        if scenario is None:
            scenario = track.generate(drawn, state["tier"], **state["overrides"])
        elif (scenario.track, scenario.seed) != (state["track"], drawn):
            raise ValueError("the scenario given does not match the state's track and seed")
        expected = state.get("scenario_hash")
        if expected != scenario.hash:
            raise ValueError("the state's scenario_hash does not match the regenerated scenario")
        episode = cls(
            scenario,
            tier=state["tier"],
            overrides=state["overrides"],
            track=track,
            waive_budget=bool(state["waive_budget"]),
            shaping=float(state["shaping"]),
            max_calls_per_event=max_calls_per_event,
            scenario_hash=expected,
            seed=int(state["seed"]),
            salt=str(state.get("salt", "")),
        )
        episode._load_store(int(state["writes_used"]), [(int(i), t) for i, t in state["entries"]])
        questions = {q.id: q for q in scenario.questions}
        for _ in range(int(state["index"])):
            episode._advance()
        for qid, answer, *reason in state["answers"]:
            why = reason[0] if reason else None
            episode.answers.append(answer_record(questions[qid], answer, episode.names, why))
            episode._given.append((qid, answer, why))
        episode.calls = int(state["calls"])
        episode.total_calls = int(state["total_calls"])
        episode.reward_total = float(state["reward_total"])
        episode._held = int(state.get("shaping_held", 0))
        return episode

    def _load_store(self, writes_used: int, entries: list[tuple[int, str]]) -> None:
        """Rebuild the store with the same entry ids, texts and writes used: write placeholders
        up to ``writes_used`` with the budget lifted, delete the ids that are gone, then put the
        budget back. Search ranks only on live rows, so it answers as the original did."""
        live = dict(entries)
        store = self.store
        store.budget = Budget()
        for entry_id in range(1, writes_used + 1):
            text = live.get(entry_id)
            result = store.write(text if text is not None else "gone")
            if not result.ok or result.entry is None or result.entry.id != entry_id:
                raise ValueError(f"cannot restore store entry {entry_id}: {result.error}")
            if text is None:
                store.delete(entry_id)
        if set(live) - set(range(1, writes_used + 1)):
            raise ValueError("state has entry ids beyond its writes_used")
        store.budget = self.budget
        self.entries = {i: live[i] for i in sorted(live)}

    def close(self) -> None:
        self.store.close()


def state_seed(state: Mapping[str, Any]) -> int:
    """The seed a state's scenario is generated with: its public seed, drawn through the salt
    when the state was salted (refused unless the same salt is set now)."""
    salt = state.get("salt", "")
    if not salt:
        return int(state["seed"])
    if salt != salt_digest():
        raise ValueError(
            f"the state was drawn under the salt {salt[:8]}; set the same MEMGYM_SALT to resume it"
        )
    return evaluation_seed(str(state["track"]), int(state["seed"]))
