"""``MemgymEnv``: a memgym episode as a Gymnasium environment (needs the ``gym`` extra).

Observation: text, the current event (after a reset: the system prompt with the brief and the
tools' OpenAI schemas before it) and the result of the last tool call. Action: one tool call as JSON text, ``{"name": "memory_write", "arguments":
{"text": "..."}}`` (``arguments`` may also be a JSON string, as OpenAI tool calls carry it); the
tools are ``memgym.envs.tools``. Reward: 1.0 per correct answer to a scored question (abstention
questions earn nothing, as in the composite; their accuracy is ``scores["abstention"]``), plus the
opt-in shaping that ``memgym.envs.episode`` documents. ``info`` carries ``state`` (resume with
``env.reset(options={"state": state})``), and at termination ``scores`` (memgym's composite and
axes, as ``memgym run`` computes them, the episode's ``return`` and ``max_return``) and
``scenario_hash``.

Seeding: ``seed`` (a ``make`` argument) picks the first scenario; ``reset(seed=s)`` plays scenario
``s``; a later ``reset()`` draws the next scenario seed from the env's seeded generator, so a run
of resets is deterministic. With a salt set (``MEMGYM_SALT``/``MEMGYM_SALT_FILE``, see
``memgym.salt``) seed ``s`` plays the scenario ``memgym run`` draws for it under that salt;
``info["salt"]`` is then the salt's digest, and the state keeps the public seed.
"""

from __future__ import annotations

import json
from typing import Any

from memgym.envs.episode import MAX_CALLS_PER_EVENT, Episode, state_seed
from memgym.envs.prompts import system_prompt
from memgym.envs.text_env import ScenarioCache, TextEnv, check_env_arguments
from memgym.envs.tools import refusal, tool_schemas
from memgym.salt import evaluation_seed, salt_digest
from memgym.tracks import get_track

_SCENARIOS = ScenarioCache(64)


class MemgymEnv(TextEnv):
    """One memgym track and tier as a Gymnasium environment."""

    def __init__(
        self,
        track: str = "entities",
        tier: str | None = None,
        seed: int = 0,
        shaping: float = 0.0,
        waive_budget: bool = False,
        max_calls_per_event: int = MAX_CALLS_PER_EVENT,
        render_mode: str | None = None,
        **overrides: Any,
    ) -> None:
        check_env_arguments(render_mode, seed)
        self.track = get_track(track)
        self._configure(self.track, tier, seed, render_mode, overrides)
        self.shaping = shaping
        self.waive_budget = waive_budget
        self.max_calls_per_event = max_calls_per_event
        self.episode: Episode | None = None
        self.max_episode_steps = 0
        """Steps this scenario's episode takes at most (set by ``reset``): every event allows
        ``max_calls_per_event`` calls, and the next one truncates."""

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        options = options or {}
        seed = self._reset_generator(seed)
        if self.episode is not None:
            self.episode.close()
        state = options.get("state")
        if state is not None:
            scenario = None
            if (
                isinstance(state, dict)
                and state.get("track") == self.track.name
                and "seed" in state
            ):
                scenario = _SCENARIOS.get(
                    self.track, state_seed(state), state.get("tier"), state.get("overrides") or {}
                )
            self.episode = Episode.restore(
                state, scenario, self.track, max_calls_per_event=self.max_calls_per_event
            )
            self._last = self.episode.event_text()
            return self._last, self._info()
        scenario_seed = self._scenario_seed(seed)
        drawn = evaluation_seed(self.track.name, scenario_seed)  # the seed itself when unsalted
        scenario = _SCENARIOS.get(self.track, drawn, self.tier, self.overrides)
        self.episode = Episode(
            scenario,
            tier=self.tier,
            overrides=self.overrides,
            track=self.track,
            waive_budget=self.waive_budget,
            shaping=self.shaping,
            max_calls_per_event=self.max_calls_per_event,
            scenario_hash=scenario.hash,
            seed=scenario_seed,
            salt=salt_digest(),
        )
        self._last = first_observation(scenario.brief, self.episode.event_text())
        return self._last, self._info()

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        episode = self.episode
        if episode is None:
            raise RuntimeError("call reset() before step()")
        name, args, problem = parse_action(action)
        if problem is not None:
            episode.calls += 1
            episode.total_calls += 1
            result, reward, ok = refusal("invalid_action", problem), 0.0, False
        else:
            outcome = episode.call(name, args)
            result, reward, ok = outcome.result, outcome.reward, outcome.ok
        self._last = f"{episode.event_text()}\n\n[result of {name or 'action'}]\n{result}"
        terminated = episode.done
        truncated = episode.truncated and not terminated
        info = self._info()
        info["ok"] = ok
        if terminated or truncated:
            info["scores"] = episode.scores()
        return self._last, reward, terminated, truncated, info

    def _info(self) -> dict[str, Any]:
        episode = self.episode
        assert episode is not None
        events = episode.scenario.events
        self.max_episode_steps = max(len(events), events[-1].step + 1 if events else 0) * (
            self.max_calls_per_event + 1
        )
        info: dict[str, Any] = {
            "max_episode_steps": self.max_episode_steps,
            "state": episode.state(),
            "scenario_hash": episode.scenario_hash,
            "event_index": episode.index,
        }
        if episode.salt:
            info["salt"] = episode.salt
        return info

    def close(self) -> None:
        if self.episode is not None:
            self.episode.close()
            self.episode = None


def first_observation(brief: str, event: str) -> str:
    """What ``reset`` shows: the system prompt (with the brief), the tools' OpenAI schemas as
    JSON, then the first event."""
    tools = json.dumps(tool_schemas())
    return f"[system]\n{system_prompt(brief)}\n\n[tools]\n{tools}\n\n{event}"


def parse_action(action: object) -> tuple[str, dict[str, Any], str | None]:
    """(tool name, arguments, problem) of an action's JSON text; problem None when well formed."""
    if not isinstance(action, str):
        return "", {}, f"an action is JSON text, got {type(action).__name__}"
    try:
        call = json.loads(action)
    except ValueError as exc:
        return "", {}, f'action is not JSON ({exc}); send {{"name": ..., "arguments": {{...}}}}'
    if not isinstance(call, dict) or not isinstance(call.get("name"), str):
        return "", {}, 'an action is {"name": <tool>, "arguments": {...}}'
    args = call.get("arguments", {})
    if isinstance(args, str):
        try:
            args = json.loads(args or "{}")
        except ValueError as exc:
            return call["name"], {}, f"arguments are not JSON ({exc})"
    return call["name"], args, None
