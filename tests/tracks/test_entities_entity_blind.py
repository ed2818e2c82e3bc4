"""Entities questions are never answered by a memory of values without whose they are: the
asked attribute's last or commonest value stated so far about anyone (recomputed here by
reading the stream with the track's reader)."""

from collections import Counter
from collections.abc import Iterator

import pytest

from memgym.scoring import is_correct
from memgym.scoring.reading import answer_names
from memgym.simulation.cheats import sightings
from memgym.tracks import get_track
from memgym.tracks.base import Track
from memgym.types import GoldQuestion, Scenario

VALUE_OPS = {"value", "previous", "hop"}


def value_questions(track: Track, scenario: Scenario) -> Iterator[tuple[GoldQuestion, list[str]]]:
    """Each value question with the asked attribute's values stated before it about anyone, in
    stream order, read from the stream with the track's reader (questions with none left out)."""
    for q, seen in sightings(track, scenario):
        if q.spec.get("op") in VALUE_OPS and seen.attribute_values:
            yield q, list(seen.attribute_values)


@pytest.mark.parametrize(("tier", "template"), [("lite", "sports_team"), ("standard", "city"),
                                                ("standard", "sports_team"), ("hard", "company")])
def test_no_value_question_is_the_blind_memorys_answer(tier: str, template: str) -> None:
    track = get_track("entities")
    checked = 0
    for seed in range(6):
        scenario = track.generate(seed, tier, template=template)
        names = answer_names(scenario)
        for q, values in value_questions(track, scenario):
            counts = Counter(values)
            commonest = max(counts, key=counts.__getitem__)
            for guess in {values[-1], commonest}:
                assert not is_correct(q, guess, names), (seed, q.id, q.spec, guess)
            checked += 1
    assert checked >= 10


def _kth_last_distinct(values: list[str], k: int) -> str | None:
    seen = list(dict.fromkeys(reversed(values)))
    return seen[k - 1] if len(seen) >= k else None


def test_no_rank_of_the_stated_values_holds_the_gold_often() -> None:
    """Re-read from the stream over 150 lite seeds: of the value questions' golds, no k-th last,
    k-th last distinct or k-th first (k = 1..30) stated value of the asked attribute, whoever it
    is about, picks more than 6.5 % (the floor is about 1 / (values stated - QUESTION_GAP), ~4 %
    at lite; with the entity uniform among the known ones the 6th last distinct value picked
    7.4 %, the last12 rule now picks 5.8 %)."""
    tier, seeds, most = "lite", 150, 0.065
    track = get_track("entities")
    picked: Counter[str] = Counter()
    asked = 0
    for seed in range(seeds):
        scenario = track.generate(seed, tier)
        names = answer_names(scenario)
        for q, values in value_questions(track, scenario):
            asked += 1
            for k in range(1, 31):
                guesses = {
                    f"last{k}": values[-k] if len(values) >= k else None,
                    f"distinct{k}": _kth_last_distinct(values, k),
                    f"first{k}": values[k - 1] if len(values) >= k else None,
                }
                for rule, guess in guesses.items():
                    if guess is not None and is_correct(q, guess, names):
                        picked[rule] += 1
    assert asked >= 4 * seeds
    rule, hits = picked.most_common(1)[0]
    assert hits / asked <= most, (rule, hits, asked, picked.most_common(5))
