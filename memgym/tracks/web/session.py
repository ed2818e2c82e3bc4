"""A web session: the app served on loopback, a real browser on it, the errands in a row.

``start`` serves the app and opens the browser on its first list page; tool calls act in the
browser (``tools``); a text turn of the agent ends the errand in progress, which the verifier
then judges from the app's state, and the next errand is the answer. The gold plan of the
errand in progress is the oracle's.
"""

from __future__ import annotations

import json
from typing import Any

from memgym.tracks.session import (
    AgentTurn,
    ChatMessage,
    OraclePlan,
    OracleStep,
    Session,
    TaskOutcome,
    ToolCall,
)
from memgym.tracks.web.browser import Browser
from memgym.tracks.web.page import render_page
from memgym.tracks.web.server import AppServer
from memgym.tracks.web.tools import TOOLS, carry_out
from memgym.tracks.web.verify import verify
from memgym.tracks.web.world import World


def system_prompt(world: World) -> str:
    """What the agent is told about the app and how to operate it."""
    app = world.app
    return (
        f"You operate a web app in a browser: the {app.heading} of a {app.name} app, a list of "
        f"{len(world.records)} {app.noun}s in pages of {world.page_size} (url #/list/N), each "
        f"{app.noun} with its own page (url #/item/ID) offering "
        f"{' and '.join(repr(a[0]) for a in app.actions)} and a note. Use the tools: goto opens "
        "a url, click presses a link or button by its exact name, type_text fills a textbox. "
        "Each tool returns the page as text. The user gives you one request at a time; when a "
        "request is done, reply with a short message and no tool call."
    )


class WebSession(Session):
    """One session of errands in one app; not thread-safe (one loop drives it)."""

    tools = TOOLS

    def __init__(self, world: World) -> None:
        self.world = world
        self._server: AppServer | None = None
        self._browser = Browser()
        self._task = 0
        self._before: dict[str, Any] = {}
        self._outcomes: list[TaskOutcome] = []

    def start(self) -> list[ChatMessage]:
        self._server = AppServer(
            render_page(self.world.app, self.world.page_size), self.world.initial_state()
        )
        self._browser.open(self._server.url + "#/list/1")
        self._before = self._server.state()
        return [
            {"role": "system", "content": system_prompt(self.world)},
            {"role": "user", "content": self.world.tasks[0].text},
        ]

    def call(self, tool_call: ToolCall) -> str:
        if self._task >= len(self.world.tasks):
            return "error: the session is over"
        return carry_out(self._browser, tool_call)

    def reply(self, turn: AgentTurn | None) -> str | None:
        tasks = self.world.tasks
        if self._task >= len(tasks):
            return None
        after = self.state()
        self._outcomes.append(verify(tasks[self._task], self._before, after))
        self._before = after
        self._task += 1
        return tasks[self._task].text if self._task < len(tasks) else None

    def position(self) -> int:
        return self._task

    def outcomes(self) -> list[TaskOutcome]:
        unreached = [
            TaskOutcome(t.id, 0.0, detail="not reached") for t in self.world.tasks[self._task :]
        ]
        return [*self._outcomes, *unreached]

    def oracle(self) -> OraclePlan | None:
        if self._task >= len(self.world.tasks):
            return None
        task = self.world.tasks[self._task]
        steps = tuple(
            OracleStep(AgentTurn(tool_calls=(ToolCall("gold", s.tool, _json(s.args)),)), s.needs)
            for s in task.steps
        )
        return OraclePlan(task.id, steps)

    def state(self) -> dict[str, Any]:
        """The app's state as its server holds it now (what verifiers read)."""
        if self._server is None:
            raise RuntimeError("the session has not started")
        return self._server.state()

    def close(self) -> None:
        self._browser.close()
        if self._server is not None:
            self._server.close()
            self._server = None


def _json(args: dict[str, str]) -> str:
    """Tool arguments as canonical JSON (``session.call`` cannot take an argument ``name``)."""
    return json.dumps(args, sort_keys=True, separators=(",", ":"))
