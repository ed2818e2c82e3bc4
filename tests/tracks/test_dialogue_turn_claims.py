"""The generator takes each turn's claims from the facts it renders instead of reading the text
back: they must be exactly what the track's reader finds in the text."""

from __future__ import annotations

from typing import Any

import pytest

from memgym.tracks import get_track
from memgym.tracks.dialogue import reader
from memgym.tracks.dialogue import track as track_module
from memgym.tracks.dialogue.assemble import Core


def test_every_turns_claims_are_what_the_reader_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[Core]] = []
    original = track_module.assemble

    def keep(seed: int, p: dict[str, Any], brief: str, cores: list[Core], target: int) -> Any:
        seen.append(list(cores))
        return original(seed, p, brief, cores, target)

    monkeypatch.setattr(track_module, "assemble", keep)
    track = get_track("dialogue")
    for tier in ("lite", "standard", "hard"):
        for seed in range(12):
            track.generate(seed, tier)
    kinds: set[str] = set()
    checked = 0
    for cores in seen:
        for core in cores:
            if core.claims is not None:
                assert reader.read(core.text) == core.claims, core.text
                kinds.add(core.kind)
                checked += len(core.claims)
    assert kinds == {"document", "distractor", "correction", "update"}
    assert checked > 10_000
