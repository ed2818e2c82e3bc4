"""The app server's protocol over real HTTP on loopback: the page, GET/PUT /api/state and
POST /api/reset; a bad PUT is refused and loses nothing."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from memgym.tracks.web.apps import APPS
from memgym.tracks.web.page import render_page
from memgym.tracks.web.server import AppServer
from tests.engines import PLAYWRIGHT

INITIAL = {"records": [{"id": "O-1", "status": "open", "note": ""}], "pages_seen": []}


@pytest.fixture
def server() -> Iterator[AppServer]:
    app = AppServer(render_page(APPS["shop"], 5), INITIAL)
    try:
        yield app
    finally:
        app.close()


def _request(url: str, method: str = "GET", body: bytes | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            raw = reply.read()
            status = reply.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode()


def test_serves_the_page_and_state_on_loopback(server: AppServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    status, page = _request(server.url)
    assert status == 200 and "<main id='main'>" in page and '"page_size": 5' in page
    assert _request(server.url + "api/state") == (200, INITIAL)
    assert _request(server.url + "nothing")[0] == 404


def test_put_replaces_state_reset_restores_and_bad_input_loses_nothing(server: AppServer) -> None:
    changed = {"records": [{"id": "O-1", "status": "cancelled", "note": "x"}], "pages_seen": [1]}
    assert _request(server.url + "api/state", "PUT", json.dumps(changed).encode())[0] == 200
    assert server.state() == changed and server.writes == 1
    for bad in (b"not json", b"[1, 2]", b'{"pages_seen": []}'):
        status, reply = _request(server.url + "api/state", "PUT", bad)
        assert status == 400 and "error" in reply
    assert server.state() == changed
    assert _request(server.url + "api/reset", "POST", b"")[0] == 200
    assert server.state() == INITIAL


def test_without_chromium_a_session_fails_as_infrastructure_and_releases_its_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from memgym.errors import InfraError
    from memgym.tracks.web import browser
    from memgym.tracks.web.track import WebTrack

    pytest.importorskip("playwright", reason=PLAYWRIGHT)
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    track = WebTrack()
    session = track.open(track.generate(0, "lite"))
    with pytest.raises(InfraError, match="needs chromium: apt-get install chromium"):
        session.start()
    session.close()
    session.close()  # twice is harmless
    assert session._server is None  # type: ignore[attr-defined]
