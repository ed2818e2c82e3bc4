"""No dialogue question rests only on the stream's opening: one verbatim write of the start
(``max_write_tokens`` tokens, the ``dump_all`` cheat) must not answer anything.

The opening is recomputed from the real stream (filler included) with the real token counter.
"""

from __future__ import annotations

import pytest

from memgym.tokens import count_tokens
from memgym.tracks import get_track, stream_events

TRACK = get_track("dialogue")


@pytest.mark.parametrize("tier", ["lite", "standard"])
def test_no_question_rests_on_the_opening_alone(tier: str) -> None:
    for seed in range(20):
        scenario = TRACK.generate(seed, tier)
        limit = scenario.params["max_write_tokens"]
        head: set[str] = set()
        used = 0
        for event in stream_events(scenario):
            if used >= limit:
                break
            head |= set(event.facts)
            used += count_tokens(event.text)
        assert head, seed  # the opening states facts (the guard has something to do)
        for question in scenario.questions:
            assert not set(question.evidence) <= head, (seed, question.text)
