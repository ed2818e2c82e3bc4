"""codeqa parameters: tiers, defaults, derived values and errors that name the culprit."""

from __future__ import annotations

import random

import pytest

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.tracks import get_track
from memgym.tracks.codeqa.params import (
    CONTENT,
    HEAD_LOOKALIKES_PER_CONSTANT,
    LOOKALIKES_PER_CONSTANT,
)

TRACK = get_track("codeqa")


def test_tiers_resolve_with_derived_values() -> None:
    assert (LOOKALIKES_PER_CONSTANT, HEAD_LOOKALIKES_PER_CONSTANT) == (2, 1.5)
    for tier in ("lite", "standard", "hard"):
        p = TRACK.params(tier)
        assert p["tier"] == tier
        # the audited dependency settings: 0..2 and 0..1.5 times the constants, drawn uniformly
        settings = round((2 + 1.5) / 2 * p["constants"])
        assert p["entities"] == p["functions"] + p["constants"] + settings
        assert p["corrections"] == p["updates"] == max(1, p["constants"] // 4)
        assert p["distractors"] == p["modules"]
    assert TRACK.params()["tier"] == "lite"
    assert TRACK.params("lite", target_tokens=1_000_000)["target_tokens"] == 1_000_000


def test_a_longer_stream_grows_its_repository_not_its_questions() -> None:
    """Past standard's length lite has standard's repository, from 100k on hard's with 200
    functions (hard too past its own length); questions and write budget stay the tier's, and
    a content parameter set keeps the tier's own repository."""
    lite, standard, hard = (TRACK.params(t) for t in ("lite", "standard", "hard"))
    long = {**hard, "functions": 200}
    cases = [("lite", 39_999, lite), ("lite", 40_000, standard), ("lite", 100_000, long),
             ("standard", 30_000, standard), ("standard", 1_000_000, long),
             ("hard", 100_000, hard), ("hard", 100_001, long)]  # fmt: skip
    for tier, target, like in cases:
        p = TRACK.params(tier, target_tokens=target)
        assert [p[k] for k in CONTENT] == [like[k] for k in CONTENT], (tier, target)
        own = TRACK.params(tier)
        assert (p["questions"], p["write_budget"]) == (own["questions"], own["write_budget"])
        derived = p["functions"] + p["constants"] + round(1.75 * p["constants"])
        assert p["entities"] == derived
    kept = TRACK.params("lite", target_tokens=1_000_000, body_lines=lite["body_lines"])
    assert [kept[k] for k in CONTENT] == [lite[k] for k in CONTENT]


def test_a_shorter_lite_stream_keeps_two_body_lines() -> None:
    """Below lite's own 16,000 tokens, no content set, lite has 2 body lines (its core then fits
    10,000 tokens); a content parameter set is kept."""
    assert TRACK.params("lite")["body_lines"] == 5
    assert TRACK.params("lite", target_tokens=15_999)["body_lines"] == 2
    assert TRACK.params("lite", target_tokens=10_000, body_lines=4)["body_lines"] == 4
    assert TRACK.params("standard", target_tokens=30_000)["body_lines"] == 5
    for seed in range(3):
        assert TRACK.generate(seed, "lite", target_tokens=10_000).params["body_lines"] == 2


@pytest.mark.parametrize(
    ("overrides", "culprit"),
    [
        ({"modules": "4"}, "modules"),
        ({"modules": 1}, "modules"),
        ({"functions": True}, "functions"),
        ({"errors": 13}, "errors"),
        ({"target_tokens": 9_999}, "target_tokens"),
        ({"target_tokens": 1_000_001}, "target_tokens"),
        ({"modules": 8}, "modules"),
        ({"corrections": 13, "updates": 13}, "corrections \\+ updates"),
        ({"corrections": -1}, "corrections"),
        ({"distractors": 2.5}, "distractors"),
        ({"question_placement": "middle"}, "question_placement"),
        ({"colour": "blue"}, "colour"),
        ({"entities": 3}, "entities"),
        ({"chunk_tokens": 10}, "chunk_tokens"),
        ({"subseed": -1}, "subseed"),
    ],
)
def test_bad_params_name_the_culprit(overrides: dict, culprit: str) -> None:
    with pytest.raises(ValueError, match=culprit):
        TRACK.params("lite", **overrides)


def test_unknown_tier() -> None:
    with pytest.raises(ValueError, match="tier"):
        TRACK.params("epic")


def test_entities_may_be_restated_when_it_matches() -> None:
    p = TRACK.params("lite")
    assert TRACK.params("lite", entities=p["entities"])["entities"] == p["entities"]


def test_random_valid_params_generate_sound_scenarios() -> None:
    rng = random.Random(0)
    built = 0
    for seed in range(12):
        modules = rng.randint(2, 5)
        constants = rng.randint(modules, 20)
        corrections = rng.randint(0, constants // 2)
        overrides = {
            "modules": modules,
            "functions": rng.randint(max(6, 2 * modules), 30),
            "constants": constants,
            "errors": rng.randint(1, 12),
            "questions": rng.randint(1, 15),
            "corrections": corrections,
            "updates": rng.randint(0, constants - corrections),
            "distractors": rng.randint(0, 6),
            "chunk_tokens": rng.randint(80, 600),
            "question_placement": rng.choice(["end", "interleaved"]),
        }
        try:
            scenario = TRACK.generate(seed, "lite", **overrides)
        except ValueError as exc:
            assert "questions" in str(exc)
            continue
        built += 1
        assert len(scenario.questions) == overrides["questions"]
        result = evaluate(scenario, make_memory("oracle", TRACK), make_reasoner("scripted", TRACK))
        assert result.accuracy == 1.0 or result.questions == 0
    assert built >= 9
