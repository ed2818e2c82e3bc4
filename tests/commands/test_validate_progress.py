"""validate fits its learning adversaries before its scenarios, each under a bar of its own, so
the scenarios' eta is their own pace (it once counted the fits: "eta 5h 47m" at 1/260)."""

from __future__ import annotations

import re

from memgym.simulation.validate import validate
from tests.cli_process import memgym


def test_every_group_learns_before_the_first_scenario_runs():
    calls: list[tuple[str, ...]] = []
    validate(
        ["research", "codeqa"],
        ["lite"],
        [0],
        bounded="",
        on_done=lambda _: calls.append(("unit",)),
        on_learned=lambda k, total: calls.append(("learned", k, total)),
    )
    assert calls[:2] == [("learned", 1, 2), ("learned", 2, 2)]
    assert calls[2:] and all(call == ("unit",) for call in calls[2:])


def test_the_log_shows_learning_then_the_scenarios():
    done = memgym("validate", "--track", "research", "--tiers", "lite", "--seeds", "1",
                  "--bounded", "off")  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [x for x in done.stderr.splitlines() if x.startswith(("learning ", "validate "))]
    assert lines[0].startswith("learning adversaries 1/1 (100%)"), lines
    assert re.match(r"validate (\d+)/\1 \(100%\)", lines[-1]), lines
    assert all(x.startswith("validate ") for x in lines[1:]), lines
