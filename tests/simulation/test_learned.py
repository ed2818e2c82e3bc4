"""The learned adversaries: the event selector, its AUROC, the concentration check, the option
picker, and a planted leak that the learned selector must catch."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

import pytest

pytest.importorskip("sklearn")

from memgym.simulation import learned_selector as ls
from memgym.simulation.bounded import bounded_scores
from memgym.simulation.bounded_family import Learned, family
from memgym.simulation.concentration import concentration
from memgym.simulation.option_picker import fit_picker, option_features
from memgym.tracks import get_track
from memgym.tracks.registry import stream_events
from tests.simulation.leaky_research import registered


def test_auroc_counts_pairs_ranked_right_and_ties_as_half() -> None:
    rng = random.Random(3)
    scores = [rng.choice([0.0, 0.5, 1.0, 1.5]) for _ in range(60)]
    labels = [rng.random() < 0.3 for _ in range(60)]
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    pairs = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    assert ls.auroc(scores, labels) == pytest.approx(pairs / (len(pos) * len(neg)))
    assert ls.auroc([1.0, 2.0], [True, True]) is None


def test_an_event_is_evidence_when_a_later_scored_question_cites_a_fact_it_states() -> None:
    scenario = get_track("codeqa").generate(0, "lite")
    stream = ls.read_stream(scenario)
    events = [e for e in stream_events(scenario) if e.question is None]
    asked = [(e.step, e.question) for e in stream_events(scenario) if e.question is not None]
    expected = [
        any(
            step > e.step and q.axis != "abstention" and set(q.evidence) & set(e.facts)
            for step, q in asked
        )
        for e in events
    ]
    assert stream.labels == expected and any(expected) and not all(expected)
    assert stream.places[0] == 0.0 and all(a < b for a, b in zip(stream.places, stream.places[1:]))


def test_the_selector_fits_the_same_model_twice_and_ranks_evidence_first() -> None:
    track = get_track("codeqa")
    streams = [ls.read_stream(track.generate(ls.SELECTOR_BASE + i, "lite")) for i in range(2)]
    judged = ls.read_stream(track.generate(7, "lite"))
    first, second = ls.fit(streams), ls.fit(streams)
    assert first is not None and second is not None
    scores = first.scores(judged)
    assert scores == second.scores(judged)
    assert (ls.auroc(scores, judged.labels) or 0.0) > 0.5


def test_learned_keeps_the_best_scored_events_that_fit_in_stream_order() -> None:
    kept = Learned(10)
    for text, tokens, score in [("a", 4, 0.1), ("b", 5, 0.9), ("c", 4, 0.5), ("d", 11, 9.0)]:
        kept.add(text, tokens, score)
    assert kept.texts() == ("b", "c")  # a (lowest) goes; d never fits
    kept.add("e", 1, 0.5)
    assert kept.texts() == ("b", "c", "e")
    kept.add("f", 5, 0.5)  # ties: the newer stays, so c goes before e and f
    assert kept.texts() == ("b", "f")


def test_the_family_holds_the_learned_members_last() -> None:
    names = [m.name for m in family(False)]
    assert names[-3:] == [f"learned{n}" for n in ls.SELECTOR_BUDGETS]


def _exact_best(evidence: list[frozenset[str]], stated: list[frozenset[str]], k: int) -> int:
    best = 0
    for chosen in itertools.combinations(stated, min(k, len(stated))):
        held = frozenset().union(*chosen)
        best = max(best, sum(need <= held for need in evidence))
    return best


def test_concentration_counts_questions_whose_whole_evidence_one_event_states() -> None:
    scenario = get_track("codeqa").generate(1, "lite")
    evidence = [frozenset(q.evidence) for q in scenario.questions if q.axis != "abstention"]
    evidence = [e for e in evidence if e]
    stated = [frozenset(e.facts) for e in scenario.events if e.question is None and e.facts]
    c = concentration(scenario)
    assert c.questions == len(evidence)
    assert c.best == pytest.approx(_exact_best(evidence, stated, 1) / len(evidence))
    relevant = list({s & frozenset().union(*evidence) for s in stated} - {frozenset()})
    assert c.best <= c.best_few <= _exact_best(evidence, relevant, 3) / len(evidence)


def _catalogue(rng: random.Random) -> tuple[list[dict[str, str]], str]:
    """Sixteen flights over four cells; the gold is the cheapest of the only cell of one row."""
    cells = [("A", "x"), ("A", "y"), ("B", "x"), ("B", "y")]
    lone = rng.randrange(4)
    options = []
    for c, (route, cabin) in enumerate(cells):
        for _ in range(1 if c == lone else 5):
            fare = str(rng.randrange(100, 900))
            options.append({"route": route, "cabin": cabin, "fare_usd": fare})
    rng.shuffle(options)
    for i, o in enumerate(options):
        o["id"] = f"F{rng.randrange(10**6)}-{i}"
    gold = next(o["id"] for o in options if (o["route"], o["cabin"]) == cells[lone])
    return options, gold


def test_the_option_picker_learns_a_structural_tell_from_options_alone() -> None:
    rng = random.Random(0)
    picker = fit_picker([_catalogue(rng) for _ in range(60)])
    assert picker is not None
    tests = [_catalogue(rng) for _ in range(40)]
    right = sum(picker.pick(options) == gold for options, gold in tests)
    assert right >= 36  # chance is 1 in 16
    width = {len(row) for options, _ in tests for row in option_features(options)}
    assert width == {picker.width}


@pytest.fixture
def leaky() -> Iterator[str]:
    with registered() as name:
        yield name


LONG = {"target_tokens": 40_000}
"""Research lite at 40,000 tokens, so that 500 tokens is a judged share (under 2.5 %)."""


def test_a_planted_leak_makes_the_learned_selector_fail(
    leaky: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ls, "SELECTOR_SEEDS", 3)
    seeds = [0, 1, 2]
    plain = {r.member: r for r in bounded_scores("research", "lite", seeds, overrides=LONG)}
    planted = {r.member: r for r in bounded_scores(leaky, "lite", seeds, overrides=LONG)}
    members = [f"learned{n}" for n in ls.SELECTOR_BUDGETS]
    assert all(plain[m].passed for m in members) and plain["union"].passed
    failed = [m for m in members if planted[m].judged and not planted[m].passed]
    assert failed, [(m, planted[m].composite, planted[m].share) for m in members]
    assert not planted["union"].passed
