import importlib
from typing import Any, ClassVar

import pytest

from memgym.claims import Claim
from memgym.tracks import get_track, track_names
from memgym.tracks.base import Track
from memgym.types import Scenario

BUILT_IN = [n for n in track_names() if type(get_track(n)).__module__.startswith("memgym.tracks.")]
"""memgym's own tracks (other tests register toy tracks in the same registry)."""


@pytest.mark.parametrize("name", BUILT_IN)
def test_each_track_takes_tiers_and_params_from_its_parameters_module(name):
    track = get_track(name)
    module = importlib.import_module(f"memgym.tracks.{name}.params")
    assert track.parameters is module
    assert track.tiers is module.TIERS and track.default_tier == module.DEFAULT_TIER
    for tier in [None, *module.TIERS]:
        assert track.params(tier) == module.resolve(tier, {})
    with pytest.raises(ValueError, match="unknown tier"):
        track.params("no-such-tier")


class _Bare(Track):
    name: ClassVar[str] = "bare"
    tiers: ClassVar[dict[str, dict[str, Any]]] = {"only": {}}
    default_tier: ClassVar[str] = "only"

    def generate(self, seed: int, tier: str | None = None, **overrides: Any) -> Scenario:
        raise AssertionError

    def read(self, text: str) -> list[Claim]:
        return []


def test_a_track_without_a_parameters_module_must_give_params_itself():
    assert _Bare.parameters is None
    with pytest.raises(NotImplementedError, match="_Bare names no parameters module"):
        _Bare().params()
