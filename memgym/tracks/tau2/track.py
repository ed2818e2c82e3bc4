"""The ``tau2`` track: τ²-bench's real tasks, served by an agent whose history a memory compacts.

``generate`` picks the session's domain and tasks and plans its calls (``schedule``); airline
and retail shifts serve a world renamed for their seed (``rename``). ``open`` builds the live
``Tau2Session`` with its customers (``customer``: scripted; ``user``: τ²-bench's
user simulator on a model). Rewards are τ²-bench's own (``session.evaluate``).
"""

from __future__ import annotations

import json
import random
from typing import Any

from memgym.tracks.interactive import InteractiveTrack
from memgym.tracks.registry import register_track
from memgym.tracks.session import Session
from memgym.tracks.tau2 import loader, recall, rename
from memgym.tracks.tau2 import params as parameters
from memgym.tracks.tau2.customer import ScriptedCustomer, scenario_text
from memgym.tracks.tau2.schedule import Call, order_tasks, pick_tasks, plan_calls
from memgym.types import Event, Scenario

BRIEF = "A shift of τ²-bench {domain} customers served by one agent in one conversation."


@register_track("tau2")
class Tau2Track(InteractiveTrack, parameters=parameters):
    """τ²-bench as an interactive track; see ``memgym.tracks.tau2`` for the parts."""

    gated = True
    cheats = ("tau2-prior",)
    ungated_groups = ("mock",)
    """Mock's world is one user and one task, read whole by ``get_users``, and its five
    memory-sensitive tasks share two gold writes: a prior hits them (docs/tau2.md)."""

    def generate(self, seed: int, tier: str | None = None, **overrides: Any) -> Scenario:
        params = self.params(tier, **overrides)
        names = parameters.domains(params["domain"])
        domain = names[seed % len(names)]
        chunk = seed // len(names)
        memory = recall.memory_tasks(domain)
        wanted = min(params["callbacks"], len(memory), params["customers"] - 1)
        recalled = pick_tasks(memory, chunk, wanted) if wanted else []
        # with callbacks, the memory-sensitive tasks are served only as callbacks
        others = [t for t in loader.tasks(domain) if not recalled or t not in set(memory)]
        served = pick_tasks(others, chunk, params["customers"] - len(recalled)) if others else []
        rng = random.Random(seed)
        ids = order_tasks(served, recalled, rng)
        changing = [t in set(recalled) for t in ids]
        calls = plan_calls(changing, len(recalled), params["gap"], rng)
        plan: dict[str, Any] = {"domain": domain, "calls": [[c.task, c.part] for c in calls]}
        if params["rename"] and rename.renamed(
            domain
        ):  # the world renamed for this seed (salted when the run is)
            plan["rename"] = seed
        events = [Event(step=i, kind="task", text=f"{domain}/{t}") for i, t in enumerate(ids)]
        brief = BRIEF.format(domain=domain) + "\n" + json.dumps(plan, separators=(",", ":"))
        return Scenario(
            track=self.name, seed=seed, params=params, brief=brief, facts=[], events=events
        )

    def require(self) -> None:
        """τ²-bench (``.[tau2]``)."""
        loader.require()

    def open(self, scenario: Scenario) -> Session:
        from memgym.tracks.tau2.session import Tau2Session

        plan = json.loads(scenario.brief.splitlines()[-1])
        domain = plan["domain"]
        known = loader.tasks(domain)
        tasks = [known[e.text.split("/", 1)[1]] for e in scenario.events]
        key = plan.get("rename")
        if key is not None:
            tasks = [loader.renaming(domain, key).task(t) for t in tasks]
        calls = [Call(int(i), part) for i, part in plan["calls"]]
        first = {c.task: n + 1 for n, c in reversed(list(enumerate(calls)))}
        user = scenario.params.get("user", "scripted")
        device = set(loader.domain_info(domain).device_tools)
        customers: list[Any] = []
        for call in calls:
            task = tasks[call.task]
            if user == "scripted":
                text = scenario_text(task.user_scenario.instructions)
                customers.append(ScriptedCustomer(text, call.part, first[call.task], device))
            else:
                from memgym.tracks.tau2.user import SimulatedCustomer

                customers.append(SimulatedCustomer(user, domain, task, call.part, first[call.task]))
        return Tau2Session(domain, tasks, calls, customers, key)

    def final_calls(self, scenario: Scenario) -> dict[str, int]:
        """Task id -> the number of the call that verifies it (1-based, in session order)."""
        plan = json.loads(scenario.brief.splitlines()[-1])
        return {
            scenario.events[int(i)].text: n + 1
            for n, (i, part) in enumerate(plan["calls"])
            if part != "first"
        }

    def check(self, scenario: Scenario) -> list[str]:
        """Every task named exists in its domain; every callback is of a memory-sensitive task."""
        plan = json.loads(scenario.brief.splitlines()[-1])
        known = loader.tasks(plan["domain"])
        ids = [e.text.split("/", 1)[1] for e in scenario.events]
        found = [f"{plan['domain']}/{t}: task not found in tau2" for t in ids if t not in known]
        if found:
            return found
        profiles = recall.profiles(plan["domain"])
        return [
            f"{plan['domain']}/{ids[int(i)]}: a callback that needs no memory"
            for i, part in plan["calls"]
            if part == "callback" and not profiles[ids[int(i)]].sensitive
        ]
