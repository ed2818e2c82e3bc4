"""``SessionEnv``: an interactive track's session (tau2, swe, web) as a Gymnasium environment.

One episode is one session of the track: its tasks served in a row. The agent acts one turn per
step; everything it may know arrives through the observations, so what it keeps of earlier ones
is its memory (a policy that keeps nothing acts on the current observation alone).

Observation (text): after ``reset``, ``[system]`` + the session's system prompt, ``[tools]`` +
the tools' OpenAI schemas as JSON, ``[user]`` + the first task's message; after a step, the tool's
result (``[result of <tool>]``) or the other party's answer (``[user]``), ``[end of episode]`` at
the end. Action (text): one tool call as JSON, ``{"name": ..., "arguments": {...}}`` (``arguments``
may be a JSON string, as OpenAI sends it), or a text turn, ``{"content": "..."}`` (it ends the
task in progress where the track says so: a web errand, a swe issue; a tau2 customer answers).
Reward: each task's verified reward (in [0, 1], the track's own verifier: τ²'s evaluator, the
hidden tests, the app's state) when the task ends, for the tasks that need memory: a task whose
gold plan needs nothing remembered (every step's ``needs`` empty, e.g. a web errand that only pages
through a list) or that its track does not score (``TaskOutcome.scored``: a tau2 request served
within one call) pays nothing and is reported apart (``scores["apart"]``), as the house rule
keeps such tasks out of the score. ``max_return`` counts the tasks that need memory (a task never
reached counts as one). ``turns_per_task`` turns end a task (as ``memgym run``'s loop
does), so an episode ends within ``max_episode_steps = tasks * turns_per_task`` steps.
"""

from __future__ import annotations

import json
from typing import Any

from memgym.envs.text_env import ScenarioCache, TextEnv, check_env_arguments
from memgym.errors import InfraError
from memgym.tracks import get_track
from memgym.tracks.interactive import InteractiveTrack
from memgym.tracks.session import AgentTurn, Session, TaskOutcome, ToolCall
from memgym.types import Scenario

TURNS_PER_TASK = 30
RESULT_CHARS = 40_000
_SCENARIOS = ScenarioCache(16)


def parse_turn(action: object) -> tuple[AgentTurn | None, str | None]:
    """(the agent turn, None) of an action's JSON text, or (None, why it is malformed)."""
    if not isinstance(action, str):
        return None, f"an action is JSON text, got {type(action).__name__}"
    try:
        value = json.loads(action)
    except ValueError as exc:
        return None, f"action is not JSON ({exc})"
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        args = value.get("arguments", {})
        text = args if isinstance(args, str) else json.dumps(args)
        return AgentTurn(tool_calls=(ToolCall("call_0", value["name"], text),)), None
    if isinstance(value, dict) and isinstance(value.get("content"), str):
        return AgentTurn(value["content"]), None
    return None, 'an action is {"name": <tool>, "arguments": {...}} or {"content": "<text>"}'


class SessionEnv(TextEnv):
    """One interactive track and tier as a Gymnasium environment."""

    def __init__(
        self,
        track: str = "swe",
        tier: str | None = None,
        seed: int = 0,
        turns_per_task: int = TURNS_PER_TASK,
        result_chars: int = RESULT_CHARS,
        render_mode: str | None = None,
        **overrides: Any,
    ) -> None:
        check_env_arguments(render_mode, seed)
        if turns_per_task < 1 or result_chars < 100:
            raise ValueError("turns_per_task must be >= 1 and result_chars >= 100")
        found = get_track(track)
        if not isinstance(found, InteractiveTrack):
            raise TypeError(f"track {track!r} is a question stream: use MemgymEnv")
        self.track: InteractiveTrack = found
        self._configure(found, tier, seed, render_mode, overrides)
        self.turns_per_task = turns_per_task
        self.result_chars = result_chars
        self.session: Session | None = None
        self.scenario: Scenario | None = None

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        seed = self._reset_generator(seed)
        self._close_session()
        self.scenario = _SCENARIOS.get(
            self.track, self._scenario_seed(seed), self.tier, self.overrides
        )
        self.session = self.track.open(self.scenario)
        messages = self.session.start()
        self.tasks = len(self.session.outcomes())
        self.max_episode_steps = self.tasks * self.turns_per_task
        self.steps = self.turns = self.paid_tasks = 0
        self.paid = 0.0
        self.needs_memory: dict[int, bool] = {}
        self._note_task()
        self.done = False
        self.infra_error = ""
        parts = [f"[{m['role']}]\n{m['content']}" for m in messages if m.get("role") == "system"]
        parts.append("[tools]\n" + json.dumps(self.session.tools))
        parts += [f"[{m['role']}]\n{m['content']}" for m in messages if m.get("role") != "system"]
        self._last = "\n\n".join(parts)
        return self._last, self._info()

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        session = self.session
        if session is None:
            raise RuntimeError("call reset() before step()")
        if self.done:
            return "[end of episode]", 0.0, True, False, self._info()
        self.steps += 1
        self.turns += 1
        turn, problem = parse_turn(action)
        ok = problem is None
        try:
            if turn is None:
                text = f"[result of action]\nerror: {problem}"
            elif turn.tool_calls:
                result = session.call(turn.tool_calls[0])
                text = f"[result of {turn.tool_calls[0].name}]\n{_clip(result, self.result_chars)}"
            else:
                text = self._answer(session, turn)
            if not self.done and self.turns >= self.turns_per_task:
                text += "\n\n[turn limit: the task is over]"
                text = self._answer(session, None, text)
        except InfraError as exc:
            self.infra_error = str(exc)
            self.done = True
            text = f"[infra error]\n{exc}"
        self._note_task()
        reward = self._collect()
        self._last = text + ("\n\n[end of episode]" if self.done else "")
        info = self._info()
        info["ok"] = ok
        if self.done:
            info["scores"] = self.scores()
        return self._last, reward, self.done, False, info

    def _answer(self, session: Session, turn: AgentTurn | None, prefix: str = "") -> str:
        """Send a text turn (None: the turn limit) and show the other party's answer."""
        before = session.position()
        answer = session.reply(turn)
        if session.position() != before or answer is None:
            self.turns = 0
        if answer is None:
            self.done = True
            return prefix
        return (prefix + "\n\n" if prefix else "") + f"[user]\n{answer}"

    def _note_task(self) -> None:
        """Record whether the task in progress needs memory (its gold plan names a value to
        remember; a track without a plan: every task does). The env is the evaluator's side."""
        session = self.session
        assert session is not None
        position = session.position()
        if self.needs_memory.get(position) or position >= self.tasks:
            return
        plan = session.oracle()
        # a task may be served over several calls (a tau2 callback's first call has no steps):
        # it needs memory when the plan of any of them names a value to remember
        self.needs_memory[position] = plan is None or any(step.needs for step in plan.steps)

    def _pays(self, index: int, outcomes: list[TaskOutcome]) -> bool:
        """Whether task ``index`` is paid: it needs memory and its track scores it."""
        return self.needs_memory.get(index, True) and outcomes[index].scored

    def _outcomes(self) -> list[TaskOutcome]:
        assert self.session is not None
        return self.session.outcomes()

    def _collect(self) -> float:
        """The reward of the tasks that ended since the last step (all of them at the end)."""
        assert self.session is not None
        ended = self.tasks if self.done else self.session.position()
        if ended <= self.paid_tasks:
            return 0.0
        outcomes = self._outcomes()
        first, self.paid_tasks = self.paid_tasks, ended
        earned = sum(
            o.reward
            for i, o in enumerate(outcomes[first:ended], first)
            if o.status == "ok" and self._pays(i, outcomes)
        )
        self.paid += earned
        return earned

    def scores(self) -> dict[str, Any]:
        """The episode's task rewards so far, as ``memgym run`` sums them."""
        outcomes = self._outcomes()
        paying = sum(self._pays(i, outcomes) for i in range(self.tasks))
        apart = [o.reward for i, o in enumerate(outcomes) if not self._pays(i, outcomes)]
        return {
            "composite": self.paid / paying if paying else 0.0,
            "tasks": self.tasks,
            "rewards": [o.reward for o in outcomes],
            "statuses": [o.status for o in outcomes],
            "needs_memory": [self._pays(i, outcomes) for i in range(self.tasks)],
            "apart": sum(apart) / len(apart) if apart else None,
            "infra_error": self.infra_error or None,
            "return": self.paid,
            "max_return": float(paying),
        }

    def _info(self) -> dict[str, Any]:
        assert self.scenario is not None and self.session is not None
        return {
            "scenario_hash": self.scenario.hash,
            "seed": self.scenario.seed,
            "task": self.session.position(),
            "tasks": self.tasks,
            "steps": self.steps,
            "max_episode_steps": self.max_episode_steps,
        }

    def _close_session(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def close(self) -> None:
        self._close_session()


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[... {len(text) - limit} more characters cut]"
