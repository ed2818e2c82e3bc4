"""Issue texts written from a bug's failing behaviour: the call, what it gives, what it should."""

from __future__ import annotations

from memgym.tracks.swe.disguise import Variant

SHOWN = 300
"""Characters of a value the issue quotes."""


def _outcome(result: str) -> str:
    if result.startswith("!"):
        return f"raises {result[1:]}"
    value = result if len(result) <= SHOWN else result[:SHOWN] + " ..."
    return f"returns `{value}`"


def issue_text(code: Variant, number: int, probe: str, expected: str, actual: str) -> str:
    """The issue an agent is given: what goes wrong, never where."""
    setup_code = code.codebase.setup
    setup = f" after running\n\n```python\n{setup_code}\n```\n\n" if setup_code else " "
    return (
        f"Issue #{number} in `{code.filename}` (the module `{code.module}` in your working "
        f"directory). With `import {code.module} as m`{setup}the call `{probe}` "
        f"{_outcome(actual)}, but it should {_outcome(expected).replace('returns', 'return', 1).replace('raises', 'raise', 1)}. "
        "Find the cause and fix it in the source; hidden tests check this call and related "
        "behaviour. Reply with a short message (no tool call) when you are done."
    )
