"""A web session: the app served on loopback, a real browser on it, the errands in a row.

``start`` serves the app and opens the browser on its first list page; tool calls act in the
browser (``tools``); a text turn of the agent ends the errand in progress, which the verifier
then judges from the app's state, and the next errand is the answer. The world forgets between
errands: once an errand is judged, the app's records are put back as the session began (its
log of pages seen goes on) and the page is loaded again from them, so nothing an agent wrote
(a note holding the list, a status) reaches a later errand. Before each remembering errand the
browser is on the neutral page ``#/start``: the page left on screen by a review cannot be read
again for free (a failing action answers with the page as it stands). Reviews need no memory:
their outcomes are reported apart, never scored. A turn's tool calls beyond ``CALLS_PER_TURN``
are not carried out, so a view under ``none`` never holds the whole list. The gold plan of the
errand in progress is the oracle's.
"""

from __future__ import annotations

import json
from typing import Any

from memgym.errors import InfraError
from memgym.tracks.session import (
    AgentTurn,
    ChatMessage,
    OraclePlan,
    OracleStep,
    Session,
    TaskOutcome,
    ToolCall,
)
from memgym.tracks.web.browser import Browser, BrowserError
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


NEUTRAL = "#/start"
"""The page each errand after the first begins on: no record, no link."""
CALLS_PER_TURN = 4
"""Tool calls of one turn carried out: a whole review's pages (up to 4 in every tier) or an
errand's steps, never the whole list (8 pages or more)."""


class WebSession(Session):
    """One session of errands in one app; not thread-safe (one loop drives it)."""

    tools = TOOLS
    calls_per_turn = CALLS_PER_TURN
    neutral = NEUTRAL
    """Where each errand after the first begins (``""``: where the last errand left the browser,
    only for the test that shows why it must not)."""
    forgets = True
    """Whether the records are put back after every errand (False only for the test that shows
    why they must be: the world-notes cheat)."""

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
        outcome = verify(tasks[self._task], self._before, after)
        outcome.scored = tasks[self._task].kind != "review"
        self._outcomes.append(outcome)
        self._task += 1
        if self._task >= len(tasks):
            return None
        self._forget(after)
        self._before = self.state()
        return tasks[self._task].text

    def _forget(self, after: dict[str, Any]) -> None:
        """Put the records back as the session began, keep the log of pages seen, and load
        the page again from them on the neutral page (or, without one, where it was)."""
        assert self._server is not None
        try:
            if self.forgets:
                self._server.put({**self.world.initial_state(), "pages_seen": after["pages_seen"]})
                self._browser.load(self._server.url + (self.neutral or self._browser.route()))
            elif self.neutral and self.world.tasks[self._task].kind != "review":
                self._browser.goto(self.neutral)
        except BrowserError as exc:
            raise InfraError(f"browser could not load the app again: {exc}") from exc

    def position(self) -> int:
        return self._task

    def outcomes(self) -> list[TaskOutcome]:
        unreached = [
            TaskOutcome(t.id, 0.0, detail="not reached", scored=t.kind != "review")
            for t in self.world.tasks[self._task :]
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
