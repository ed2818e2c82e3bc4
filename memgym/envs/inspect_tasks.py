"""memgym tracks as Inspect AI tasks (needs the ``inspect`` extra).

``inspect eval memgym/entities -T tier=lite --model ...``: one sample per seed; the solver lives
through the episode on the same core as the Gymnasium env (``memgym.envs.episode``) with Inspect's
model and memgym's tools, and the scorer is memgym's. Per event that is not a question, the model
gets the writer prompt and the write tools (``memory_write``, ``memory_edit``, ``memory_delete``,
``memory_search``, ``memory_read``) as ``agentic-llm`` memory gives them, for up to ``max_turns``
turns; a reply without a call moves on. At a question it gets the question prompt of the ``llm``
reasoner and ``memory_search``, ``memory_read`` and ``submit_answer``; a plain reply's ``Answer:``
line counts as its answer.

Every request carries memgym's headers (``X-Memgym-Track``; ``X-Memgym-Spec`` at a question;
``X-Memgym-Policy``/``-Episode``/``-Writer`` with ``-T script=<write policy>``), through Inspect's
``GenerateConfig.extra_headers``; real endpoints ignore them and ``memgym serve`` replies with
them as the scripted agents would, so an eval against it scores exactly what ``memgym run`` does.
``-T writer=<write policy>`` instead keeps the memory with that scripted policy in-process, and
the model only answers the questions (as ``--memory agentic:policy=<p> --reasoner llm`` does).
The log carries each sample's scenario hash and memgym's per-axis scores (score value and metadata).

With a salt set (``MEMGYM_SALT``/``MEMGYM_SALT_FILE``) sample seed ``s`` is the scenario
``memgym run`` draws for ``s`` under that salt; the sample metadata and the task metadata carry
the salt's digest (``salt``), never the salt.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

try:
    from inspect_ai import Task, task
    from inspect_ai.dataset import MemoryDataset, Sample
    from inspect_ai.model import (
        ChatMessage,
        ChatMessageSystem,
        ChatMessageTool,
        ChatMessageUser,
        GenerateConfig,
        Model,
        ModelOutput,
        get_model,
    )
    from inspect_ai.scorer import Score, Target, mean, scorer, stderr
    from inspect_ai.solver import Generate, TaskState, solver
    from inspect_ai.tool import ToolCall, ToolInfo, ToolParams
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "memgym's Inspect AI tasks need inspect-ai: pip install -e '.[inspect]'"
    ) from exc

from memgym.envs import tools as T
from memgym.envs.episode import MAX_CALLS_PER_EVENT, Episode
from memgym.envs.expert import Recorder, ScriptedWriter
from memgym.llm.classify import LLMModelError
from memgym.llm.headers import SPEC_HEADER, TRACK_HEADER
from memgym.llm.tools import Toolset
from memgym.memory.agentic import SILENT_KINDS, policy_seed
from memgym.memory.agentic_llm import (
    EPISODE_HEADER,
    POLICY_HEADER,
    WRITER_HEADER,
    WRITER_PROMPT,
    describe_budget,
    event_message,
)
from memgym.memory.writers import make_policy
from memgym.reasoners.llm import extract_answer, render
from memgym.salt import evaluation_seed, salt_digest
from memgym.specs import parse_spec
from memgym.tracks import Track, get_track
from memgym.types import Message, Question, View

MAX_TURNS = 8
Params = str | list[str] | Mapping[str, Any]
"""Track overrides: ``"k=v,k2=v2"``, a list of ``"k=v"`` (as ``-T params=...`` gives) or a dict."""


def tool_infos(tools: Toolset) -> list[ToolInfo]:
    """memgym's tool schemas as Inspect ``ToolInfo``s (the solver runs the calls itself)."""
    infos = []
    for schema in tools.schemas():
        fn = schema["function"]
        infos.append(
            ToolInfo(
                name=fn["name"],
                description=fn["description"],
                parameters=ToolParams.model_validate(fn["parameters"]),
            )
        )
    return infos


def _overrides(params: Params) -> dict[str, Any]:
    """The ``params`` task argument as typed track overrides: ``"k=v,k2=v2"``, the list of
    ``"k=v"`` that ``inspect eval -T params=k=v,k2=v2`` passes, or a mapping."""
    if isinstance(params, Mapping):
        return dict(params)
    if isinstance(params, list):
        if not all(isinstance(p, str) for p in params):
            raise ValueError(f"params must be 'k=v' texts, got {params!r}")
        params = ",".join(params)
    if not isinstance(params, str):
        raise TypeError(f"params must be 'k=v,k2=v2', got {params!r}")
    return parse_spec("x:" + params)[1] if params else {}


class _Run:
    """One sample's episode, played by an Inspect model."""

    def __init__(
        self,
        model: Model,
        state: TaskState,
        track: Track,
        episode: Episode,
        script: str,
        writer: str,
        max_turns: int,
    ) -> None:
        self.model, self.state, self.track, self.episode = model, state, track, episode
        self.max_turns = max_turns
        self.writer = ScriptedWriter(writer, Recorder(episode), track) if writer else None
        scenario = episode.scenario
        self.headers = {TRACK_HEADER: track.name}
        if script:
            mirror = {
                "params": dict(scenario.params),
                "seed": policy_seed(script, scenario.brief, scenario.params),
            }
            self.headers[POLICY_HEADER] = script
            self.headers[EPISODE_HEADER] = f"{episode.scenario_hash[:16]}-{uuid.uuid4().hex}"
            self.headers[WRITER_HEADER] = json.dumps(mirror, sort_keys=True)
        prompt = WRITER_PROMPT.format(brief=scenario.brief, budget=describe_budget(episode.budget))
        self.writer_system = ChatMessageSystem(content=prompt)
        self.writer_tools = tool_infos(T.WRITER_TOOLS)
        self.question_tools = tool_infos(T.QUESTION_TOOLS)
        self.shown = 0
        self.model_errors = 0

    async def play(self) -> None:
        episode = self.episode
        while not episode.done and not episode.truncated:
            event = episode.event
            assert event is not None
            if event.question is not None:
                await self._question(event.question.public())
            elif self.writer is not None:
                self.writer.observe(event)
                episode.call(T.NEXT, {})
            elif event.kind in SILENT_KINDS:
                episode.call(T.NEXT, {})
            else:
                await self._event(event.text)

    async def _generate(
        self, messages: list[ChatMessage], tools: list[ToolInfo], headers: dict[str, str]
    ) -> ModelOutput:
        output = await self.model.generate(
            messages, tools=tools, config=GenerateConfig(extra_headers=headers)
        )
        messages.append(output.message)
        return output

    def _run_calls(
        self, calls: list[ToolCall], allowed: Toolset, messages: list[ChatMessage]
    ) -> bool:
        """Run the model's calls on the episode; True once one of them moved it on."""
        for call in calls:
            if call.parse_error:
                result, advanced = T.refusal("invalid_tool_json", call.parse_error), False
            elif call.function not in allowed:
                names = ", ".join(allowed.tools)
                result = T.refusal("unknown_tool", f"no tool {call.function!r} here; use {names}")
                advanced = False
            else:
                outcome = self.episode.call(call.function, call.arguments)
                result, advanced = outcome.result, outcome.advanced
            messages.append(
                ChatMessageTool(content=result, tool_call_id=call.id, function=call.function)
            )
            if advanced:
                return True
        return False

    async def _event(self, text: str) -> None:
        messages: list[ChatMessage] = [
            self.writer_system,
            ChatMessageUser(content=event_message(self.shown, text)),
        ]
        self.shown += 1
        for _ in range(self.max_turns):
            output = await self._generate(messages, self.writer_tools, self.headers)
            calls = output.message.tool_calls or []
            if not calls:
                break
            self._run_calls(calls, T.WRITER_TOOLS, messages)
            if self.episode.truncated:
                break
        self.state.messages.extend(messages)
        if not self.episode.truncated:
            self.episode.call(T.NEXT, {})

    async def _question(self, question: Question) -> None:
        view = View(messages=[Message(role="system", content=self.episode.scenario.brief)])
        messages: list[ChatMessage] = []
        for m in render(question, view, tools=True):
            cls = ChatMessageSystem if m["role"] == "system" else ChatMessageUser
            messages.append(cls(content=m["content"]))
        spec = json.dumps(question.spec, sort_keys=True, separators=(",", ":"))
        headers = {TRACK_HEADER: self.track.name, SPEC_HEADER: spec}  # as the llm reasoner
        answered = False
        for _ in range(self.max_turns):
            output = await self._generate(messages, self.question_tools, headers)
            calls = output.message.tool_calls or []
            if calls:
                answered = self._run_calls(calls, T.QUESTION_TOOLS, messages)
            else:
                stop = "length" if output.stop_reason == "max_tokens" else None
                try:
                    answer = extract_answer(output.message.text, stop)
                    answered = self.episode.call(T.ANSWER, {"answer": answer}).advanced
                except LLMModelError as exc:  # a model_error, as memgym run records it
                    self.model_errors += 1
                    answered = self.episode.skip(exc.reason).advanced
            if answered or self.episode.truncated:
                break
        if not answered and not self.episode.truncated:
            self.model_errors += 1
            self.episode.call(T.NEXT, {})  # no answer within max_turns: scored wrong
        self.state.messages.extend(messages)


@solver
def memgym_agent(
    track: str = "entities",
    tier: str | None = None,
    params: Params = "",
    script: str = "",
    writer: str = "",
    max_turns: int = MAX_TURNS,
    max_calls_per_event: int = MAX_CALLS_PER_EVENT,
) -> Any:
    """Play the sample's memgym episode with the eval's model and memgym's tools (``writer``: a
    scripted write policy keeps the memory in-process and the model only answers)."""
    if script and writer:
        raise ValueError("give script (serve drives the writes) or writer (in-process), not both")
    overrides = _overrides(params)
    policy = script or writer
    waive = make_policy(policy).waives_budget if policy else False

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        shared = get_track(track)
        seed = int(state.metadata["seed"])
        salt = salt_digest()
        if salt != state.metadata.get("salt", ""):
            raise ValueError(
                "the sample was drawn under another salt than MEMGYM_SALT names now: "
                "build and run the task under one salt"
            )
        scenario = shared.generate(evaluation_seed(shared.name, seed), tier, **overrides)
        episode = Episode(
            scenario,
            tier=tier,
            overrides=overrides,
            track=shared,
            waive_budget=waive,
            max_calls_per_event=max_calls_per_event,
            seed=seed,
            salt=salt,
        )
        run = _Run(get_model(), state, shared, episode, script, writer, max_turns)
        try:
            await run.play()
            scores = episode.scores()
        finally:
            episode.close()
        state.metadata["memgym"] = {
            "scenario_hash": episode.scenario_hash,
            "scores": scores,
            "answers": [a.model_dump(mode="json") for a in episode.answers],
            "calls": episode.total_calls,
            "model_errors": run.model_errors,
            "truncated": episode.truncated and not episode.done,
        }
        state.output.completion = json.dumps(scores)
        return state

    return solve


@scorer(metrics={"*": [mean(), stderr()]})
def memgym_scorer() -> Any:
    """memgym's scores of the episode: composite, accuracy and every axis the episode has."""

    async def score(state: TaskState, target: Target) -> Score:
        result = state.metadata.get("memgym")
        if result is None:
            raise ValueError("memgym_scorer needs the memgym_agent solver's result")
        scores = result["scores"]
        value = {"composite": scores["composite"], "accuracy": scores["accuracy"]}
        value.update(scores["axes"])
        return Score(
            value=value,
            answer=state.output.completion,
            explanation=f"{scores['correct']}/{scores['questions']} correct, "
            f"{scores['writes_used']} writes",
            metadata={"scenario_hash": result["scenario_hash"], **scores},
        )

    return score


def memgym_task(
    track: str,
    tier: str | None = None,
    seeds: int = 1,
    seed: int = 0,
    params: Params = "",
    script: str = "",
    writer: str = "",
    max_turns: int = MAX_TURNS,
) -> Task:
    """The Inspect task for ``track``: one sample per seed ``seed .. seed+seeds-1``."""
    if seeds < 1:
        raise ValueError(f"seeds must be at least 1, got {seeds}")
    shared = get_track(track)
    overrides = _overrides(params)
    salt = salt_digest()
    samples = []
    for s in range(seed, seed + seeds):
        scenario = shared.generate(evaluation_seed(shared.name, s), tier, **overrides)
        samples.append(
            Sample(
                input=f"memgym {track} episode, seed {s}",
                target="",
                id=f"{track}-{scenario.params.get('tier', tier)}-{s}",
                metadata={
                    "seed": s,
                    "scenario_hash": scenario.hash,
                    "track": track,
                    "params": scenario.params,
                    **({"salt": salt} if salt else {}),
                },
            )
        )
    return Task(
        dataset=MemoryDataset(samples, name=f"memgym-{track}"),
        solver=memgym_agent(track, tier, params, script, writer, max_turns),
        scorer=memgym_scorer(),
        metadata={
            "memgym_track": track,
            "tier": tier,
            "script": script,
            "writer": writer,
            "salt": salt,
        },
    )


def track_task(name: str) -> Any:
    """An Inspect ``@task`` named ``name`` for the track ``name``."""

    def make(
        tier: str | None = None,
        seeds: int = 1,
        seed: int = 0,
        params: Params = "",
        script: str = "",
        writer: str = "",
        max_turns: int = MAX_TURNS,
    ) -> Task:
        return memgym_task(name, tier, seeds, seed, params, script, writer, max_turns)

    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"memgym's {name} track: one episode per seed, scored by memgym."
    return task(name=name if _inspect_adds_namespace() else f"memgym/{name}")(make)


def _inspect_adds_namespace() -> bool:
    """Whether Inspect will name memgym's tasks ``memgym/<name>`` by itself: it does when memgym
    sits in site-packages or its distribution says it is installed editable. A setuptools
    ``memgym.egg-info`` earlier on ``sys.path`` (a checkout's root, under pytest) hides the
    latter, and the name is then given in full so ``memgym/<track>`` resolves either way."""
    from importlib.metadata import PackageNotFoundError, distribution

    if "site-packages" in Path(__file__).resolve().parts:
        return True
    try:
        direct = distribution("memgym").read_text("direct_url.json")
    except PackageNotFoundError:
        return False
    try:
        return bool(json.loads(direct or "{}").get("dir_info", {}).get("editable"))
    except (ValueError, AttributeError):
        return False
