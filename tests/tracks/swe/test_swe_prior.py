"""The model's prior as a channel (issue #67, item 5): ``swe-prior`` holds the standard
library's original of each code base, as a model's weights do, and at a redo puts back every
deviation from it. On code bases renamed only it wins every redo; with each seed's own drifts
of logic (``drift.py``) it wins none, since every task's hidden tests include a drifted probe."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from memgym.interactive.episode import evaluate_interactive
from memgym.interactive.swe_prior import LISTING, recognise, restore_command
from memgym.tracks import get_track
from memgym.tracks.swe import drift
from memgym.tracks.swe import track as track_module
from memgym.tracks.swe.codebases import CODEBASES
from memgym.tracks.swe.disguise import variant
from memgym.tracks.swe.hidden import evaluate_sources, failing
from memgym.tracks.swe.mutations import apply_all
from memgym.tracks.swe.tasks import build_tasks
from memgym.tracks.swe.track import _mutation, unpack
from tests.engines import needs

SMALL = {"tasks": 2, "redo": 2, "target_tokens": 0}
"""Two fixes and their two redos, no padding reads: a session of seconds."""


def test_a_listing_of_definitions_names_its_code_base() -> None:
    for seed, name in enumerate(CODEBASES):
        source = variant(name, seed).source
        listing = "\n".join(
            f"{n}:{line}" for n, line in enumerate(source.split("\n"), 1)
            if line.lstrip().startswith(("def ", "class "))
        )  # fmt: skip
        assert recognise(listing) == name
    assert recognise("nothing defined here") is None
    assert "def|class" in LISTING


def test_the_restore_puts_the_original_back_from_a_drifted_bugged_tree(tmp_path: Path) -> None:
    scenario = get_track("swe").generate(2, **SMALL)
    code, specs, _ = unpack(scenario)
    bugged = apply_all(code.source, [_mutation(s) for s in specs])
    (tmp_path / code.filename).write_text(bugged, encoding="utf-8")
    done = subprocess.run(
        ["bash", "-c", restore_command(code.codebase.name)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "parts put back" in done.stdout
    restored = (tmp_path / code.filename).read_text(encoding="utf-8")
    plain = variant(code.codebase.name, scenario.seed).source
    probes = list(code.codebase.probes)
    on_restored, on_plain, on_code = evaluate_sources(code, [restored, plain, code.source], probes)
    assert on_restored == on_plain  # every deviation undone: the bugs and the drifts
    assert on_restored != on_code
    for spec in specs:  # so each task's hidden tests fail on what the prior restores
        assert failing(
            spec.hidden_tests(),
            evaluate_sources(code, [restored], [t.probe for t in spec.hidden_tests()])[0],
        )


@needs("swe")
def test_the_prior_wins_every_redo_on_renamed_code_and_none_on_drifted_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    track = get_track("swe")
    drifted = track.generate(5, **SMALL)
    assert evaluate_interactive(track, drifted, "none", "swe-prior").correct == 0
    assert evaluate_interactive(track, drifted, "full", "context").correct == 2

    # the track before the drifts: the code base as the standard library has it, renamed,
    # and no task asked to fail on the original
    monkeypatch.setattr(drift, "DRIFTS", 0)
    monkeypatch.setattr(
        track_module, "build_tasks", lambda *a, **k: build_tasks(*a[:5], plain=None, **k)
    )
    drift.house.cache_clear()
    try:
        renamed = track.generate(5, **SMALL)
        code, _, _ = unpack(renamed)
        assert code.source == variant("colorsys", 5).source
        assert evaluate_interactive(track, renamed, "none", "swe-prior").correct == 2
    finally:
        drift.house.cache_clear()
