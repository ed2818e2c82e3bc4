"""Each seed's code base departs from the standard library's logic (``drift.py``): a few
one-line changes in the bugs' layout, each changing some probes and hanging none; the hidden
tests expect the drifted results, and every task's tests tell the drifted code from the
original (recomputed here by running the probes on both)."""

from __future__ import annotations

import json

from memgym.tracks import get_track
from memgym.tracks.swe.codebases import CODEBASES
from memgym.tracks.swe.disguise import normalise, variant
from memgym.tracks.swe.drift import DRIFTS, SHARES, house
from memgym.tracks.swe.hidden import evaluate_sources, failing
from memgym.tracks.swe.mutations import sites
from memgym.tracks.swe.track import unpack


def test_every_code_base_drifts_in_a_few_lines_that_change_some_probes() -> None:
    for seed, name in enumerate(CODEBASES):
        own = house(name, seed)
        base = variant(name, seed)
        assert 1 <= len(own.lines) <= DRIFTS, name
        before, after = base.source.split("\n"), own.code.source.split("\n")
        changed = [n for n, (a, b) in enumerate(zip(before, after, strict=True), 1) if a != b]
        assert changed == [n for n, _ in own.lines], name
        assert own.code.source == normalise(own.code.source)  # a drift reads like any line
        probes = list(base.codebase.probes)
        plain, results = evaluate_sources(base, [base.source, own.code.source], probes)
        assert (tuple(plain), tuple(results)) == (own.plain, own.results), name
        assert "!Timeout" not in results
        drifted = own.drifted_probes()
        assert 1 <= len(drifted) <= SHARES[-1] * len(probes) * len(own.lines), name
        assert len({s.function for s in sites(base.source) if s.line in changed}) == len(changed)


def test_the_drift_is_seeded() -> None:
    first = house("shlex", 1)
    house.cache_clear()
    assert house("shlex", 1) == first
    assert house("shlex", 9).lines != first.lines


def test_every_task_fails_on_the_original_code_and_check_says_when_not() -> None:
    track = get_track("swe")
    scenario = track.generate(3)
    code, specs, _ = unpack(scenario)
    plain = variant(code.codebase.name, 3).source
    for spec in specs:
        tests = spec.hidden_tests()
        (row,) = evaluate_sources(code, [plain], [t.probe for t in tests])
        assert failing(tests, row), spec.task_id
    assert track.check(scenario) == []
    stats = json.loads(str(next(f.value for f in scenario.facts if f.id == "generation")))
    assert [tuple(x) for x in stats["drift"]] == list(house(code.codebase.name, 3).lines)

    spec = specs[0]  # keep only tests the original passes: check names the task
    (row,) = evaluate_sources(code, [plain], [t.probe for t in spec.hidden_tests()])
    kept = [
        [t.probe, t.expected]
        for t, r in zip(spec.hidden_tests(), row, strict=True)
        if r == t.expected
    ]
    assert kept
    data = json.loads(str(scenario.facts[0].value))
    data["tests"] = kept
    broken = scenario.model_copy(deep=True)
    broken.facts[0] = scenario.facts[0].model_copy(update={"value": json.dumps(data)})
    assert f"{spec.task_id}: the hidden tests pass on the original module" in track.check(broken)
