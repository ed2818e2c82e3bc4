"""The default curriculum of ``train grpo``/``demos``/``heldout`` draws every seed it names."""

import pytest

from memgym.commands.train import SHORT
from memgym.specs import typed_value
from memgym.tracks import get_track


def _params(text: str) -> dict:
    return {k: typed_value(v) for k, _, v in (item.partition("=") for item in text.split(","))}


@pytest.mark.parametrize("entities", [6, 8])
def test_the_default_stages_draw_every_default_seed(entities):
    track = get_track("entities")
    params = _params(SHORT.format(entities))
    for seed in [*range(64), *range(1000, 1020)]:  # --seeds 0-63, heldout's 1000-1019
        scenario = track.generate(seed, tier="lite", **params)
        assert len(scenario.questions) == 1


def test_a_world_too_small_for_the_guards_is_a_one_line_value_error():
    params = _params(SHORT.format(4))
    track = get_track("entities")
    failing = []
    for seed in range(64):
        try:
            track.generate(seed, tier="lite", **params)
        except ValueError as exc:
            failing.append(seed)
            assert "\n" not in str(exc) and "use more entities" in str(exc)
    assert failing and len(failing) < 8  # a few seeds, each with the readable error
