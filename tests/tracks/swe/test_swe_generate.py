"""Generation of swe sessions: seeded, checked (hidden tests fail on the bugged tree and pass on
the fixed one, recomputed here by running them), with the yield recorded and bad input refused."""

from __future__ import annotations

import json

import pytest

from memgym.tracks import get_track
from memgym.tracks.swe.hidden import evaluate_sources, failing
from memgym.tracks.swe.mutations import apply_all
from memgym.tracks.swe.track import _mutation, unpack


def test_a_session_is_seeded_and_its_hidden_tests_tell_bug_from_fix() -> None:
    track = get_track("swe")
    scenario = track.generate(2)
    assert scenario.hash == track.generate(2).hash
    code, specs, _ = unpack(scenario)
    assert code.codebase.name == "fractions" and len(specs) == 3
    assert len({s.function for s in specs}) == 3  # one bug per function
    source = code.source
    mutations = [_mutation(s) for s in specs]
    bugged = apply_all(source, mutations)
    for k, spec in enumerate(specs):
        tests = spec.hidden_tests()
        own_fixed = apply_all(source, mutations[:k] + mutations[k + 1 :])
        rows = evaluate_sources(code, [bugged, own_fixed, source], [t.probe for t in tests])
        assert failing(tests, rows[0]), spec.task_id
        assert not failing(tests, rows[1]) and not failing(tests, rows[2])
        assert spec.issue[0] in scenario.events[k].text
        assert spec.function not in scenario.events[k].text.split("`")[3]  # the call, not the place
    assert track.check(scenario) == []
    counts = track.generation(scenario)
    rejected = sum(v for k, v in counts.items() if k.startswith("rejected:"))
    assert counts["kept"] == 3 and counts["tried"] == counts["kept"] + rejected


def test_check_names_a_task_whose_tests_do_not_fail() -> None:
    track = get_track("swe")
    scenario = track.generate(5)
    spec_fact = scenario.facts[0]
    data = json.loads(spec_fact.value)
    data["tests"] = [t for t in data["tests"] if True][-1:]  # keep only a guard: passes everywhere
    broken = scenario.model_copy(deep=True)
    broken.facts[0] = spec_fact.model_copy(update={"value": json.dumps(data)})
    problems = track.check(broken)
    assert f"{data['task_id']}: the hidden tests pass on the bugged tree" in problems


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"tasks": 0}, "tasks must be between 1 and 12"),
        ({"codebase": "nope"}, "codebase must be one of"),
        ({"colour": 1}, "unknown parameter 'colour'"),
    ],
)
def test_bad_parameters_are_named(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        get_track("swe").params(**overrides)


def test_without_bubblewrap_a_session_is_an_infra_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from memgym.errors import InfraError
    from memgym.tracks.swe import session

    monkeypatch.setattr(session, "bwrap", lambda: None)
    track = get_track("swe")
    with pytest.raises(InfraError, match="apt-get install bubblewrap"):
        track.open(track.generate(5))
