"""One headless chromium per thread, reused by every web session that thread runs.

Starting Playwright and launching chromium takes about a second of CPU; a browser context (its
own cookies, storage and pages, nothing shared with the previous session's) takes a few
milliseconds. So a session opens a new context in its thread's pooled browser and closes only
that context when it ends. Playwright's sync API is bound to the thread that started it, hence
one browser per thread (worker processes, and Ray's, run their tasks on one thread each). A
browser found disconnected (crashed, killed) is replaced; ``close_pooled`` ends this thread's
(the main thread's at exit). A thread that ends leaves its browser to the process's exit, when
Playwright's driver ends with it. While a thread holds a browser, Playwright keeps an asyncio
loop running in it: call ``close_pooled`` before ``asyncio.run`` in that thread.
"""

from __future__ import annotations

import atexit
import threading
from typing import Any

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

_local = threading.local()
_exit_hook = threading.Lock()
_hooked = False


class _Chromium:
    """Playwright and one launched chromium."""

    def __init__(self, executable: str) -> None:
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        try:
            self.browser = self.playwright.chromium.launch(
                executable_path=executable, headless=True, args=ARGS
            )
        except BaseException:
            self.playwright.stop()
            raise

    def alive(self) -> bool:
        return bool(self.browser.is_connected())

    def close(self) -> None:
        for thing, method in ((self.browser, "close"), (self.playwright, "stop")):
            try:
                getattr(thing, method)()
            except Exception:  # noqa: BLE001, S110  (already gone: nothing to release)
                pass


def new_context(executable: str) -> Any:
    """A fresh browser context in this thread's chromium (launched on first use, or again when
    the last one is gone)."""
    global _hooked
    chromium: _Chromium | None = getattr(_local, "chromium", None)
    if chromium is not None and not chromium.alive():
        chromium.close()
        chromium = None
    if chromium is None:
        chromium = _local.chromium = _Chromium(executable)
        if threading.current_thread() is threading.main_thread():
            with _exit_hook:
                if not _hooked:
                    atexit.register(close_pooled)
                    _hooked = True
    return chromium.browser.new_context()


def pooled() -> Any:
    """This thread's pooled chromium browser (None when none is running)."""
    chromium: _Chromium | None = getattr(_local, "chromium", None)
    return None if chromium is None else chromium.browser


def close_pooled() -> None:
    """End this thread's pooled chromium (the next session launches a new one)."""
    chromium: _Chromium | None = getattr(_local, "chromium", None)
    _local.chromium = None
    if chromium is not None:
        chromium.close()
