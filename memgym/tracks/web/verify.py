"""The web track's verifier: reads the app's state after an errand and compares it with the
state before, as WebArena-Infinity's verifiers do. An errand is solved when its effect is there
and nothing else changed (clicking every button in sight does not pass). A remembering errand
must be done from memory: the app logs every list page rendered, and one opened during the
errand fails it (else an agent that remembers nothing could page through the list again). And
it must be done *in* the errand: a target that already held the value asked for when the
errand began fails it (else an agent could apply one action to every record it sees during a
review, an unscored errand, and find later errands that ask for that action already done)."""

from __future__ import annotations

from typing import Any

from memgym.tracks.session import TaskOutcome
from memgym.tracks.web.world import WebTask

EDITABLE = ("status", "note")


def verify(task: WebTask, before: dict[str, Any], after: dict[str, Any]) -> TaskOutcome:
    """``task``'s outcome, given the app's state when it began and when it ended."""
    old = {r["id"]: r for r in before["records"]}
    new = {r["id"]: r for r in after["records"]}
    changed = sorted(
        rid for rid, r in new.items() if any(r.get(k) != old.get(rid, {}).get(k) for k in EDITABLE)
    )
    stray = [rid for rid in changed if rid != task.target]
    if stray:
        return TaskOutcome(task.id, 0.0, detail=f"changed records it was not asked to: {stray[:3]}")
    paged = (after.get("pages_seen") or [])[len(before.get("pages_seen") or []) :]
    if task.kind == "review":
        seen = set(paged)
        missing = [p for p in task.pages if p not in seen]
        if missing:
            return TaskOutcome(task.id, 0.0, detail=f"pages not reviewed in this errand: {missing}")
        return TaskOutcome(task.id, 1.0, detail="every page reviewed")
    if paged:
        return TaskOutcome(task.id, 0.0, detail=f"paged through the list again: {paged[:5]}")
    if (old.get(task.target) or {}).get(task.field) == task.expected:
        return TaskOutcome(
            task.id, 0.0, detail=f"{task.target} {task.field} was already set when it began"
        )
    value = (new.get(task.target) or {}).get(task.field)
    if value != task.expected:
        return TaskOutcome(task.id, 0.0, detail=f"{task.target} {task.field} is {value!r}")
    return TaskOutcome(task.id, 1.0, detail=f"{task.target} {task.field} set")
