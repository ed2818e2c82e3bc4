"""Memory decides the web track's score: reviews are not scored, each remembering errand begins
on a neutral page (a refused action shows no list), the app forgets what an agent wrote once an
errand is judged, and the no-memory cheats (stale-page reader, private notes, notes that copy to
themselves, re-exploring the list, the list written into the records' notes) gain nothing over
``none``."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pytest

from memgym.interactive.episode import score_session
from memgym.interactive.loop import Limits, run_session
from memgym.interactive.registry import make_agent
from memgym.memory.history.history_memory import HistoryMemory
from memgym.tracks.agent import Agent
from memgym.tracks.session import AgentTurn, ChatMessage, ToolCall, call
from memgym.tracks.web.session import WebSession
from memgym.tracks.web.track import WebTrack
from memgym.types import EpisodeResult
from tests.tracks.web.small import SMALL

SEED = 0


@pytest.fixture(scope="module")
def track() -> WebTrack:
    return WebTrack()


def _run(
    track: WebTrack,
    memory: str,
    agent: str | Agent,
    neutral: bool = True,
    seed: int = SEED,
    forgets: bool = True,
    turns: int = 12,
    params: dict[str, Any] = SMALL,
    cap: bool = True,
) -> EpisodeResult:
    scenario = track.generate(seed, "lite", **params)
    session = track.open(scenario)
    assert isinstance(session, WebSession)
    if not neutral:
        session.neutral = ""  # this session only: the errands begin where the last one ended
    session.forgets = forgets  # False: this session only, what an agent wrote stays
    session.calls_per_turn = session.calls_per_turn if cap else 0  # 0: no cap on a turn
    actor = make_agent(agent, track) if isinstance(agent, str) else agent
    history = HistoryMemory(memory, track.name, scenario.hash)
    try:
        log = run_session(session, actor, history, Limits(turns_per_task=turns))
    finally:
        session.close()
    return score_session(scenario, log, history, actor)


def test_a_refused_action_on_a_remembering_errand_shows_no_record(
    browser_ready: None, track: WebTrack
) -> None:
    world = track.world(track.generate(SEED, "lite", **SMALL))
    session = track.open(track.generate(SEED, "lite", **SMALL))
    try:
        session.start()
        for task in world.tasks:
            if task.kind != "review":
                break
            session.reply(AgentTurn("done"))  # the browser still shows list page 1
        refused = ToolCall("x", "click", '{"role": "link", "name": "no such link"}')
        shown = session.call(refused)
    finally:
        session.close()
    assert shown.startswith("error:") and "url: #/start" in shown
    assert not [r.id for r in world.records if r.id in shown or r.value in shown]


def test_what_an_errand_wrote_is_gone_when_the_next_begins(
    browser_ready: None, track: WebTrack
) -> None:
    scenario = track.generate(SEED, "lite", **SMALL)
    target = track.world(scenario).records[0].id
    session = track.open(scenario)
    save = ToolCall("s", "click", json.dumps({"role": "button", "name": "Save note"}))
    try:
        session.start()
        session.call(call("g", "goto", url=f"#/item/{target}"))
        typed = json.dumps({"name": "Note", "text": "the whole list"})
        session.call(ToolCall("t", "type_text", typed))
        assert "Note: the whole list" in session.call(save)
        assert session.reply(AgentTurn("done"))  # the review is judged; the next errand begins
        assert all(r["note"] == "" for r in session.state()["records"])
        shown = session.call(call("b", "goto", url=f"#/item/{target}"))
        session.call(save)  # the page's own copy of the state was dropped: nothing comes back
        kept = session.state()
    finally:
        session.close()
    assert "Note: (none)" in shown and "the whole list" not in shown
    assert all(r["note"] == "" for r in kept["records"]) and kept["pages_seen"] == [1]


def test_reviews_apart_and_none_and_every_cheat_score_nothing(
    browser_ready: None, track: WebTrack
) -> None:
    world = track.world(track.generate(SEED, "lite", **SMALL))
    remembering = [t.id for t in world.tasks if t.kind != "review"]
    reviews = len(world.tasks) - len(remembering)
    full = _run(track, "full", "context")
    assert [a.question_id for a in full.answers] == remembering and full.composite == 1.0
    assert full.usage["setup_tasks"] == full.usage["setup_solved"] == reviews
    for agent in ("context", "notes", "notes-class", "self-copy", "peek", "web-explore"):
        result = _run(track, "none", agent)
        assert result.questions == len(remembering), agent
        assert result.correct == 0, (agent, [a.answer for a in result.answers])
    explored = _run(track, "none", "web-explore")
    assert all("paged through the list again" in a.answer for a in explored.answers)


def test_the_stale_page_reader_wins_without_the_neutral_page(
    browser_ready: None, track: WebTrack
) -> None:
    """The control: the same peek, with each errand begun where the last one left the browser,
    on a session whose first remembering errand needs a record of the page the last review
    ended on (found from the world)."""
    seed = next(s for s in range(64) if _needs_the_last_page(track, s))
    stale = _run(track, "none", "peek", neutral=False, seed=seed)
    assert stale.answers[0].correct, [a.answer for a in stale.answers]
    assert not _run(track, "none", "peek", seed=seed).answers[0].correct


def _needs_the_last_page(track: WebTrack, seed: int) -> bool:
    world = track.world(track.generate(seed, "lite", **SMALL))
    reviews = [t for t in world.tasks if t.kind == "review"]
    first = next(t for t in world.tasks if t.kind != "review")
    needs = {n for step in first.steps for n in step.needs}
    return any(
        world.page_of(r.id) == reviews[-1].pages[-1]
        for r in world.records
        if r.id in needs or r.value in needs
    )


class PreApply(Agent):
    """Remembers nothing: in the first (unscored) review it opens every record on every list
    page and clicks the app's first action on it, then answers every errand with "done". An
    errand asking for that action on a record would find it done already (review: 25 % of
    scored errands under `none` before an errand had to make its change itself)."""

    name = "preapply"

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        label = re.search(r"offering '([^']+)'", str(messages[0]["content"]))
        last = messages[-1]
        if last["role"] == "user":
            first = len(messages) == 2  # the session's first errand: the sweep begins
            return AgentTurn(tool_calls=(call("a", "goto", url="#/list/1"),) if first else ())
        page = re.search(r"page (\d+) of (\d+)", str(last["content"]))
        if last["role"] != "tool" or page is None or label is None:
            return AgentTurn("done")
        rows = re.findall(r'link "([A-Z]+-\d+)"\n\s*- text: [^\n]*· open', str(last["content"]))
        calls = []
        for rid in rows:
            click = json.dumps({"role": "button", "name": label[1]})
            calls += [call("g", "goto", url=f"#/item/{rid}"), ToolCall("c", "click", click)]
        n, total = int(page[1]), int(page[2])
        calls += [call("n", "goto", url=f"#/list/{n + 1}")] if n < total else []
        return AgentTurn(tool_calls=tuple(calls)) if calls else AgentTurn("done")


def test_an_action_applied_to_every_record_in_a_review_solves_no_errand(
    browser_ready: None, track: WebTrack
) -> None:
    """The sweep makes many calls a turn: both runs lift the cap, to show what each rule does."""
    kept = _run(track, "none", PreApply(), seed=1, forgets=False, turns=30, params={}, cap=False)
    swept = [a for a in kept.answers if "already set when it began" in a.answer]
    assert swept, [a.answer for a in kept.answers]  # the sweep reached a later errand's target
    assert kept.correct == 0, [a.answer for a in kept.answers]  # the rule fails it
    forgot = _run(track, "none", PreApply(), seed=1, turns=30, params={}, cap=False)
    assert forgot.correct == 0, [a.answer for a in forgot.answers]
    assert not [a for a in forgot.answers if "already set" in a.answer]  # the sweep was undone


def test_the_list_written_into_every_note_is_forgotten_before_the_errands(
    browser_ready: None, track: WebTrack
) -> None:
    """Issue #67's world notes: during a review the cheat writes the list's table into every
    record's note and a note errand reads it back from its destination. The control keeps what
    agents write (as before the fix) and the cheat solves every note errand of the session."""
    world = track.world(track.generate(SEED, "lite", **SMALL))
    notes = [t.id for t in world.tasks if t.kind == "note"]
    assert notes
    kept = _run(track, "none", "web-notes", forgets=False, turns=30)
    solved = {a.question_id for a in kept.answers if a.correct}
    assert solved == set(notes), [a.answer for a in kept.answers]
    assert kept.usage["refused_calls"] > 0  # it asks for more and goes on from the refused
    forgot = _run(track, "none", "web-notes", turns=30)
    assert forgot.correct == 0, [a.answer for a in forgot.answers]
