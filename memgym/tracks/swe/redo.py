"""Redo issues: the swe track's memory-sensitive tasks, whose information arrives only earlier.

A session first has its fix issues (each reports a failing call; the agent finds and fixes the
bug), then redo issues: "a merge put the module back as it was when the session began; make the
fix of issue #j again". Before a redo issue the session resets the working directory to the
bugged tree the session started from (every fix gone, every other file removed), so the fix
cannot be read anywhere in the world: by construction it is in the history alone (the agent's
own edit during issue #j), and issue #j's report is not repeated. The fix issues need no memory
of earlier issues: they are setup, reported apart; the redo issues are scored (``redo=0``: no
redo, the fixes scored, a session that measures repair and no memory of earlier issues).

A fix is redone only when its fixed text (``TaskSpec.new``) occurs nowhere in the bugged tree
(else a re-exploring agent could read it there): ``redoable`` checks it at generation and
``InteractiveTrack.check`` again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from memgym.tracks.swe.disguise import Variant
from memgym.tracks.swe.tasks import TaskSpec

FIX, REDO = "fix", "redo"


@dataclass(frozen=True)
class Issue:
    """One issue of a session: a fix of bug ``spec`` or a redo of that fix; ``scored`` for the
    redos, or for the fixes of a session without redos (``redo=0``: no memory-sensitive task)."""

    kind: str
    spec: int
    scored: bool


def redoable(spec: TaskSpec, bugged: str) -> bool:
    """Whether the fix of ``spec`` is absent from the bugged tree (so only memory holds it)."""
    return spec.new not in bugged


def plan_issues(specs: list[TaskSpec], bugged: str, redo: int) -> list[Issue]:
    """Every fix in order, then the redo of the first ``redo`` redoable fixes, in fix order
    (each redo comes as many issues after its fix as there are fixes). Without redos the fixes
    are scored."""
    chosen = [k for k, s in enumerate(specs) if redoable(s, bugged)][:redo]
    fixes = [Issue(FIX, k, not chosen) for k in range(len(specs))]
    return fixes + [Issue(REDO, k, True) for k in chosen]


def redo_id(spec: TaskSpec) -> str:
    """The task id of the redo of ``spec``'s fix (the fix's id, ``-redo`` added)."""
    return f"{spec.task_id}-redo"


def fix_needle(spec: TaskSpec) -> str:
    """What an agent must have seen to redo the fix: the fixed text as its ``edit`` call wrote
    it (JSON text in the call's arguments), which the reset tree never shows."""
    return json.dumps(spec.new)[1:-1]


def redo_text(code: Variant, number: int, fixed: int) -> str:
    """The redo issue: which earlier issue, never its call, function or fix."""
    return (
        f"Issue #{number} in `{code.filename}`: a merge put the module back as it was when this "
        "session began, so every fix made since is gone, and so is anything else you left in "
        f"the working directory. Make the fix of issue #{fixed} again. Issue #{fixed}'s report "
        f"is not repeated here; hidden tests check issue #{fixed}'s call and related behaviour. "
        "Reply with a short message (no tool call) when you are done."
    )
