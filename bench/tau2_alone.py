"""τ²-bench alone on a recorded task-run: its own runner (``run_task``'s steps) with the agent and
the customer replaced by the messages memgym's audit recorded, so τ²-bench does the same work
without memgym (the baseline of ``bench_tau2.py``).

What runs, all τ²-bench's code, as ``tau2.run.run_task`` runs a task: the domain's
environment from its registry constructor (reading its data files), the agent's tools and the
customer's (``get_tools``, ``get_user_tools``: pydantic models made per task), an
``Orchestrator`` over a replay agent and a replay customer (each hands back its next recorded
message, new timestamp, as an LLM's would be made), every step of the orchestrator (messages
validated, tool calls run by the environment, tools synced), its trajectory (``get_trajectory``:
copied and sorted), its ``SimulationRun`` and ``evaluate_simulation`` (``EvaluationType.ALL``,
its own environments rebuilt from the registry).

One departure from ``Orchestrator.run``: a callback's task-run spans two calls of a memgym shift,
so where the first call ended (a stop, or the next recorded speaker is not the one τ²-bench's
alternation would ask) the driver hands the turn to the recorded speaker and steps on, instead of
ending the run. The termination reason is the one memgym recorded, so both evaluate alike.
"""

from __future__ import annotations

from collections import deque
from functools import cache
from typing import Any

STOP = "###STOP###"


def run_alone(domain: str, task: Any, messages: list[Any], reason: str) -> tuple[float, list[Any]]:
    """τ²-bench's reward for ``messages`` (one recorded task-run of ``task``), run by τ²-bench,
    and the trajectory its orchestrator recorded."""
    from tau2.data_model.simulation import SimulationRun
    from tau2.evaluator.evaluator import EvaluationType, evaluate_simulation
    from tau2.orchestrator.orchestrator import Orchestrator, Role
    from tau2.registry import registry
    from tau2.utils.llm_utils import get_cost

    environment = registry.get_env_constructor(domain)()
    initial = task.initial_state
    start = len(initial.message_history or []) if initial is not None else 0
    spoken = deque(m for m in messages[start:] if m.role != "tool")
    agent = _agent_class()(environment.get_tools(), environment.get_policy(), spoken)
    try:  # as ``run_task``: the customer's tools, for the user simulator
        environment.get_user_tools()
    except Exception:  # noqa: BLE001, S110 - a domain without them (``run_task`` passes None)
        pass
    user = _user_class()(spoken)
    orchestrator = Orchestrator(domain, agent, user, environment, task)
    orchestrator.initialize()
    while spoken or orchestrator.to_role == Role.ENV:
        if orchestrator.to_role != Role.ENV:
            orchestrator.done = False  # a call ended: the task's next call goes on
            speaker = Role.USER if spoken[0].role == "user" else Role.AGENT
            if orchestrator.to_role != speaker:  # the next call opens with the other party
                orchestrator.to_role = speaker
                orchestrator.from_role = Role.AGENT if speaker == Role.USER else Role.USER
        orchestrator.step()
    agent.stop(None, orchestrator.agent_state)
    user.stop(None, orchestrator.user_state)
    trajectory = orchestrator.get_trajectory()
    get_cost(trajectory)
    simulation = SimulationRun(
        id=task.id, task_id=task.id, start_time="", end_time="", duration=0.0,
        termination_reason=reason, messages=trajectory,
    )  # fmt: skip
    try:
        info = evaluate_simulation(simulation, task, EvaluationType.ALL, False, domain)
    except Exception:  # noqa: BLE001 - as memgym's session: an evaluator error scores 0
        return 0.0, trajectory
    return float(info.reward), trajectory


def same_work(recorded: list[Any], replayed: list[Any]) -> bool:
    """Whether τ²-bench's run made the recorded run's tool results (the same calls, answered
    alike) and carried every recorded text in order (its orchestrator's greeting apart)."""
    from tau2.orchestrator.orchestrator import DEFAULT_FIRST_AGENT_MESSAGE

    greeting = DEFAULT_FIRST_AGENT_MESSAGE.content

    def tools(messages: list[Any]) -> list[str]:
        return [str(m.content) for m in messages if m.role == "tool"]

    def texts(messages: list[Any]) -> list[str]:
        return [m.content for m in messages if m.role != "tool" and m.content]

    said = [t for t in texts(replayed) if t != greeting]
    return tools(recorded) == tools(replayed) and said == texts(recorded)


def _next(spoken: deque[Any], role: str) -> Any:
    """The next recorded message, which must be ``role``'s, as newly made."""
    from tau2.utils.utils import get_now

    message = spoken.popleft()
    if message.role != role:
        raise ValueError(f"replay: expected a {role} message, the recording has {message.role}")
    return message.model_copy(update={"timestamp": get_now(), "turn_idx": None})


@cache
def _agent_class() -> type:
    from tau2.agent.base import LocalAgent

    class ReplayAgent(LocalAgent[None]):
        """Hands back the recorded assistant messages in order."""

        def __init__(self, tools: Any, policy: str, spoken: deque[Any]) -> None:
            super().__init__(tools=tools, domain_policy=policy)
            self.spoken = spoken

        def get_init_state(self, message_history: Any = None) -> None:
            return None

        def generate_next_message(self, message: Any, state: None) -> tuple[Any, None]:
            return _next(self.spoken, "assistant"), None

        @classmethod
        def is_stop(cls, message: Any) -> bool:
            return bool(message.content) and STOP in message.content

    return ReplayAgent


@cache
def _user_class() -> type:
    from tau2.user.base import BaseUser, UserState

    class ReplayUser(BaseUser):
        """Hands back the recorded customer messages (texts and device calls) in order."""

        def __init__(self, spoken: deque[Any]) -> None:
            super().__init__(instructions=None, llm=None)
            self.spoken = spoken

        def get_init_state(self, message_history: Any = None) -> Any:
            return UserState(system_messages=[], messages=list(message_history or []))

        def generate_next_message(self, message: Any, state: Any) -> tuple[Any, Any]:
            return _next(self.spoken, "user"), state

        @classmethod
        def is_stop(cls, message: Any) -> bool:
            return bool(message.content) and STOP in message.content

        def set_seed(self, seed: int) -> None:
            pass

    return ReplayUser


def main(argv: list[str] | None = None) -> int:
    """Check the replay on one domain: every task-run of its audit run by τ²-bench's runner
    makes the same tool results and earns the same reward."""
    import argparse

    parser = argparse.ArgumentParser(description="check the replay on one domain")
    parser.add_argument("--domain", default="mock")
    args = parser.parse_args(argv)
    from bench_tau2 import memgym_audit

    _cpu, runs = memgym_audit(args.domain, 1)
    results = [run_alone(r.domain, r.task, r.messages, r.reason) for r in runs]
    rewards = sum(reward == r.reward for (reward, _), r in zip(results, runs, strict=True))
    same = sum(same_work(r.messages, t) for (_, t), r in zip(results, runs, strict=True))
    print(
        f"{args.domain}: {len(runs)} task-runs replayed by τ²-bench's runner; same tool results "
        f"{same}/{len(runs)}, same reward {rewards}/{len(runs)}"
    )
    return 0 if rewards == same == len(runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
