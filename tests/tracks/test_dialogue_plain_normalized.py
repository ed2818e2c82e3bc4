"""The dialogue's shortcut for normalised values gives ``normalize_text``'s result."""

from __future__ import annotations

import random
import string

from memgym.scoring.normalize import normalize_text
from memgym.tracks import get_track
from memgym.tracks.dialogue import reader
from memgym.tracks.dialogue.questions import plain_normalized


def test_every_value_of_a_scenario_normalises_as_the_scorer_does() -> None:
    track = get_track("dialogue")
    seen = 0
    for seed in range(3):
        scenario = track.generate(seed, "standard")
        for event in scenario.events:
            for claim in reader.read(event.text):
                assert plain_normalized(claim.value) == normalize_text(claim.value)
                seen += 1
    assert seen > 500


def test_odd_texts_normalise_as_the_scorer_does() -> None:
    rng = random.Random(5)
    alphabet = string.ascii_letters + string.digits + " \t-.,!'()" + "ÉéßΩ\u2019"
    texts = ["", " ", "the", "The Hague", "Theo Berg", "the  end", "THE\tX", "a.", ".5", "-3"]
    texts += [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 14))) for _ in range(3000)
    ]
    for text in texts:
        assert plain_normalized(text) == normalize_text(text), repr(text)
