"""A salt closes the interactive tracks to a plugin that regenerates the public seeds.

``regen`` (``tests/run/redteam_regen_plugins.py``) compacts a web history in the sandboxed
worker, builds the public seeds' worlds with memgym's generator and, once the history shows a
world's errands, shows memgym's ``context`` agent every value that world's errands need. On the
public seed 0 it finds seed 0 and solves every errand (the attack is real); with ``MEMGYM_SALT``
set, seed 0 is drawn as another world, no public world matches, and it scores as ``none`` does:
at most 0.05. The salted result keeps the public seed and the salt's digest, as the question
streams' do.
"""

from __future__ import annotations

import json

import pytest

from memgym.run.runner import run_item
from memgym.run.sandbox import SANDBOX, _bwrap
from memgym.run.work import WorkItem
from memgym.salt import SALT_ENV, evaluation_seed, salt_digest
from memgym.tracks import get_track
from memgym.types import EpisodeResult
from tests.engines import needs

pytestmark = [
    pytest.mark.skipif(_bwrap() is None, reason="needs bubblewrap (the sandbox)"),
    needs("web"),
]

PLUGIN = "tests.run.redteam_regen_plugins"
SALT = "red-team regen salt"


def regen(seed: int = 0) -> tuple[EpisodeResult, list[int]]:
    """One web episode with ``regen`` compacting the history, as ``memgym run --plugin`` runs
    it; the public seeds it matched, in order."""
    item = WorkItem("web", "lite", seed, (), "regen:seeds=4", "context", plugins=(PLUGIN,))
    result = run_item(item)
    assert result.status == "ok", result.reason
    assert result.boundary == SANDBOX
    matched = [
        json.loads(str(c.after[0].content))["matched"]
        for c in result.compactions
        if c.strategy == "regen"
    ]
    return result, matched


def test_the_thief_solves_the_public_seed_it_regenerates() -> None:
    result, matched = regen()
    assert matched == [0]
    assert result.questions > 0 and result.composite >= 0.9
    assert result.seed == 0 and result.salt == ""
    assert result.scenario_hash == get_track("web").generate(0, "lite").hash


def test_under_a_salt_no_public_world_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SALT_ENV, SALT)
    result, matched = regen()
    assert matched == []
    assert result.questions > 0 and result.composite <= 0.05
    assert result.seed == 0 and result.salt == salt_digest() != ""
    drawn = get_track("web").generate(evaluation_seed("web", 0), "lite")
    assert result.scenario_hash == drawn.hash != get_track("web").generate(0, "lite").hash
