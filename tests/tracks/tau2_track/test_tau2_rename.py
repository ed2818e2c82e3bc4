"""The per-seed renaming of the airline and retail worlds: deterministic, consistent across the
database, the tasks and the evaluator, fresh (no renamed value is a public one), and what it is
for: the ``tau2-prior`` cheat (the public tasks' commonest gold writes) wins a callback on
τ²-bench's own world and loses it on the renamed one, while gold still solves it."""

from __future__ import annotations

import pytest

from memgym.tracks.tau2 import loader

if not loader.available():
    pytest.skip(loader.MISSING, allow_module_level=True)

import json
import re

from memgym.interactive.episode import evaluate_interactive
from memgym.interactive.tau2_prior import prior_writes
from memgym.tracks import get_track
from memgym.tracks.tau2.plan import task_writes

TRACK = get_track("tau2")


def test_renaming_is_deterministic_fresh_and_consistent() -> None:
    renaming = loader.renaming
    one, again, other = renaming("retail", 3), renaming("retail", 3), renaming("retail", 4)
    assert one.table == again.table and one.table != other.table
    public = loader.environment("retail").tools.db
    words = set(re.findall(r"#W\d{7}|[\w.+-]+@[\w.-]+\w|\w+", public.model_dump_json()))
    renamed_ids = [new for old, new in one.table.items() if not old[:1].isupper()]
    assert renamed_ids and not set(renamed_ids) & words  # ids, e-mails: none a public value
    world = loader.environment("retail", key=3).tools.db
    assert len(world.users) == len(public.users) and not set(world.users) & set(public.users)
    assert not set(world.orders) & set(public.orders)
    task = one.task(loader.tasks("retail")["41"])
    writes = task_writes(task, loader.domain_info("retail").writes)
    assert writes and writes != task_writes(
        loader.tasks("retail")["41"], loader.domain_info("retail").writes
    )
    for _, arguments in writes:  # every id the renamed gold writes to is in the renamed world
        args = json.loads(arguments)
        assert args.get("order_id", next(iter(world.orders))) in world.orders
        assert args.get("user_id", next(iter(world.users))) in world.users
    said = str(task.user_scenario.instructions)
    user = world.users[json.loads(writes[2][1])["user_id"]]
    assert user.name.first_name in said and user.name.last_name in said


def test_the_public_prior_hits_the_public_world_only() -> None:
    """Airline seed 0 with one callback serves task 2, whose only gold write is the prior's
    guess; the cheat wins it on τ²-bench's own world and loses it on the renamed one."""
    writes = loader.domain_info("airline").writes
    assert task_writes(loader.tasks("airline")["2"], writes) == prior_writes("airline")
    params = {"domain": "airline", "customers": 2, "callbacks": 1}
    solved = {}
    for rename in (0, 1):
        scenario = TRACK.generate(0, None, rename=rename, **params)
        assert ("rename" in scenario.brief) == bool(rename)
        for memory, agent in (("full", "gold"), ("none", "tau2-prior")):
            if (rename, agent) == (0, "gold"):
                continue
            result = evaluate_interactive(TRACK, scenario, memory, agent)
            solved[rename, agent] = {a.question_id: a.correct for a in result.answers}
    assert solved[0, "tau2-prior"] == {"airline/2": True}
    assert solved[1, "tau2-prior"] == {"airline/2": False}
    assert solved[1, "gold"] == {"airline/2": True}


def test_rm_rows_read_the_needs_of_the_renamed_world() -> None:
    """A compaction that drops the renamed user id task 2's callback needs is HARMFUL (the
    needs come from the renamed task, which the episode served, not the public one)."""
    from memgym.rmdata.tau2_rows import harm_rows

    scenario = TRACK.generate(0, None, domain="airline", customers=2, callbacks=1)
    tight = "window:max_tokens=150"
    full, cut = (evaluate_interactive(TRACK, scenario, m, "context") for m in ("full", tight))
    assert {a.question_id for a in full.answers if a.correct} == {"airline/2"}
    assert not any(a.correct for a in cut.answers)
    rows = harm_rows([full, cut])
    harmful = [r for r in rows if r["harmful"]]
    assert harmful and len(rows) == len(cut.compactions)
    renamed_id = loader.renaming("airline", 0).table["noah_muller_9847"]
    for row in harmful:
        dropped = "\n".join(d["text"] for d in row["dropped"])
        assert renamed_id in dropped and "noah_muller_9847" not in dropped
