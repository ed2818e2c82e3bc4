"""A shift of τ²-bench customers as one memgym ``Session``.

Each task gets its own τ²-bench environment (its own database, set up from the task's initial
state) and its own τ²-bench trajectory: the agent's tool calls and text turns, the customer's
turns and tool calls, exactly as τ²-bench's orchestrator would record them. When a task's last
call ends, τ²-bench's own evaluator (``evaluate_simulation``, all non-LLM checks: database,
environment assertions, actions, communicated information) scores that trajectory. A task whose
evaluation raises (e.g. "task not found") scores 0, with the error in its detail.

The agent sees one growing history: the system prompt (τ²-bench's agent instructions and the
domain policy, plus how a shift works), the shift's opening line (``SHIFT``: the pinned head,
no customer in it), then every call in turn, each opening with ``[Call N]``.

Callbacks are enforced: on a callback's first call the customer is not ready to go ahead, so a
world changed during that call (the domain's database or the customer's phone) fails the task,
whatever the evaluator says of it later (``ACTED_EARLY``; the evaluator's reward is kept in the
outcome's ``info``): an agent cannot act at once to spare itself remembering the details.

Only callbacks are scored: their tasks are memory-sensitive by construction (``recall``: the
details the callback needs were given only in the first call). A task served in one call needs
no memory of an earlier call; its outcome is reported apart (``TaskOutcome.scored`` False).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from memgym.tracks.session import (
    AgentTurn,
    ChatMessage,
    OraclePlan,
    Session,
    TaskOutcome,
    ToolCall,
)
from memgym.tracks.tau2 import loader
from memgym.tracks.tau2.customer import STOP, DeviceTool, Reply
from memgym.tracks.tau2.plan import gold_steps
from memgym.tracks.tau2.schedule import Call

INSTRUCTIONS = """You are a customer service agent that helps the user according to the <policy> provided below.
In each turn you can either:
- Send a message to the user.
- Make a tool call.
You cannot do both at the same time.

Try to be helpful and always follow the policy. Always make sure you generate valid JSON only.

You serve several customers in a row in this one conversation. Each call opens with "[Call N]";
a customer may call back later about an earlier call. When you have done everything you can for
the customer on the line, say so and end your message with ###STOP###."""

SHIFT = (
    "[Shift] Your shift begins: {calls} calls will follow in this conversation, one customer "
    "on the line at a time."
)
"""The session's first user message, the head every strategy pins: it holds no customer's
details, so no strategy keeps a customer's call for free."""
ACTED_EARLY = "acted before the callback: the world changed during the first call"
DEVICE = """
The customer's phone has its own tools, which only the customer can run. To have the customer run
one, write its name followed by its JSON arguments, e.g. "toggle_airplane_mode {{}}". They are: {names}."""


class Customer(Protocol):
    """The other party of one call: the scripted customer or a simulated one (a model)."""

    def opening(self) -> str: ...

    def respond(self, agent_text: str, device: DeviceTool) -> Reply: ...


@dataclass
class TaskState:
    """One task of the shift: its world, its trajectory and its outcome once verified."""

    task: Any
    env: Any = None
    trajectory: list[Any] = field(default_factory=list)
    call_number: int = 0
    outcome: TaskOutcome | None = None
    opened: tuple[Any, ...] = ()
    """The world's hashes before the first tool ran in the first call of a callback (empty: no
    tool ran in it, so the world is as it opened: tools are the only way to change it)."""
    acted_early: bool = False


class Tau2Session(Session):
    """One shift (see the module docstring). ``customers[i]`` plays call ``i``."""

    def __init__(
        self,
        domain: str,
        tasks: list[Any],
        calls: list[Call],
        customers: list[Customer],
        key: int | None = None,
    ) -> None:
        """``key``: the seed key of the renamed world the tasks were renamed for (``rename``;
        None: τ²-bench's own world)."""
        loader.require()
        self.domain = domain
        self.key = key
        self.states = [TaskState(t) for t in tasks]
        self.calls = calls
        self.customers = customers
        info = loader.domain_info(domain)
        self.tools = [dict(t) for t in info.tools]
        self.device_tools = set(info.device_tools)
        self.policy = info.policy if key is None else loader.renaming(domain, key).text(info.policy)
        self.now = 0
        self.verified = 0
        self._gold: dict[int, tuple[Any, ...]] = {}

    # -- the Session contract --------------------------------------------------------------

    def start(self) -> list[ChatMessage]:
        system = f"<instructions>\n{INSTRUCTIONS}"
        if self.device_tools:
            system += DEVICE.format(names=", ".join(sorted(self.device_tools)))
        system += f"\n</instructions>\n<policy>\n{self.policy}\n</policy>"
        return [
            {"role": "system", "content": system},
            {"role": "user", "content": SHIFT.format(calls=len(self.calls))},
            {"role": "user", "content": self._open()},
        ]

    def call(self, tool_call: ToolCall) -> str:
        state = self._state()
        if state is None:
            return "error: no customer is on the line"
        try:
            arguments = tool_call.parsed()
        except ValueError as exc:
            return f"error: {exc}"
        from tau2.data_model.message import AssistantMessage
        from tau2.data_model.message import ToolCall as Tau2Call

        request = Tau2Call(id=tool_call.id, name=tool_call.name, arguments=arguments)
        state.trajectory.append(AssistantMessage(role="assistant", tool_calls=[request]))
        self._before_tool(state)
        result = state.env.get_response(request)
        state.trajectory.append(result)
        return str(result.content)

    def reply(self, turn: AgentTurn | None) -> str | None:
        state = self._state()
        if state is None:
            return None
        if turn is None:
            return self._end("max_steps")
        from tau2.data_model.message import AssistantMessage, UserMessage

        text = turn.content or "..."
        state.trajectory.append(AssistantMessage(role="assistant", content=text))
        if STOP in text:
            return self._end("agent_stop")
        answer = self.customers[self.now].respond(text, self._device(state))
        state.trajectory.append(UserMessage(role="user", content=answer.text))
        if answer.stop:
            return self._end("user_error" if answer.error else "user_stop")
        return answer.text

    def position(self) -> int:
        return self.verified

    def outcomes(self) -> list[TaskOutcome]:
        finals = [c for c in self.calls if c.part != "first"]
        return [
            self.states[c.task].outcome
            or TaskOutcome(
                self._id(c.task), 0.0, detail="never reached", scored=c.part == "callback"
            )
            for c in finals
        ]

    def oracle(self) -> OraclePlan | None:
        if self.now >= len(self.calls):
            return None
        call = self.calls[self.now]
        steps: tuple[Any, ...] = ()
        if call.part != "first":
            if call.task not in self._gold:  # asked every turn: made once per task
                self._gold[call.task] = gold_steps(self.states[call.task].task)
            steps = self._gold[call.task]
        return OraclePlan(f"{self._id(call.task)}#call{self.now + 1}", steps)

    # -- calls -----------------------------------------------------------------------------

    def _state(self) -> TaskState | None:
        return self.states[self.calls[self.now].task] if self.now < len(self.calls) else None

    def _id(self, index: int) -> str:
        return f"{self.domain}/{self.states[index].task.id}"

    def _open(self) -> str:
        """Start call ``self.now``: its world on its first call, its opening line."""
        from tau2.data_model.message import UserMessage

        state = self._state()
        assert state is not None
        number = self.now + 1
        prefix = f"[Call {number}] "
        if state.env is None:
            state.env = self._world(state)
            state.call_number = number
            earlier = render(state.trajectory)
            if earlier:
                prefix += f"(Earlier in this conversation:\n{earlier})\n"
        text = prefix + self.customers[self.now].opening()
        state.trajectory.append(UserMessage(role="user", content=text))
        return text

    def _world(self, state: TaskState) -> Any:
        """The task's environment, set to its initial state (history replayed, as τ²-bench
        does), with that history as the start of its trajectory."""
        env = loader.environment(self.domain, key=self.key)
        initial = state.task.initial_state
        history = copy.deepcopy(initial.message_history or []) if initial is not None else []
        env.set_state(
            initialization_data=initial.initialization_data if initial is not None else None,
            initialization_actions=initial.initialization_actions if initial is not None else None,
            message_history=history,
        )
        state.trajectory = list(history)
        return env

    def _end(self, reason: str) -> str | None:
        """End the call in progress (verifying its task unless it will call back) and open the
        next call; None when the shift is over."""
        call = self.calls[self.now]
        state = self.states[call.task]
        if call.part == "first":
            state.acted_early = bool(state.opened) and _hashes(state.env) != state.opened
        else:
            state.outcome = evaluate(self.domain, state, reason, self._id(call.task), self.key)
            if state.acted_early:
                info = {**state.outcome.info, "evaluator_reward": state.outcome.reward}
                state.outcome = TaskOutcome(state.outcome.task_id, 0.0, "ok", ACTED_EARLY, info)
            state.outcome.scored = call.part == "callback"
            self.verified += 1
        self.now += 1
        return self._open() if self.now < len(self.calls) else None

    def _device(self, state: TaskState) -> DeviceTool:
        """Runs one of the customer's own tools in the task's world, recording it as τ²-bench
        does (a user message with the tool call, then the tool's message)."""

        def run(name: str, arguments: dict[str, Any]) -> str:
            from tau2.data_model.message import ToolCall as Tau2Call
            from tau2.data_model.message import UserMessage

            index = sum(1 for m in state.trajectory if getattr(m, "role", "") == "tool")
            request = Tau2Call(id=f"user_{index}", name=name, arguments=arguments, requestor="user")
            state.trajectory.append(UserMessage(role="user", tool_calls=[request]))
            self._before_tool(state)
            result = state.env.get_response(request)
            state.trajectory.append(result)
            return str(result.content)

        return run

    def _before_tool(self, state: TaskState) -> None:
        """Before a tool runs in the first call of a callback: the world's hashes, once (hashing
        a database costs as much as a third of building it: airline's 0.17 s)."""
        if not state.opened and self.calls[self.now].part == "first":
            state.opened = _hashes(state.env)


def _hashes(env: Any) -> tuple[Any, ...]:
    """The hashes of a task's world: the domain's database and the customer's (its phone)."""
    return (env.get_db_hash(), env.get_user_db_hash())


def evaluate(
    domain: str, state: TaskState, reason: str, task_id: str, key: int | None = None
) -> TaskOutcome:
    """τ²-bench's own verdict on the task's trajectory (no LLM judge), on the world renamed for
    ``key`` when one is given."""
    from tau2.data_model.simulation import SimulationRun
    from tau2.evaluator.evaluator import EvaluationType, evaluate_simulation

    run = SimulationRun(
        id=task_id, task_id=state.task.id, start_time="", end_time="", duration=0.0,
        termination_reason=reason, messages=state.trajectory,
    )  # fmt: skip
    try:
        info = evaluate_simulation(
            run, state.task, EvaluationType.ALL, False, loader.evaluated(domain, key)
        )
    except Exception as exc:  # noqa: BLE001 - any evaluator failure scores 0, counted
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        return TaskOutcome(
            task_id, 0.0, detail=f"evaluator error: {first}", info={"evaluator_error": 1}
        )
    breakdown = {str(getattr(k, "value", k)): v for k, v in (info.reward_breakdown or {}).items()}
    detail = ", ".join(f"{k} {v:g}" for k, v in sorted(breakdown.items())) or reason
    if reason not in ("user_stop", "agent_stop"):
        detail = f"{reason}: {detail}"
    return TaskOutcome(
        task_id, float(info.reward), detail=detail, info={"reason": reason, **breakdown}
    )


def render(history: list[Any]) -> str:
    """A task's prior history (τ²-bench messages) as text lines for the opening."""
    lines = []
    for m in history:
        if getattr(m, "tool_calls", None):
            for c in m.tool_calls:
                lines.append(f"{m.role} called {c.name} {json.dumps(c.arguments, sort_keys=True)}")
        elif m.role == "tool":
            lines.append(f"tool result: {m.content}")
        elif m.content:
            lines.append(f"{m.role}: {m.content}")
    return "\n".join(lines)
