"""A session's journal (the ``llm`` agent's ``journal=FILE``, which ``memgym eval`` gives its
interactive tracks): a session run again, as a resumed one is, replays the calls it had made
from the journal instead of asking the model, and counts them as made, so its result and its
usage equal the first run's (a ``--cache`` would count them as ``cached``). Checked against a
real HTTP model that counts the requests it gets: none the second time, and exactly the calls
missing from a journal cut short (a run killed half-way keeps the calls made before)."""

from __future__ import annotations

import sqlite3

import pytest

from memgym.interactive.episode import evaluate_interactive
from tests.interactive.careful_model import CarefulModel
from tests.interactive.world import CodesTrack

KEYS = ("calls", "prompt_tokens", "completion_tokens", "cached", "turns", "tool_calls")


def outcome(result):
    return [(a.question_id, a.correct, a.status) for a in result.answers]


def test_a_session_replays_its_journal_and_counts_the_calls_as_made(
    codes_track: CodesTrack, model_url: str, tmp_path
):
    scenario = codes_track.generate(0, None, tasks=2)
    journal = tmp_path / "j.sqlite"
    agent = f"llm:model=careful,base_url={model_url},journal={journal}"
    first = evaluate_interactive(codes_track, scenario, "full", agent)
    made = len(CarefulModel.requests)
    assert first.status == "ok" and made == first.usage["calls"] > 3
    assert all(a.correct for a in first.answers)

    again = evaluate_interactive(codes_track, scenario, "full", agent)
    assert len(CarefulModel.requests) == made  # nothing asked again
    assert outcome(again) == outcome(first)
    assert {k: again.usage.get(k, 0) for k in KEYS} == {k: first.usage.get(k, 0) for k in KEYS}
    assert again.usage.get("cached", 0) == 0

    # a journal cut short, as a run killed after its first calls leaves it: only the rest
    db = sqlite3.connect(journal)
    kept = 2
    db.execute("DELETE FROM calls WHERE rowid NOT IN (SELECT rowid FROM calls ORDER BY created LIMIT ?)", (kept,))  # fmt: skip
    db.commit()
    db.close()
    resumed = evaluate_interactive(codes_track, scenario, "full", agent)
    assert len(CarefulModel.requests) == made + (made - kept)
    assert outcome(resumed) == outcome(first)
    assert resumed.usage["calls"] == first.usage["calls"]


def test_a_journal_and_a_cache_are_refused_together(codes_track: CodesTrack, tmp_path):
    from memgym.interactive.registry import make_agent

    spec = f"llm:model=m,cache={tmp_path / 'c.sqlite'},journal={tmp_path / 'j.sqlite'}"
    with pytest.raises(ValueError, match="give cache or journal, not both"):
        make_agent(spec, codes_track)
