"""The interactive audit's gate leaves out the groups a track names in ``ungated_groups``: their
figures are kept and reported, the gate is computed and enforced on the other groups only, and
an audit with no scored task outside them enforces nothing."""

from __future__ import annotations

from memgym.interactive.audit import GroupAudit, InteractiveAudit


def _group(name: str, tasks: int, context: int, cheat: int) -> GroupAudit:
    group = GroupAudit(name, tasks)
    group.solved = {"gold": tasks, "noop": 0, "context": context, "none": 0}
    group.cheats = {"prior": cheat}
    return group


def _audit(groups: list[GroupAudit], ungated: tuple[str, ...]) -> InteractiveAudit:
    return InteractiveAudit(
        "t", None, [0], {g.group: g for g in groups}, [], 0.0, gated=True, ungated=ungated
    )


def test_an_ungated_group_is_reported_but_not_enforced() -> None:
    groups = [_group("mock", 4, 4, 4), _group("airline", 4, 4, 0)]
    assert not _audit(groups, ()).passed  # the cheat solves 4 of 8: half the gap
    audit = _audit(groups, ("mock",))
    gate = audit.gate()
    assert (gate.floor, gate.full, gate.runs["prior"]) == (0.0, 1.0, 0.0)
    assert audit.enforced and audit.passed
    assert audit.groups["mock"].cheats["prior"] == 4  # still reported
    assert audit.to_json()["ungated"] == ["mock"]


def test_an_audit_of_ungated_groups_only_enforces_nothing() -> None:
    audit = _audit([_group("mock", 4, 4, 4)], ("mock",))
    assert not audit.enforced and audit.passed
    failing = _audit([_group("airline", 4, 4, 4)], ("mock",))
    assert failing.enforced and not failing.passed
