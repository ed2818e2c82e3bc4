"""A small interactive track for the loop's tests: errands whose code is told once, long before
it is needed, with verbose reading in between.

Each task opens with a user message giving a code, asks the agent to read ``pages`` long pages
with ``read_page`` and then to ``submit`` the code. The first task's code sits in the pinned head;
later tasks' codes are body messages a strategy may drop. Verified: the code submitted last in
the task equals the task's code.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from memgym.tracks.interactive import InteractiveTrack
from memgym.tracks.session import (
    AgentTurn,
    OraclePlan,
    OracleStep,
    Session,
    TaskOutcome,
    ToolCall,
    call,
)
from memgym.types import Event, Scenario

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "read_page",
            "description": "Read page n of the manual.",
            "parameters": {
                "type": "object",
                "properties": {"n": {"type": "integer"}},
                "required": ["n"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "submit",
            "description": "Submit the code of the current errand.",
            "parameters": {
                "type": "object",
                "properties": {"code": {"type": "string"}},
                "required": ["code"],
            },
        },
    },
]


class CodesTrack(InteractiveTrack):
    tiers: ClassVar[dict[str, dict[str, Any]]] = {"lite": {"tasks": 3, "pages": 3}}
    default_tier: ClassVar[str] = "lite"

    def params(self, tier: str | None = None, **overrides: Any) -> dict[str, Any]:
        params = dict(self.tiers[tier or self.default_tier])
        for key, value in overrides.items():
            if key not in params:
                raise ValueError(f"unknown parameter {key!r}")
            params[key] = int(value)
        return params

    def generate(self, seed: int, tier: str | None = None, **overrides: Any) -> Scenario:
        params = self.params(tier, **overrides)
        rng = random.Random(seed)
        codes = [f"K{rng.randrange(10**6):06d}" for _ in range(params["tasks"])]
        events = [
            Event(step=i, kind="task", text=f"errand {i}: submit {code}")
            for i, code in enumerate(codes)
        ]
        return Scenario(
            track=self.name, seed=seed, params=params, brief="errands", facts=[], events=events
        )

    def open(self, scenario: Scenario) -> Session:
        codes = [e.text.rsplit(" ", 1)[1] for e in scenario.events]
        return CodesSession(codes, scenario.params["pages"])


class CodesSession(Session):
    tools = TOOLS

    def __init__(self, codes: list[str], pages: int) -> None:
        self.codes = codes
        self.pages = pages
        self.task = 0
        self.submitted: list[str | None] = [None] * len(codes)
        self.ended: list[bool] = [False] * len(codes)

    def opening(self, i: int) -> str:
        return (
            f"Errand {i + 1}: your code is {self.codes[i]}. Read pages 1 to {self.pages} "
            "with read_page, then submit the code."
        )

    def start(self) -> list[dict[str, Any]]:
        return [
            {"role": "system", "content": "You run errands with tools."},
            {"role": "user", "content": self.opening(0)},
        ]

    def call(self, tool_call: ToolCall) -> str:
        try:
            args = tool_call.parsed()
        except ValueError as exc:
            return f"error: {exc}"
        if tool_call.name == "read_page":
            n = args.get("n")
            return f"Page {n}: " + " ".join(f"filler{n}x{j}" for j in range(120))
        if tool_call.name == "submit" and self.task < len(self.codes):
            self.submitted[self.task] = str(args.get("code"))
            return "submitted"
        return f"error: unknown tool {tool_call.name!r}"

    def reply(self, turn: AgentTurn | None) -> str | None:
        if self.task < len(self.codes):
            self.ended[self.task] = True
            self.task += 1
        return self.opening(self.task) if self.task < len(self.codes) else None

    def position(self) -> int:
        return self.task

    def outcomes(self) -> list[TaskOutcome]:
        return [
            TaskOutcome(f"errand-{i}", float(self.ended[i] and self.submitted[i] == code))
            for i, code in enumerate(self.codes)
        ]

    def oracle(self) -> OraclePlan | None:
        if self.task >= len(self.codes):
            return None
        code = self.codes[self.task]
        reads = [
            OracleStep(AgentTurn(tool_calls=(call("r", "read_page", n=n),)))
            for n in range(1, self.pages + 1)
        ]
        submit = OracleStep(AgentTurn(tool_calls=(call("s", "submit", code=code),)), (code,))
        return OraclePlan(f"errand-{self.task}", (*reads, submit))
