"""The dialogue track against a memory that keeps values but not whose they are.

Each value the stream states is read back from the real event texts with the track's reader;
the entity-blind answers the generator guards against (last, second-last, first, commonest, and
the last over the last 10, 20 and 30 events) are recomputed here and scored with the real
scorer: none is ever right. The commonest over the last 10, 20 or 30 events is one of the rank
rules the lookups spread (right on a few per cent of the questions, like any rank):
``test_dialogue_blind_rank.py`` bounds it.
"""

from __future__ import annotations

from collections import Counter

import pytest

from memgym.claims import Claim
from memgym.scoring.validators import is_correct
from memgym.simulation.cheats import asked_attribute
from memgym.tracks import get_track, stream_events
from memgym.tracks.dialogue.questions import blind_answers
from memgym.types import GoldQuestion

TRACK = get_track("dialogue")
WINDOWS = (10, 20, 30)
GUARDED = {"last", "first", "commonest", "second_last", *(f"last_{w}" for w in WINDOWS)}


def _commonest(values: list[str]) -> str:
    counts = Counter(values)
    return max(counts, key=counts.__getitem__)  # first seen wins ties


def _blind_guesses(stated: list[tuple[int, str]], at: int) -> dict[str, str]:
    """Entity-blind answers from ``stated`` (event index, value) before event ``at``."""
    values = [v for _, v in stated]
    out: dict[str, str] = {}
    if values:
        out |= {"last": values[-1], "first": values[0], "commonest": _commonest(values)}
    if len(values) > 1:
        out["second_last"] = values[-2]
    for window in WINDOWS:
        recent = [v for i, v in stated if i >= at - window]
        if recent:
            out[f"last_{window}"] = recent[-1]
            out[f"commonest_{window}"] = _commonest(recent)
    return out


def _value_questions(tier: str, seeds: range) -> list[tuple[GoldQuestion, dict[str, str]]]:
    """Every question asking for a value, with the entity-blind guesses at it."""
    out = []
    for seed in seeds:
        scenario = TRACK.generate(seed, tier)
        stated: dict[str, list[tuple[int, str]]] = {}
        index = 0
        for event in stream_events(scenario):
            if event.question is None:
                for claim in TRACK.read(event.text):
                    stated.setdefault(claim.attribute, []).append((index, claim.value))
                index += 1
                continue
            attribute = asked_attribute(event.question.spec)
            if attribute:
                guesses = _blind_guesses(stated.get(attribute, []), index)
                out.append((event.question, guesses))
    return out


@pytest.mark.parametrize(("tier", "seeds"), [("lite", range(16)), ("standard", range(6))])
def test_no_entity_blind_answer_is_right(tier: str, seeds: range) -> None:
    asked = _value_questions(tier, seeds)
    kinds = Counter(q.kind for q, _ in asked)
    changes = kinds["post_correction"] + kinds["previous_value"]  # lite asks previous values
    # changes are still asked about (lite: 8 previous values over seeds 0-15, 30 over 0-39)
    assert changes >= len(seeds) // 3, kinds
    for question, guesses in asked:
        right = [n for n, guess in guesses.items() if n in GUARDED and is_correct(question, guess)]
        assert not right, (question.text, question.answer, right)


def test_a_change_is_followed_by_colleague_statements_of_its_attribute() -> None:
    for seed in range(6):
        scenario = TRACK.generate(seed, "standard")
        user = scenario.questions[0].spec["entity"]
        claims: list[Claim] = [c for e in stream_events(scenario) for c in TRACK.read(e.text)]
        changed = {
            f.attribute
            for f in scenario.facts
            if f.entity == user
            and sum(g.attribute == f.attribute for g in scenario.facts if g.entity == user) > 1
        }
        for attribute in changed - {"cabin", "max_stops"}:  # colleagues state neither
            said = [c for c in claims if c.attribute == attribute]
            last_own = max(i for i, c in enumerate(said) if c.entity == user)
            after = said[last_own + 1 :]
            assert len(after) >= 2 and all(c.entity != user for c in after), (seed, attribute)


def test_the_guard_names_what_a_blind_memory_answers() -> None:
    claims = [
        Claim("A", "destination", "Oslo"),
        Claim("F", "destination", "Bergen"),
        Claim("B", "destination", "Riga"),
        Claim("C", "destination", "Riga"),
        Claim("D", "destination", "Porto"),
        Claim("E", "destination", "Lyon"),
        Claim("A", "max_price_usd", "700"),
        Claim("B", "max_price_usd", "650"),
        Claim("C", "max_price_usd", "900"),
        Claim("D", "max_price_usd", "650.0"),
    ]
    blind = blind_answers(claims)
    # first, second-last, last, commonest; "Bergen" (second) is none of them
    assert blind["destination"] == {"oslo", "porto", "lyon", "riga"}
    # numbers compare as numbers: "650" and "650.0" are one value, the commonest
    assert blind["max_price_usd"] == {"700", "900", "650"}
