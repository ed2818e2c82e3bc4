"""A real browser for the web track: Playwright driving Debian's chromium, headless.

Each session is a fresh browser context (its own cookies, storage and page) in the thread's
pooled chromium (``memgym.tracks.web.pool``): the browser process is started once, not per
session.

No ``playwright install``: the browser is the system's ``chromium`` (``apt-get install
chromium``). Observations are the page's accessibility tree as text (Playwright's aria
snapshot, link targets left out); actions find elements by role and accessible name, as a
screen reader would. After every action the driver waits until the app has saved what it shows.
"""

from __future__ import annotations

import re
import shutil
from typing import Any

from memgym.errors import InfraError
from memgym.extras import require
from memgym.tracks.web import pool

TIMEOUT_MS = 10_000
SETTLED = "window.__ready === true && window.__pending === 0"
_URL_LINE = re.compile(r":?\n[ \t]*- /url: [^\n]*")
"""A link's target line, with the colon that made it the link's child (links name themselves)."""


def chromium_path() -> str | None:
    """The system chromium, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_browser() -> None:
    """``MissingExtra`` without playwright, ``ValueError`` without chromium (one line each)."""
    require("playwright.sync_api", "the web track")
    if chromium_path() is None:
        raise ValueError("the web track needs chromium: apt-get install chromium")


class BrowserError(Exception):
    """An action the page cannot carry out (no such element); the agent is told and goes on."""


class Browser:
    """One browser context with one page in the pooled chromium, opened on ``open`` and closed
    on ``close`` (the chromium stays for the next session)."""

    def __init__(self) -> None:
        self._context: Any = None
        self._page: Any = None
        self._errors: tuple[type[Exception], ...] = ()

    def open(self, url: str) -> None:
        """Start the browser and load ``url``; ``InfraError`` when it cannot start."""
        Error = require("playwright.sync_api", "the web track").Error
        executable = chromium_path()
        if executable is None:
            raise InfraError("the web track needs chromium: apt-get install chromium")
        self._errors = (Error,)
        try:
            self._context = pool.new_context(executable)
            self._page = self._context.new_page()
            self._page.set_default_timeout(TIMEOUT_MS)
            self._page.goto(url)
            self._settle()
        except InfraError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise InfraError(f"browser did not start: {exc}") from exc

    def observe(self) -> str:
        """The page as text: its route and its accessibility tree."""
        page = self._live()
        try:
            tree = page.locator("body").aria_snapshot()
            route = page.evaluate("location.hash") or "#/list/1"
        except Exception as exc:
            raise InfraError(f"browser failed to read the page: {exc}") from exc
        return f"url: {route}\n" + _URL_LINE.sub("", tree)

    def click(self, role: str, name: str) -> None:
        """Click the element of ``role`` named ``name`` (the first, if several)."""
        target = self._find(role, name)
        self._act(lambda: target.click())

    def type(self, name: str, text: str) -> None:
        """Replace the text of the textbox named ``name`` with ``text``."""
        target = self._find("textbox", name)
        self._act(lambda: target.fill(text))

    def load(self, url: str) -> None:
        """Load ``url`` as a new document (the page reads the app's state again and what it held
        is gone: a new hash alone would not reload it)."""
        page = self._live()
        self._act(lambda: (page.goto("about:blank"), page.goto(url)))

    def route(self) -> str:
        """The route the page shows (``#/...``)."""
        try:
            return str(self._live().evaluate("location.hash") or "#/list/1")
        except self._errors as exc:
            raise InfraError(f"browser failed to read the page: {exc}") from exc

    def goto(self, route: str) -> None:
        """Open the app's route ``#/...``."""
        self._act(lambda: self._live().evaluate("h => window.__go(h)", route))

    def close(self) -> None:
        """Close the session's context (safe to call twice, and after a failed ``open``)."""
        if self._context is not None:
            try:
                self._context.close()
            except Exception:  # noqa: BLE001, S110  (already gone: nothing to release)
                pass
        self._context = self._page = None

    def _find(self, role: str, name: str) -> Any:
        page = self._live()
        try:
            target = page.get_by_role(role, name=name, exact=True)
            count = target.count()
        except self._errors as exc:  # an unknown role is the agent's mistake
            raise BrowserError(
                f"cannot look up role {role!r}: {str(exc).splitlines()[0]}"
            ) from None
        if count == 0:
            raise BrowserError(f"no {role} named {name!r} on this page")
        return target.first

    def _act(self, action: Any) -> None:
        try:
            action()
            self._settle()
        except self._errors as exc:
            raise BrowserError(f"the action failed: {str(exc).splitlines()[0]}") from None

    def _settle(self) -> None:
        self._live().wait_for_function(SETTLED, timeout=TIMEOUT_MS)

    def _live(self) -> Any:
        if self._page is None:
            raise InfraError("the browser is not running")
        return self._page
