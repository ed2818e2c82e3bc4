"""tau2 track speed: CPU per task-run of ``memgym audit --track tau2`` against τ²-bench alone.

Run (in the venv with ``.[tau2]``): ``python bench/bench_tau2.py [--domains mock,airline,telecom]
[--seeds 1] [--repeats 2]``. With ``PYTHONPATH`` at another checkout it measures that tree's
memgym (the figures before a change).

- **import**: CPU of importing τ²-bench (litellm's import is most of it) in a fresh process,
  paid once per process or worker, reported apart.
- **once per domain**: CPU of what each process reads once per domain (its tasks, tools and
  policy, the memory profiles of its tasks, the pristine environment): reported apart; and the
  first audit of the domain in the process (its first sessions import memgym's interactive
  modules and fill the per-process caches), reported apart too: a worker runs many.
- **memgym**: the audit of each domain in process (``audit_interactive``: every reference agent
  and cheat over ``--seeds`` scenarios), CPU per task-run (one task served in one session: its
  environment, calls, customer, memory, agent and τ²-bench's evaluator).
- **τ²-bench alone**, the same task-runs through τ²-bench's own runner (``bench/tau2_alone.py``):
  for each trajectory the audit recorded, what ``run_task`` does: the environment from its
  registry constructor, an ``Orchestrator`` stepping a replay agent and a replay customer through
  the recorded messages (the tool calls run by τ²-bench's environment), its trajectory and
  ``evaluate_simulation`` on it; no memgym. Its tool results and rewards are checked equal to
  the audit's (after the timing).
  The verdict is on this side: the engine alone doing the same work.
- **τ²-bench's parts alone** (printed beside, the floor): τ²-bench's environment from its
  constructor, the task's initial state, the same tool calls and ``evaluate_simulation`` on the
  recorded messages, with no runner (no orchestrator, agent, customer, nor the tools' schemas
  ``run_task`` makes for its agent per task).

The two are interleaved ``--repeats`` times after the first audit; the figures are the medians; CPU is
``time.process_time`` of this process (no wall time: the machine is shared). The target is
memgym ≤ 1.2× τ²-bench alone per task-run; "met" is printed on that ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

TARGET = 1.2
IMPORT = (
    "import time; s = time.process_time(); from memgym.tracks.tau2 import loader; "
    "loader.require(); print(time.process_time() - s)"
)


@dataclass
class Recorded:
    """One task-run as the audit evaluated it: enough for τ²-bench to run it alone."""

    domain: str
    task: Any
    messages: list[Any]
    reason: str
    reward: float


def import_cpu() -> float:
    """CPU seconds of importing τ²-bench in a fresh process."""
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    out = subprocess.run(
        [sys.executable, "-c", IMPORT], capture_output=True, text=True, check=True, env=env
    )
    return float(out.stdout.strip().splitlines()[-1])


def once_per_domain(domain: str) -> float:
    """CPU seconds of what a process reads once per domain."""
    from memgym.tracks.tau2 import loader, recall

    start = time.process_time()
    loader.tasks(domain)
    loader.domain_info(domain)
    recall.profiles(domain)
    if hasattr(loader, "evaluated"):  # a tree before the cached databases has none
        loader.evaluated(domain)
    loader.environment(domain)
    return time.process_time() - start


def memgym_audit(domain: str, seeds: int) -> tuple[float, list[Recorded]]:
    """CPU seconds of the audit of ``domain`` and the task-runs it evaluated."""
    from memgym.interactive.audit import audit_interactive
    from memgym.tracks.tau2 import session
    from memgym.tracks.tau2.track import Tau2Track

    recorded: list[Recorded] = []
    evaluate = session.evaluate

    def recording(name: str, state: Any, reason: str, task_id: str, *key: Any) -> Any:
        outcome = evaluate(name, state, reason, task_id, *key)  # key: a renamed world's
        recorded.append(Recorded(name, state.task, list(state.trajectory), reason, outcome.reward))
        return outcome

    session.evaluate = recording  # type: ignore[assignment]
    try:
        start = time.process_time()
        fixed: dict[str, Any] = {"domain": domain}
        if "rename" in Tau2Track().params(None):  # τ²-bench alone runs its own world
            fixed["rename"] = 0
        audit_interactive(Tau2Track(), None, range(seeds), fixed)
        return time.process_time() - start, recorded
    finally:
        session.evaluate = evaluate  # type: ignore[assignment]


def tau2_alone(runs: list[Recorded]) -> tuple[float, list[float], bool]:
    """CPU seconds of τ²-bench running the same task-runs by itself through its own runner, its
    rewards, and whether every run made the recorded tool results (checked after the timing)."""
    from tau2_alone import run_alone, same_work

    start = time.process_time()
    results = [run_alone(r.domain, r.task, r.messages, r.reason) for r in runs]
    cpu = time.process_time() - start
    same = all(same_work(r.messages, t) for r, (_, t) in zip(runs, results, strict=True))
    return cpu, [reward for reward, _ in results], same


def tau2_parts(runs: list[Recorded]) -> tuple[float, list[float]]:
    """CPU seconds of τ²-bench's parts alone on the same task-runs (the floor: its environment from
    its constructor, the initial state, the same tool calls and ``evaluate_simulation`` on the
    recorded messages; no orchestrator, agent or customer), and its rewards."""
    from tau2.data_model.simulation import SimulationRun
    from tau2.evaluator.evaluator import EvaluationType, evaluate_simulation
    from tau2.registry import registry

    rewards = []
    start = time.process_time()
    for run in runs:
        env = registry.get_env_constructor(run.domain)()
        initial = run.task.initial_state
        history = list(initial.message_history or []) if initial is not None else []
        env.set_state(
            initialization_data=initial.initialization_data if initial is not None else None,
            initialization_actions=initial.initialization_actions if initial is not None else None,
            message_history=history,
        )
        for message in run.messages[len(history) :]:
            for call in getattr(message, "tool_calls", None) or []:
                env.get_response(call)
        simulation = SimulationRun(
            id=run.task.id, task_id=run.task.id, start_time="", end_time="", duration=0.0,
            termination_reason=run.reason, messages=run.messages,
        )  # fmt: skip
        try:
            info = evaluate_simulation(simulation, run.task, EvaluationType.ALL, False, run.domain)
            rewards.append(float(info.reward))
        except Exception:  # noqa: BLE001 - as memgym's session: an evaluator error scores 0
            rewards.append(0.0)
    return time.process_time() - start, rewards


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", default="mock,airline,telecom")
    parser.add_argument("--seeds", type=int, default=1, help="audit seeds per domain")
    parser.add_argument("--repeats", type=int, default=2, help="interleaved rounds")
    args = parser.parse_args(argv)
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    print(f"import of τ²-bench, fresh process: {import_cpu():.2f} s CPU (once per process)")
    from memgym.tracks.tau2 import loader

    loader.require()
    met = True
    for domain in args.domains.split(","):
        once = once_per_domain(domain)
        first, _runs = memgym_audit(domain, args.seeds)
        print(
            f"{domain}: once per domain {once:.2f} s CPU; the first audit in the process "
            f"{first * 1000:.0f} ms CPU ({first / len(_runs) * 1000:.1f} ms per task-run)"
        )
        same = True
        ours: list[float] = []
        theirs: list[float] = []
        floor: list[float] = []
        for _ in range(args.repeats):
            cpu, runs = memgym_audit(domain, args.seeds)
            alone, rewards, replayed = tau2_alone(runs)
            same &= replayed and rewards == [r.reward for r in runs]
            bare, rewards = tau2_parts(runs)
            same &= rewards == [r.reward for r in runs]
            ours.append(cpu / len(runs))
            theirs.append(alone / len(runs))
            floor.append(bare / len(runs))
        mine, base = statistics.median(ours), statistics.median(theirs)
        parts = statistics.median(floor)
        ratio = mine / base
        met &= ratio <= TARGET
        print(
            f"{domain}: {len(runs)} task-runs; CPU per task-run memgym {mine * 1000:.1f} ms, "
            f"τ²-bench alone {base * 1000:.1f} ms: {ratio:.2f}× "
            f"({'met' if ratio <= TARGET else 'not met'}, target ≤ {TARGET}×); "
            f"tool results and rewards {'equal' if same else 'DIFFER'}; τ²-bench's parts alone (no runner) "
            f"{parts * 1000:.1f} ms: {mine / parts:.2f}×"
        )
    load = os.getloadavg()[0]
    print(f"load average {load:.1f}; target met on every domain: {'yes' if met else 'no'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
