"""Memory decides the web track's score: reviews are not scored, each remembering errand begins
on a neutral page (a refused action shows no list), and the no-memory cheats (stale-page
reader, private notes, re-exploring the list) gain nothing over ``none``."""

from __future__ import annotations

import pytest

from memgym.interactive.episode import score_session
from memgym.interactive.loop import Limits, run_session
from memgym.interactive.registry import make_agent
from memgym.memory.history.history_memory import HistoryMemory
from memgym.tracks.session import AgentTurn, ToolCall
from memgym.tracks.web.session import WebSession
from memgym.tracks.web.track import WebTrack
from memgym.types import EpisodeResult
from tests.tracks.web.small import SMALL

SEED = 0


@pytest.fixture(scope="module")
def track() -> WebTrack:
    return WebTrack()


def _run(
    track: WebTrack, memory: str, agent: str, neutral: bool = True, seed: int = SEED
) -> EpisodeResult:
    scenario = track.generate(seed, "lite", **SMALL)
    session = track.open(scenario)
    assert isinstance(session, WebSession)
    if not neutral:
        session.neutral = ""  # this session only: the errands begin where the last one ended
    actor = make_agent(agent, track)
    history = HistoryMemory(memory, track.name, scenario.hash)
    try:
        log = run_session(session, actor, history, Limits(turns_per_task=12))
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


def test_reviews_apart_and_none_and_every_cheat_score_nothing(
    browser_ready: None, track: WebTrack
) -> None:
    world = track.world(track.generate(SEED, "lite", **SMALL))
    remembering = [t.id for t in world.tasks if t.kind != "review"]
    reviews = len(world.tasks) - len(remembering)
    full = _run(track, "full", "context")
    assert [a.question_id for a in full.answers] == remembering and full.composite == 1.0
    assert full.usage["setup_tasks"] == full.usage["setup_solved"] == reviews
    for agent in ("context", "notes", "notes-class", "peek", "web-explore"):
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
