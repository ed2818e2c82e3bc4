"""A seccomp filter for sandboxed commands: the kernel keyring system calls are refused.

Kernel keyrings (``add_key``, ``keyctl``, ``request_key``) belong to a user id, not to any mount,
PID, IPC or network namespace: a key a command stores in its user, user-session, session or
persistent keyring outlives the command, the redo reset and the session (measured: a value
stored with ``add_key`` in one command was read back by the next one). ``bwrap --seccomp FD``
loads this classic BPF program after building the sandbox: those three calls fail with
``EPERM``, every other call is allowed. A call made through another ABI than the machine's own
(32-bit ``i386`` on ``x86_64``, the ``x32`` numbers) is refused whole, so the keyring calls
have no second way in. The program is built here, byte for byte, for ``x86_64`` and
``aarch64``; on another machine ``program`` returns None and the sandbox does not start.
"""

from __future__ import annotations

import errno
import os
import struct

LOAD_WORD = 0x20  # BPF_LD | BPF_W | BPF_ABS
JUMP_EQ = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
JUMP_GE = 0x35  # BPF_JMP | BPF_JGE | BPF_K
RETURN = 0x06  # BPF_RET | BPF_K
ALLOW = 0x7FFF0000  # SECCOMP_RET_ALLOW
REFUSE = 0x00050000 | errno.EPERM  # SECCOMP_RET_ERRNO | EPERM
NR, ARCH = 0, 4  # offsets of the call number and the ABI in struct seccomp_data
X32 = 0x40000000  # the x32 ABI's call numbers carry this bit

KEYRING_CALLS = ("add_key", "request_key", "keyctl")
MACHINES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (0xC000003E, {"add_key": 248, "request_key": 249, "keyctl": 250}),
    "aarch64": (0xC00000B7, {"add_key": 217, "request_key": 218, "keyctl": 219}),
}
"""Per machine: its ``AUDIT_ARCH`` value and the numbers of the keyring calls."""


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    """One ``struct sock_filter`` in native byte order."""
    return struct.pack("=HBBI", code, jt, jf, k)


def program(machine: str | None = None) -> bytes | None:
    """The filter for ``machine`` (default: this one), or None when it is not supported."""
    known = MACHINES.get(machine or os.uname().machine)
    if known is None:
        return None
    arch, numbers = known
    calls = [numbers[name] for name in KEYRING_CALLS]
    # 0: load the ABI; another ABI than the machine's own: refuse; load the call number;
    # the x32 bit set: refuse; one equality test per keyring call; allow; refuse.
    refuse_at = 4 + len(calls) + 1  # index of the final REFUSE instruction
    ops = [_op(LOAD_WORD, ARCH), _op(JUMP_EQ, arch, 0, refuse_at - 2), _op(LOAD_WORD, NR)]
    ops.append(_op(JUMP_GE, X32, refuse_at - 4, 0))
    ops += [_op(JUMP_EQ, nr, refuse_at - 5 - i, 0) for i, nr in enumerate(calls)]
    ops += [_op(RETURN, ALLOW), _op(RETURN, REFUSE)]
    return b"".join(ops)
