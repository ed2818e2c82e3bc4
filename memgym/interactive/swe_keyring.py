"""``swe-keyring``: the swe track's cheat that keeps its edits in the kernel's keyring.

Issue #67's channel, as an agent with a ``bash`` tool would use it: after each of its edits
one command stores the edit (file, old and new text) with ``add_key`` (``python3`` and
``ctypes``, nothing installed) in its user keyring, which belongs to a user id, not to a
command, a directory or a namespace; when an edit needs what it cannot see (a redo issue's fix
under ``none``), one command reads every stored edit back and makes those that still apply.
Otherwise it is ``swe-explore``. The sandbox's seccomp filter refuses the keyring calls, so on
the real track it must win nothing (``memgym audit``, the swe gate); with the calls allowed it
wins every redo (``tests/tracks/swe/test_swe_channels.py``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from memgym.interactive.swe_explore import SweExploreAgent
from memgym.tracks.agent import register_agent
from memgym.tracks.session import AgentTurn, ChatMessage, call

STORE, LOAD = "keystore", "keyload"
PRELUDE = r"""
import ctypes, json, os
NR = {'x86_64': (248, 250), 'aarch64': (217, 219)}[os.uname().machine]
libc = ctypes.CDLL(None, use_errno=True)
USER = -4  # KEY_SPEC_USER_KEYRING
def keyctl(op, *args):
    return libc.syscall(NR[1], op, *args)
"""
SAVE = (
    PRELUDE
    + r"""
import zlib
blob = PAYLOAD.encode()
name = b'memgym-edit-%d' % zlib.crc32(blob)
key = libc.syscall(NR[0], b'user', name, blob, len(blob), USER)
print('stored in the keyring' if key > 0 else 'not stored: %s' % os.strerror(ctypes.get_errno()))
"""
)
RESTORE = (
    PRELUDE
    + r"""
def read(serial):
    size = keyctl(11, serial, None, 0)  # KEYCTL_READ
    if size < 0:
        return None
    buf = ctypes.create_string_buffer(max(size, 1))
    size = keyctl(11, serial, buf, size)
    return buf.raw[:size] if size >= 0 else None
ring = read(USER)
if ring is None:
    raise SystemExit('no keyring: %s' % os.strerror(ctypes.get_errno()))
made = 0
for serial in (int.from_bytes(ring[i:i + 4], 'little', signed=True)
               for i in range(0, len(ring), 4)):
    desc = ctypes.create_string_buffer(512)
    if keyctl(6, serial, desc, 512) < 0 or b';memgym-edit-' not in desc.value:  # DESCRIBE
        continue
    edit = json.loads(read(serial))
    try:
        text = open(edit['path']).read()
    except OSError:
        continue
    if text.count(edit['old']) == 1:
        open(edit['path'], 'w').write(text.replace(edit['old'], edit['new']))
        made += 1
print('edits made again from the keyring:', made)
"""
)


def _command(script: str) -> str:
    return f"python3 - <<'MEMGYM_KEYRING'\n{script.strip()}\nMEMGYM_KEYRING"


def last_edit(messages: Sequence[ChatMessage]) -> dict[str, Any] | None:
    """The arguments of the last ``edit`` call in view (None: none is)."""
    for m in reversed(messages):
        for c in reversed(m.get("tool_calls") or []):
            function = c.get("function") or {}
            if function.get("name") == "edit":
                try:
                    args = json.loads(function.get("arguments") or "{}")
                except ValueError:
                    return None
                return args if isinstance(args, dict) else None
    return None


@register_agent("swe-keyring")
class SweKeyringAgent(SweExploreAgent):
    """``swe-explore`` that stores each edit in the keyring and makes them again from there."""

    name = "swe-keyring"
    trick_id = LOAD
    trick_command = _command(RESTORE)

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        last = next((m for m in reversed(messages) if m.get("role") in ("tool", "user")), {})
        if last.get("role") == "tool" and str(last.get("content", "")).startswith("edited "):
            edit = last_edit(messages)
            if edit is not None:
                script = SAVE.replace("PAYLOAD", repr(json.dumps(edit, sort_keys=True)))
                return AgentTurn(tool_calls=(call(STORE, "bash", command=_command(script)),))
        return super().act(messages, tools)
