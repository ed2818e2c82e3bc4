"""``swe-prior``: the swe track's cheat that knows the original code, as a model's weights do.

Issue #67's channel: the swe track's code bases come from the standard library, which every
large model has read many times, so a model that recognises the module can put back every
deviation from the original without remembering anything of the session. The cheat holds the
eight original sources (a stand-in for the weights). Under ``none``, when an edit needs what it
cannot see (a redo issue's fix), it lists the module's definitions, recognises the code base by
the names it shares with each original, and sends one command that restores every deviation
from that original (``swe_restore``: syntax trees aligned, renamings learned by vote). Otherwise
it is ``swe-explore``. Where the code base is the original up to renaming it wins every redo; a
code base whose own logic departs from the original per seed must leave it at the floor
(``memgym audit``, the swe gate).
"""

from __future__ import annotations

import ast
import base64
import re
import zlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from memgym.interactive.cheats import last_call_id
from memgym.interactive.swe_explore import SweExploreAgent
from memgym.tracks.agent import register_agent
from memgym.tracks.session import ChatMessage, ToolCall, call

LIST, RESTORE = "prior-list", "prior-restore"
LISTING = "grep -n -E '^\\s*(def|class) ' *.py"
SCRIPT = Path(__file__).with_name("swe_restore.py")


@cache
def originals() -> dict[str, tuple[str, frozenset[str]]]:
    """Per code base: its original source and the names of its classes and functions."""
    from memgym.tracks.swe.codebases import CODEBASES, cached_source

    found = {}
    for name in CODEBASES:
        text = cached_source(name)
        defs = frozenset(
            n.name
            for n in ast.walk(ast.parse(text))
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        )
        found[name] = (text, defs)
    return found


def recognise(listing: str) -> str | None:
    """The code base whose definitions a listing of ``def``/``class`` lines shares most (by the
    share of the listing's names), or None when it shares none."""
    seen = set(re.findall(r"\b(?:def|class)\s+(\w+)", listing))
    if not seen:
        return None
    score = {n: len(seen & defs) / len(seen) for n, (_, defs) in originals().items()}
    best = max(sorted(score), key=lambda n: score[n])
    return best if score[best] > 0 else None


def restore_command(name: str) -> str:
    """The command that restores every deviation from code base ``name``'s original."""
    packed = base64.b64encode(zlib.compress(originals()[name][0].encode(), 9)).decode()
    script = SCRIPT.read_text(encoding="utf-8").replace(
        'ORIGINAL = ""', f'ORIGINAL = "{packed}"', 1
    )
    return f"python3 - <<'MEMGYM_PRIOR'\n{script}\nMEMGYM_PRIOR"


def last_tool_text(messages: Sequence[ChatMessage]) -> str:
    for m in reversed(messages):
        if m.get("role") == "tool":
            return str(m.get("content", ""))
    return ""


@register_agent("swe-prior")
class SwePriorAgent(SweExploreAgent):
    """``swe-explore`` that, before an edit it cannot see, puts the original code back."""

    name = "swe-prior"

    def trick(
        self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]
    ) -> ToolCall | None:
        last = last_call_id(messages)
        if last.startswith(RESTORE):
            return None
        if last.startswith(LIST):
            name = recognise(last_tool_text(messages))
            return None if name is None else call(RESTORE, "bash", command=restore_command(name))
        return call(LIST, "bash", command=LISTING)
