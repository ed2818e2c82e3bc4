from memgym.simulation.policies import POLICIES
from memgym.simulation.validate import CHEATS, validate


def test_invariants_hold_on_a_small_matrix():
    reports = validate(["entities"], ["lite", "standard"], [0, 1, 2], templates=["company", "film"])
    assert len(reports) == 4
    for report in reports:
        assert report.passed, (report.label, report.checks, report.composite)
        assert set(report.composite) == set(POLICIES) | set(CHEATS)
        assert max(report.composite[c] for c in CHEATS) <= 0.05


def test_every_track_gets_the_cheat_suite():
    reports = validate(["research", "codeqa", "dialogue"], ["lite"], [0])
    assert [r.label for r in reports] == ["research/lite", "codeqa/lite", "dialogue/lite"]
    for report in reports:
        assert {"last_event", "last_3_pages", "const_1", "template_gold"} <= set(report.composite)
        assert report.composite["perfect"] == 1.0
        assert "priority ≥ random" not in report.checks


def test_a_broken_invariant_is_reported():
    reports = validate(["entities"], ["lite"], [0], templates=["city"])
    report = reports[0]
    report.composite["naive"] = report.composite["strategic"]
    # recompute the one check by its definition: it must now fail
    assert not report.composite["strategic"] >= report.composite["naive"] + 0.10
