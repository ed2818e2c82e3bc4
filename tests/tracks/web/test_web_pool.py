"""The browser pool: sessions of one thread share one chromium, each in its own context (closed
with the session), and a chromium that is gone is replaced by the next session."""

from __future__ import annotations

import json
import threading

from memgym.tracks.session import ToolCall
from memgym.tracks.web import pool
from memgym.tracks.web.track import WebTrack
from tests.tracks.web.small import SMALL


def _session(seed: int):  # type: ignore[no-untyped-def]
    track = WebTrack()
    return track.open(track.generate(seed, "lite", **SMALL))


def _page_text(session) -> str:  # type: ignore[no-untyped-def]
    return session.call(ToolCall("c", "goto", json.dumps({"url": "#/list/1"})))


def test_sessions_share_one_chromium_in_fresh_contexts(browser_ready: None) -> None:
    pool.close_pooled()
    first, second = _session(1), _session(2)
    try:
        first.start()
        browser = pool.pooled()
        assert browser is not None and len(browser.contexts) == 1
        # state written in the first context stays there
        first._browser._live().evaluate("localStorage.setItem('left', 'behind')")
        assert "url: #/list/1" in _page_text(first)
        first.close()
        assert browser.contexts == []  # the session's context is closed, chromium is not
        second.start()
        assert pool.pooled() is browser and browser.is_connected()
        assert len(browser.contexts) == 1
        assert second._browser._live().evaluate("localStorage.getItem('left')") is None
        assert "url: #/list/1" in _page_text(second)
    finally:
        first.close()
        second.close()


def test_a_chromium_that_is_gone_is_replaced(browser_ready: None) -> None:
    session = _session(3)
    session.start()
    session.close()
    gone = pool.pooled()
    gone.close()  # as if chromium crashed or was killed
    again = _session(4)
    try:
        again.start()
        assert pool.pooled() is not gone and pool.pooled().is_connected()
        assert "url: #/list/1" in _page_text(again)
    finally:
        again.close()


def test_each_thread_has_its_own_chromium(browser_ready: None) -> None:
    seen: list[object] = []

    def work() -> None:
        session = _session(5)
        try:
            session.start()
            seen.append(pool.pooled())
            assert "url: #/list/1" in _page_text(session)
        finally:
            session.close()
            pool.close_pooled()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(120)
    main = _session(6)
    try:
        main.start()
        assert seen and seen[0] is not pool.pooled()
    finally:
        main.close()
