"""memgym envs as a verifiers environment (``verifiers.v1``, verifiers 0.4; the ``verifiers``
extra, in a venv of its own: verifiers needs openai 2.x, Inspect AI openai >= 3.4).

verifiers loads a taskset by id as a package that exports its classes (``memgym_verifiers``,
id ``memgym-verifiers``), so a run names it::

    vf-eval memgym-verifiers --env.taskset.env memgym/entities-lite-v0 --env.taskset.seeds 8 ...

A task is one scenario: an env id, a seed and ``memgym.make`` keywords (``MemgymTasksetConfig``).
The env (``MemgymVerifiersEnv``) plays it as verifiers' game-engine envs do: it makes the memgym
env, opens the ``player`` seat's interaction with the first observation (system prompt, tool
schemas, first event) as the user turn, and steps the env with each reply (one action, JSON
text); each observation goes back as the next user turn, until the env ends the episode or the
seat's ``max_turns`` ends the exchange. The reward (``memgym_return``) is the episode's return in
the env: the validated score, one per right answer to a scored question, as TRL's and OpenEnv's
adapters pay it; the trace's ``info["memgym"]`` holds the env's scores.

The seat's harness (``MemgymHarness``, the taskset's own) is one chat completion per turn, run
in process through the rollout's interception endpoint (verifiers records every call, tokens
included): no program to install, no sandbox, so the default runtime is ``subprocess``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

try:
    import verifiers.v1 as vf
    from verifiers.v1.dialects.chat import message_to_wire
    from verifiers.v1.runtimes import ProgramResult
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "memgym's verifiers environment needs verifiers 0.4 (openai 2.x, a venv of its own): "
        "pip install -e '.[verifiers]'"
    ) from exc

from pydantic import Field

TASKSET_ID = "memgym-verifiers"
"""The id verifiers loads the taskset, env and harness by (the ``memgym_verifiers`` package)."""


class MemgymTasksetConfig(vf.TasksetConfig):
    """Which episodes: ``seeds`` scenarios of ``env`` from seed ``seed`` on."""

    env: str = "memgym/entities-lite-v0"
    """A memgym env id (``memgym.envs.env_ids()``)."""
    seed: int = 0
    seeds: int = Field(8, ge=1)
    make: dict[str, Any] = Field(default_factory=dict)
    """Keywords for ``memgym.make``: track parameters (a short curriculum stage:
    ``{"entities": 8, "questions": 1}``), ``max_calls_per_event``, ``turns_per_task``..."""


class MemgymData(vf.TaskData):
    """One episode: the env id, the scenario seed and the ``memgym.make`` keywords."""

    env: str
    seed: int
    make: dict[str, Any] = Field(default_factory=dict)


class MemgymTask(vf.Task[MemgymData]):
    """A memgym episode (scored by the env, in ``MemgymVerifiersEnv.run``)."""


class MemgymTaskset(vf.Taskset[MemgymTask, MemgymTasksetConfig]):
    """One task per seed; the env generates the scenario when the episode runs."""

    def load(self) -> Iterator[MemgymTask]:
        from memgym.envs.registration import env_ids

        config = self.config
        if config.env not in env_ids():
            raise ValueError(f"unknown memgym environment {config.env!r}")
        for seed in range(config.seed, config.seed + config.seeds):
            data = MemgymData(
                name=f"{config.env}#{seed}",
                prompt=None,  # the env opens the exchange with the first observation
                env=config.env,
                seed=seed,
                make=dict(config.make),
            )
            yield MemgymTask(data, config.task)


class MemgymHarnessConfig(vf.HarnessConfig):
    """The in-process chat turn (no settings of its own)."""


class MemgymHarness(vf.Harness[MemgymHarnessConfig]):
    """One chat completion per turn over the conversation so far, through the interception
    endpoint (so verifiers records the call); its reply is the turn's action."""

    APPENDS_SYSTEM_PROMPT = True
    SUPPORTS_RESUME = True
    EXECUTES_CODE = False
    NEEDS_CONTAINER = False

    async def launch(
        self,
        ctx: Any,
        trace: Any,
        runtime: Any,
        endpoint: str,
        secret: str,
        mcp_urls: dict[str, str],
        data: Any,
        **_: Any,
    ) -> ProgramResult:
        from openai import AsyncOpenAI

        system, prompt = self.resolve_prompt(data)
        messages: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
        if isinstance(prompt, str):
            messages.append({"role": "user", "content": prompt})
        elif prompt:
            messages += [message_to_wire(m) for m in prompt]
        async with AsyncOpenAI(base_url=endpoint, api_key=secret, max_retries=0) as client:
            await client.chat.completions.create(model=ctx.model, messages=messages)  # type: ignore[arg-type]
        return ProgramResult(exit_code=0, stdout="", stderr="")


class MemgymEnvConfig(vf.EnvConfig):
    """The one seat, ``player``: the policy trained or evaluated (local runtime: the harness
    runs in process)."""

    player: vf.AgentConfig = vf.AgentConfig(runtime=vf.SubprocessConfig())


class MemgymVerifiersEnv(vf.Env[MemgymEnvConfig]):
    """Plays a ``MemgymTask`` on its memgym env; the reward is the env's return."""

    async def run(self, task: Any, agents: Any) -> None:
        from memgym.envs.registration import make

        data: MemgymData = task.data
        # one thread owns the env (its SQLite store is bound to the thread that made it)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="memgym-env") as pool:
            loop = asyncio.get_running_loop()

            async def on_env(fn: Callable[..., Any], *args: Any) -> Any:
                return await loop.run_in_executor(pool, fn, *args)

            env = await on_env(lambda: make(data.env, **data.make))
            earned, info = 0.0, {}
            try:
                obs, info = await on_env(lambda: env.reset(seed=data.seed))
                async with agents.player.interaction(task) as interaction:
                    segment = await interaction.turn(obs)
                    while not segment.terminated:
                        obs, reward, terminated, truncated, info = await on_env(
                            env.step, segment.last_reply
                        )
                        earned += float(reward)
                        if terminated or truncated:
                            break
                        segment = await interaction.turn(obs)
            finally:
                await on_env(env.close)
        trace = interaction.trace
        trace.record_reward("memgym_return", earned)
        trace.info["memgym"] = json.loads(
            json.dumps(
                {
                    "env": data.env,
                    "seed": data.seed,
                    "scenario_hash": info.get("scenario_hash"),
                    "salt": info.get("salt", ""),
                    "return": earned,
                    "scores": info.get("scores"),  # present when the episode ended
                },
                default=float,
            )
        )
