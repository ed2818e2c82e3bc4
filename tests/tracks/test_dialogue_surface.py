"""The customer's pages share their surface with the chores (issue #66), and every catalogue cell
has the same meet/fail structure.

Recomputed from the generated stream: an event's *shape* is how it opens (speaker, opener), its
line count and its agent's sentence count, none of which a name or value changes. Every
page a profile question rests on has a shape that many more events of no question share, so a
selector keeping the shape keeps the customer's pages only as their share of it. In every flight
catalogue, each combination of route, day and cabin values lists exactly one flight meeting the
customer's current stop and fare limits (recomputed from the stated facts), so no cell's
pattern singles out the customer's.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from memgym.claims import parse_notes
from memgym.tracks import get_track
from memgym.tracks.dialogue.phrases import AGENT_OPENERS
from memgym.tracks.registry import stream_events
from memgym.types import Scenario

TRACK = get_track("dialogue")
_WORD = re.compile(r"[A-Za-z]+")
OPENERS = frozenset({"Oh", "Also", "One", "Before", "Wait", "Sorry"})
"""The first words of the customer's openers and correction sayings."""
BURIED = 3
"""Events of no question per page of the customer's, at least, in each page's shape."""


def shape(text: str) -> tuple[str, ...]:
    """How a turn opens (who speaks, the customer's opener or correction word, else ``-``), its
    line count and its agent line's sentence count: what no value or name changes."""
    user, _, agent = text.partition("\nAgent: ")
    words = _WORD.findall(user)
    first = words[1] if len(words) > 1 and user.startswith("User: ") else "-"
    opens = first if first in OPENERS else "-"
    lines = str(min(2, text.count("\n")))  # a roster lists one member a line
    return (words[0] if words else "", opens, lines, str(agent.count(". ")))


def _profile_pages(scenario: Scenario) -> tuple[list[str], list[str]]:
    """Texts of the events stating evidence of a profile question, and of every other event
    (the questions and searches left out)."""
    evidence = {f for q in scenario.questions if q.kind != "selection" for f in q.evidence}
    mine, others = [], []
    for event in stream_events(scenario):
        if event.question is not None or "search_flights" in event.text:
            continue
        (mine if evidence & set(event.facts) else others).append(event.text)
    return mine, others


@pytest.mark.parametrize("tier", ["lite", "standard"])
def test_the_customers_pages_share_their_shape_with_many_others(tier: str) -> None:
    for seed in range(3):
        mine, others = _profile_pages(TRACK.generate(seed, tier))
        theirs = Counter(map(shape, others))
        ours = Counter(map(shape, mine))
        for key, n in ours.items():
            assert theirs[key] >= BURIED * n, (seed, key, n, theirs[key])


def test_corrections_and_party_turns_of_others_speak_as_the_customer() -> None:
    scenario = TRACK.generate(0, "standard")
    user = next(q.spec["entity"] for q in scenario.questions if q.kind == "selection")
    corrections = [e.text for e in scenario.events if e.kind == "correction"]
    assert len(corrections) > 50
    assert all(t.startswith("User: ") and "\nAgent: " in t for t in corrections)
    parties = [e.text for e in scenario.events if "to the travel party of" in e.text]
    theirs = [t for t in parties if f"travel party of {user}" not in t]
    # 57 friends' party turns to the customer's 16 on this seed (3.6-4.3 times on seeds 0-4): one
    # traveller to a turn (roster 1, issue #66) made the customer's 9 pages 16, and a count needs
    # them all, so a memory keeping party turns holds the count only by keeping about 4 times more
    assert len(theirs) >= 3.5 * (len(parties) - len(theirs))


def _two_value_shares(scenario: Scenario) -> tuple[list[bool], list[bool]]:
    """For each profile-shaped turn (the customer states values, the agent confirms each after
    one of its openers; no correction, no party turn), whether it states two values: the
    customer's (turns stating a fact of the scenario) and the chores' (turns stating none)."""
    mine: list[bool] = []
    theirs: list[bool] = []
    for event in stream_events(scenario):
        user, _, agent = event.text.partition("\nAgent: ")
        if event.question is not None or event.kind not in ("document", "update"):
            continue
        if not user.startswith("User: ") or "\n" in agent or not agent.startswith(AGENT_OPENERS):
            continue
        if shape(event.text)[1] in ("Wait", "Sorry") or "travel party" in agent:
            continue
        (mine if event.facts else theirs).append(agent.count(". ") > 1)
    return mine, theirs


@pytest.mark.parametrize("tier", ["lite", "standard"])
def test_chores_state_two_values_as_often_as_the_customers_profile_turns(tier: str) -> None:
    # A companion's details come one to a turn, so most of the customer's profile turns state
    # one value; chores that stated two half the time let a learned selector keep the
    # single-value turns (lite's learned500 0.066 on seeds 0-9, 0.083 on 300-309).
    mine: list[bool] = []
    theirs: list[bool] = []
    for seed in range(3):
        ours, others = _two_value_shares(TRACK.generate(seed, tier))
        mine += ours
        theirs += others
    assert len(mine) >= 30 and len(theirs) >= 5 * len(mine)
    share_mine, share_theirs = sum(mine) / len(mine), sum(theirs) / len(theirs)
    assert abs(share_mine - share_theirs) <= 0.1, (share_mine, share_theirs)


def _current(scenario: Scenario, user: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for fact in sorted(scenario.facts, key=lambda f: f.step):
        if fact.entity == user:
            out[fact.attribute] = str(fact.value)
    return out


@pytest.mark.parametrize("tier", ["lite", "hard"])
def test_every_catalogue_cell_has_one_flight_meeting_the_limits(tier: str) -> None:
    for seed in range(3):
        scenario = TRACK.generate(seed, tier)
        user = next(q.spec["entity"] for q in scenario.questions if q.kind == "selection")
        want = _current(scenario, user)
        for event in scenario.events:
            if event.kind != "document" or "search_flights returned" not in event.text:
                continue
            rows: dict[str, dict[str, str]] = {}
            for claim in parse_notes(event.text):
                rows.setdefault(claim.entity, {})[claim.attribute] = claim.value
            cells: dict[tuple[str, ...], list[bool]] = {}
            for row in rows.values():
                key = (row["from_city"], row["to_city"], row["day"], row["cabin_class"])
                meets = int(row["stops"]) <= int(want["max_stops"]) and int(row["fare_usd"]) <= int(
                    want["max_price_usd"]
                )
                cells.setdefault(key, []).append(meets)
            assert len(cells) == 16
            assert all(sum(meets) == 1 for meets in cells.values()), (seed, event.text[:80])


_JOINS = re.compile(
    r"^Agent: Added (?P<name>[A-Z]\w+ [A-Z]\w+) to the travel party of ", re.MULTILINE
)


def _joined_then_detailed(scenario: Scenario) -> tuple[int, int]:
    """How many single party turns are followed right after by three one-value turns about
    the person who joined: the customer's (the turns state facts of the scenario) and the
    chores' (they state none)."""
    events = [e for e in stream_events(scenario) if e.question is None]
    mine = theirs = 0
    for i, event in enumerate(events):
        joined = _JOINS.search(event.text)
        if joined is None:
            continue
        after = [e.text.partition("\nAgent: ")[2] for e in events[i + 1 : i + 4]]
        named = [a for a in after if joined["name"] in a and a.count(joined["name"]) == 1]
        if len(named) == 3:
            if event.facts:
                mine += 1
            else:
                theirs += 1
    return mine, theirs


@pytest.mark.parametrize("tier", ["lite", "standard"])
def test_a_companion_joining_with_details_has_many_look_alikes(tier: str) -> None:
    """A companion joins the party and their details follow one to a turn; people of the
    opening lookups join friends' parties the same way (issue #66: a learned selector that
    weighed one companion's name kept the whole run), at least twice as often (2.5-4.5 times
    on these seeds: lite's opening lookups name 10-18 people besides the chores' subjects)."""
    for seed in range(3):
        mine, theirs = _joined_then_detailed(TRACK.generate(seed, tier))
        assert mine >= 1
        assert theirs >= 2 * mine, (seed, mine, theirs)
