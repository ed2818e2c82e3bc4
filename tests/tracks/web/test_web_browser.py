"""Web sessions in a real browser: the page seen as an accessibility tree, actions by role and
name, errors the agent can act on, and the state the verifier reads."""

from __future__ import annotations

import json

from memgym.tracks.session import ToolCall
from memgym.tracks.web.track import WebTrack
from tests.tracks.web.small import SMALL


def _call(tool: str, **args: str) -> ToolCall:
    return ToolCall("c", tool, json.dumps(args))


def test_a_session_in_chromium_observes_acts_and_verifies(browser_ready: None) -> None:
    track = WebTrack()
    scenario = track.generate(7, "lite", **SMALL)
    world = track.world(scenario)
    session = track.open(scenario)
    try:
        messages = session.start()
        assert messages[1]["content"] == world.tasks[0].text
        page = session.call(_call("goto", url="#/list/2"))
        shown = world.records[world.page_size : 2 * world.page_size]
        assert page.startswith("url: #/list/2") and "Order history, page 2 of 6" in page
        for record in shown:
            assert f'link "{record.id}"' in page and record.value in page
        assert world.records[0].id not in page  # page 1's records are not on page 2
        assert session.state()["pages_seen"] == [1, 2]  # the app logged both renders

        bad = [
            session.call(_call("click", role="button", name="Launch")),
            session.call(_call("goto", url="http://example.com/")),
            session.call(_call("fly", to="moon")),
            session.call(ToolCall("c", "click", "{not json")),
        ]
        assert bad[0].startswith("error: no button named 'Launch'") and "url: #/list/2" in bad[0]
        assert bad[1].startswith("error: url must start with #/")
        assert bad[2].startswith("error: unknown tool 'fly'")
        assert bad[3].startswith("error: arguments of click are not valid JSON")

        target = shown[0]
        detail = session.call(_call("click", role="link", name=target.id))
        assert f"Order {target.id}: {target.title}" in detail and 'button "Cancel order"' in detail
        typed = session.call(_call("type_text", name="Note", text="call back"))
        assert 'textbox "Note": call back' in typed
        assert _record(session, target.id)["note"] == ""  # typed, not saved yet
        session.call(_call("click", role="button", name="Save note"))
        session.call(_call("click", role="button", name="Cancel order"))
        assert _record(session, target.id) == {
            **target.to_state(), "status": "cancelled", "note": "call back"
        }  # fmt: skip
        # the review asked for other pages and the errand changed a record it did not name
        assert session.reply(None) == world.tasks[1].text
        (first,) = session.outcomes()[:1]
        assert first.reward == 0.0 and "changed records" in first.detail
    finally:
        session.close()


def _record(session: object, record_id: str) -> dict[str, str]:
    state = session.state()  # type: ignore[attr-defined]
    return next(r for r in state["records"] if r["id"] == record_id)
