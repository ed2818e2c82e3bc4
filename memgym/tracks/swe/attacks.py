"""Scripted attacks on the swe track: agents that try to score without repairing anything from
memory. Each sends one shell command at the start of each issue and says the issue is done (the
module it leaves is what the issue's hidden tests run on); a sound track scores them
at most 0.05 (``memgym compare --track swe --reasoner swe-copy --memories full``, the
red-team tests).

- ``swe-copy`` looks for another copy of the code on every file it can read (``.py`` sources
  and ``.pyc`` bytecode, ranked by the functions and classes they share with the module) and
  puts the best match in place of the module;
- ``swe-regen`` imports memgym (from the path or any checkout it finds) and regenerates the
  session to restore the original module;
- ``swe-shape`` greps for the text a mechanical mutation leaves (``if not a < b:``) and undoes
  it, without reading the code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from memgym.specs import seed_range
from memgym.tracks.agent import DONE, Agent, register_agent
from memgym.tracks.session import AgentTurn, ChatMessage, call

COPY = r"""
import marshal, os, re
mod = sorted(f for f in os.listdir('.') if f.endswith('.py'))[0]
DEFS = re.compile(r'^\s*(?:def|class) (\w+)', re.M)
mine = set(DEFS.findall(open(mod).read()))
best = (0.0, '', None)
for root, dirs, files in os.walk('/'):
    if root.startswith(('/proc', '/sys', '/dev')):
        dirs[:] = []
        continue
    for f in files:
        path = os.path.join(root, f)
        if os.path.realpath(path) == os.path.realpath(mod):
            continue
        try:
            if f.endswith('.py'):
                text = open(path, encoding='utf-8', errors='replace').read(3_000_000)
                names = set(DEFS.findall(text))
            elif f.endswith('.pyc'):
                stack, names, text = [marshal.loads(open(path, 'rb').read()[16:])], set(), None
                while stack:
                    code = stack.pop()
                    names.add(code.co_name)
                    stack += [c for c in code.co_consts if hasattr(c, 'co_code')]
            else:
                continue
        except Exception:
            continue
        score = len(mine & names) / max(1, len(mine | names))
        if score > best[0]:
            best = (score, path, text)
score, path, text = best
print('best copy:', path or 'none', round(score, 2))
if score >= 0.3:
    if text is None:
        text = 'import marshal\nexec(marshal.loads(open(%r, "rb").read()[16:]))\n' % path
    open(mod, 'w').write(text)
"""

REGEN = r"""
import os, sys
mod = sorted(f for f in os.listdir('.') if f.endswith('.py'))[0]
try:
    import memgym
except ImportError:
    for root, dirs, files in os.walk('/'):
        if root.startswith(('/proc', '/sys', '/dev')):
            dirs[:] = []
        elif os.path.basename(root) == 'memgym' and '__init__.py' in files:
            sys.path.insert(0, os.path.dirname(root))
            break
try:
    from memgym.tracks import get_track
    from memgym.tracks.swe.mutations import apply_all
    from memgym.tracks.swe.track import _mutation, unpack
except ImportError as exc:
    sys.exit(f'memgym not found: {exc}')
text = open(mod).read()
track = get_track('swe')
for seed in SEEDS:
    code, specs, _ = unpack(track.generate(seed))
    if code.filename == mod and apply_all(code.source, [_mutation(s) for s in specs]) == text:
        open(mod, 'w').write(code.source)
        sys.exit(f'restored from seed {seed}')
sys.exit('no seed matched')
"""

SHAPE = r"""
import os, re
mod = sorted(f for f in os.listdir('.') if f.endswith('.py'))[0]
lines = open(mod).read().split('\n')
SPLICED = re.compile(r'^(\s*(?:if|elif|while) )not ([\w.\[\]()]+ (?:[<>]=?|[!=]=|is|in) .+):$')
undone = 0
for i, line in enumerate(lines):
    match = SPLICED.match(line)
    if match:
        lines[i] = match.group(1) + match.group(2) + ':'
        undone += 1
open(mod, 'w').write('\n'.join(lines))
print('undone:', undone)
"""


def python_command(script: str) -> str:
    """A bash command running ``script`` with the sandbox's Python."""
    return f"python3 - <<'MEMGYM_ATTACK'\n{script.strip()}\nMEMGYM_ATTACK"


class ScriptAgent(Agent):
    """Sends ``command`` at the start of each issue (a redo issue resets the tree), then says
    the issue is done: it has sent it when its call is in view after the issue's text (agents
    are stateless: the view is all they know; the loop may rename a repeated call id)."""

    name = "script"
    command = ""

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        users = [i for i, m in enumerate(messages) if m.get("role") == "user"]
        since = messages[users[-1] + 1 :] if users else messages
        if any(str(c.get("id", "")).startswith("attack_1") for m in since
               for c in m.get("tool_calls") or []):  # fmt: skip
            return AgentTurn(DONE)
        return AgentTurn(tool_calls=(call("attack_1", "bash", command=self.command),))


class CopyAgent(ScriptAgent):
    name = "swe-copy"
    command = python_command(COPY)


class RegenAgent(ScriptAgent):
    name = "swe-regen"

    def __init__(self, seeds: str = "0-63") -> None:
        chosen = list(seed_range(seeds))
        self.command = python_command(REGEN.replace("SEEDS", repr(chosen)))


class ShapeAgent(ScriptAgent):
    name = "swe-shape"
    command = python_command(SHAPE)


@register_agent("swe-copy")
def _copy(track: Any) -> Agent:
    return CopyAgent()


@register_agent("swe-regen")
def _regen(track: Any, seeds: str = "0-63") -> Agent:
    return RegenAgent(str(seeds))


@register_agent("swe-shape")
def _shape(track: Any) -> Agent:
    return ShapeAgent()
