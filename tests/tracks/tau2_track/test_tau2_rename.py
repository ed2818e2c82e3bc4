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
from typing import Any

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


# -- the kinds renamed beyond ids (issue #67 item 3) ---------------------------------------

KEY = 5
"""The seed key the kind tests rename for (any key; the renaming is built once per key)."""


def _dates(text: str) -> set[str]:
    """The ISO dates of ``text``, and its dates in words ("May 17") as ISO dates of 2024."""
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]  # fmt: skip
    found = set(re.findall(r"\d{4}-\d{2}-\d{2}", text))
    for month, day in re.findall(rf"\b({'|'.join(months)}) (\d{{1,2}})\b", text):
        found.add(f"2024-{months.index(month) + 1:02d}-{int(day):02d}")
    return found


KINDS: dict[str, tuple[str, Any]] = {
    "flight numbers": ("airline", lambda db: set(db.flights)),
    "airport codes": (
        "airline",
        lambda db: {c for f in db.flights.values() for c in (f.origin, f.destination)},
    ),
    "dates": ("airline", lambda db: _dates(db.model_dump_json())),
    "product ids": ("retail", lambda db: set(db.products)),
    "item ids": ("retail", lambda db: {i for p in db.products.values() for i in p.variants}),
    "tracking ids": (
        "retail",
        lambda db: {t for o in db.orders.values() for f in o.fulfillments for t in f.tracking_id},
    ),
}


def _found(kind: str, text: str, values: set[str]) -> set[str]:
    """The values of ``values`` that ``text`` holds (whole tokens; dates also in words)."""
    if kind == "dates":
        return _dates(text) & values
    return set(re.findall(r"\w+", text)) & values


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_renamed_world_holds_no_public_value_of_the_kind_a_scored_task_uses(kind: str) -> None:
    """Recomputed from τ²-bench's own data: the values of the kind that the scored
    (memory-sensitive) tasks use appear nowhere in the world renamed for a seed (its database,
    those tasks renamed, the policy the agent reads), and the kind's values map one to one."""
    from memgym.tracks.tau2 import recall

    domain, values_of = KINDS[kind]
    public_db = loader.environment(domain).tools.db
    public = values_of(public_db)
    tasks = [loader.tasks(domain)[t] for t in recall.memory_tasks(domain)]
    used = set().union(*(_found(kind, t.model_dump_json(), public) for t in tasks))
    assert used, f"no scored {domain} task uses a {kind[:-1]}"
    renaming = loader.renaming(domain, KEY)
    world = loader.environment(domain, key=KEY).tools.db
    shown = "\n".join(
        [world.model_dump_json(), renaming.text(loader.domain_info(domain).policy)]
        + [renaming.task(t).model_dump_json() for t in tasks]
    )
    assert not _found(kind, shown, used)
    renamed = values_of(world)
    move = renaming.date if kind == "dates" else renaming.table.__getitem__
    assert renamed == {move(v) for v in public} and len(renamed) == len(public)


def test_dates_move_by_whole_weeks_with_the_policys_current_time() -> None:
    """The shift keeps weekdays (a whole number of weeks), moves a date in words as its ISO
    form moves, and moves the policy's "current time" and the time a new booking is stamped."""
    import datetime

    renaming = loader.renaming("airline", KEY)
    assert renaming.days and renaming.days % 7 == 0
    moved = datetime.date(2024, 5, 17) + datetime.timedelta(days=renaming.days)
    said = renaming.text("the flight on May 17 (2024-05-17)")
    assert said == f"the flight on {moved:%B} {moved.day} ({moved.isoformat()})"
    policy = renaming.text(loader.domain_info("airline").policy)
    assert "2024-05-15" in loader.domain_info("airline").policy and "2024-05-15" not in policy
    assert f"{renaming.date('2024-05-15')} 15:00:00" in policy
    tools = loader.environment("airline", key=KEY).tools
    assert tools._get_datetime() == f"{renaming.date('2024-05-15')}T15:00:00"


def test_the_airline_tools_held_in_code_answer_as_on_the_public_world_renamed() -> None:
    """``list_all_airports`` and ``search_onestop_flight`` (whose second day τ²-bench writes in
    code) give, in the renamed world, τ²-bench's answers on its own world renamed: overnight
    connections found after the 9th, none before (τ²-bench writes that day unpadded)."""
    renaming = loader.renaming("airline", KEY)
    public, renamed = loader.environment("airline"), loader.environment("airline", key=KEY)

    def answer(env: Any, name: str, **arguments: str) -> str:
        from tau2.data_model.message import ToolCall as Tau2Call

        return str(env.get_response(Tau2Call(id="t", name=name, arguments=arguments)).content)

    assert renaming.text(answer(public, "list_all_airports")) == answer(
        renamed, "list_all_airports"
    )
    overnight = {"early": 0, "late": 0}
    for origin, destination, date in [("JFK", "SEA", "2024-05-05"), ("JFK", "SEA", "2024-05-20"),
                                      ("LAX", "ORD", "2024-05-12"), ("ORD", "PHL", "2024-05-03"),
                                      ("SFO", "JFK", "2024-05-16"), ("ATL", "LAS", "2024-05-25")]:  # fmt: skip
        seen = answer(public, "search_onestop_flight", origin=origin, destination=destination,
                      date=date)  # fmt: skip
        args = {"origin": renaming.table[origin], "destination": renaming.table[destination]}
        got = answer(renamed, "search_onestop_flight", **args, date=renaming.date(date))
        assert renaming.text(seen) == got and "Error" not in got
        days = set(re.findall(r'"date": ?"(\d{4}-\d{2}-\d{2})"', seen))
        if len(days) > 1:
            overnight["early" if int(date[-2:]) < 9 else "late"] += 1
    assert overnight == {"early": 0, "late": overnight["late"]} and overnight["late"]


@pytest.mark.parametrize(("domain", "seed", "tasks"), [("airline", 3, {"42", "44"}),
                                                       ("retail", 0, {"0", "1"})])  # fmt: skip
def test_gold_replays_on_the_renamed_world_of_every_kind(
    domain: str, seed: int, tasks: set[str]
) -> None:
    """The renaming is consistent end to end: gold, on renamed callbacks whose gold writes
    flights and dates (airline 44, and 42's dates said in words) or items (retail 0 and 1),
    solves each by τ²-bench's own evaluator on the renamed world."""
    scenario = TRACK.generate(seed, None, domain=domain, customers=3, callbacks=2)
    assert "rename" in scenario.brief
    result = evaluate_interactive(TRACK, scenario, "full", "gold")
    assert {a.question_id: a.correct for a in result.answers} == {
        f"{domain}/{t}": True for t in tasks
    }


def test_no_renamed_gold_write_is_a_public_one_so_no_amount_can_hit() -> None:
    """Amounts are not renamed, but every write that carries one names a renamed id beside it:
    for two seed keys no scored task's renamed gold write is any public task's gold write
    (recomputed from τ²-bench's tasks), and the writes that carry an amount keep it."""
    from memgym.tracks.tau2 import recall

    for domain in ("airline", "retail"):
        writes = loader.domain_info(domain).writes
        public = {w for t in loader.tasks(domain).values() for w in task_writes(t, writes)}
        amounts = 0
        for key in (KEY, KEY + 1):
            renaming = loader.renaming(domain, key)
            for tid in recall.memory_tasks(domain):
                task = loader.tasks(domain)[tid]
                before, after = (task_writes(t, writes) for t in (task, renaming.task(task)))
                assert not set(after) & public
                for (_, old), (_, new) in zip(before, after, strict=True):
                    if "amount" in json.loads(old):
                        amounts += 1
                        assert json.loads(old)["amount"] == json.loads(new)["amount"]
        assert amounts or domain == "retail"  # airline's certificates carry one


def test_the_prior_tries_each_guess_the_renamed_world_refuses() -> None:
    """On airline's renamed world (seed 0: tasks 2 and 30 called back) ``tau2-prior`` makes, at
    each callback, the first write of every guess (the certificate, then the flights and dates
    guesses), each refused by τ²-bench, then ends the call (the loop's suffixed repeat ids
    included: never out of turns), and solves nothing; the later guesses carry the public
    tasks' flights and dates."""
    from memgym.interactive.loop import run_session
    from memgym.interactive.registry import make_agent
    from memgym.interactive.tau2_prior import KINDS as GUESSED
    from memgym.interactive.tau2_prior import prior_guesses
    from memgym.memory.history.history_memory import HistoryMemory

    guesses = prior_guesses("airline")
    assert len(guesses) == 3 and guesses[0] == prior_writes("airline")
    carried = {k for k, p in GUESSED.items() for g in guesses[1:] for _, a in g if p.search(a)}
    assert {"flights", "dates"} <= carried
    scenario = TRACK.generate(0, None, domain="airline", customers=3, callbacks=2)
    session = TRACK.open(scenario)
    actor = make_agent("tau2-prior", TRACK)
    try:
        log = run_session(session, actor, HistoryMemory("none", "tau2", scenario.hash))
    finally:
        session.close()
    scored = {o.task_id: o.reward for o in log.outcomes if o.scored}
    assert scored == {"airline/2": 0.0, "airline/30": 0.0}
    assert not any("max_steps" in o.detail for o in log.outcomes)
    for state in session.states:
        if f"airline/{state.task.id}" not in scored:
            continue
        made = []
        for m in state.trajectory:
            made += [c.name for c in getattr(m, "tool_calls", None) or [] if c.id[:6] == "prior-"]
            if getattr(m, "role", "") == "tool" and m.id.startswith("prior-"):
                assert m.error and str(m.content).startswith("Error")
        assert made == [g[0][0] for g in guesses]
