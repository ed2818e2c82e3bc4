from memgym.simulation.policies import CHEATS, POLICIES
from memgym.simulation.validate import validate


def test_invariants_hold_on_a_small_matrix():
    reports = validate(["company", "film"], ["lite", "standard"], [0, 1, 2], workers=1)
    assert len(reports) == 4
    for report in reports:
        assert report.passed, (report.template, report.tier, report.checks, report.composite)
        assert set(report.composite) == set(POLICIES)
        assert max(report.composite[c] for c in CHEATS) <= 0.05


def test_a_broken_invariant_is_reported():
    reports = validate(["city"], ["lite"], [0], workers=1)
    report = reports[0]
    report.composite["naive"] = report.composite["strategic"]
    # recompute the one check by its definition: it must now fail
    assert not report.composite["strategic"] >= report.composite["naive"] + 0.10
