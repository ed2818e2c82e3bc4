"""The swe track's channel census: every place a command could leave a value for a later one.

One session (a fix issue, then its redo) on the real sandbox: in the fix issue a command per
channel writes a fresh secret there and reads it back in the same command (the control: the
channel works within a command, so the read used later is a real read); after the reset, at the
redo issue, a command per channel looks for it. Each channel is a test of its own: the secret
must be nowhere the redo's command can reach. The table in docs/swe.md lists the same channels
and what closes each. The keyring cheat is also run with each of the two locks on the keyrings
open (the seccomp filter replaced by one that allows every call; the user namespace per command
left out): either alone holds, and with both open it solves every redo.
"""

from __future__ import annotations

import json
import os
import struct
import uuid
from pathlib import Path

import pytest

from memgym.interactive.episode import evaluate_interactive
from memgym.tracks import get_track
from memgym.tracks.session import AgentTurn, call
from memgym.tracks.swe import sandbox, seccomp
from memgym.tracks.swe.sandbox import DROP
from memgym.tracks.swe.session import SweSession
from memgym.types import Scenario
from tests.engines import needs

pytestmark = needs("swe")
ONE = {"codebase": "colorsys", "tasks": 1, "redo": 1, "target_tokens": 0}
"""One fix issue and its redo: the reset between them is what the census crosses."""
SECRET = f"memgym-secret-{uuid.uuid4().hex}"
NO_NAMESPACE = "import os,sys;u=int(sys.argv[1]);os.setgroups([]);os.setgid(u);os.setuid(u);os.execvp(sys.argv[2],sys.argv[2:])"
"""The step into the sandbox's user as it was before: no user namespace of its own."""


def py(script: str) -> str:
    """A bash command running ``script`` with the sandbox's Python (``S`` is the secret)."""
    body = f"S = {SECRET!r}\n{script.strip()}"
    return f"python3 - <<'MEMGYM_CENSUS'\n{body}\nMEMGYM_CENSUS"


KEYRING = """
import ctypes, os
NR = {'x86_64': (248, 250), 'aarch64': (217, 219)}[os.uname().machine]
libc = ctypes.CDLL(None, use_errno=True)
def keyctl(*args):
    return libc.syscall(NR[1], *args)
def find(ring):
    key = keyctl(10, ring, b'user', b'memgym-census', 0)  # KEYCTL_SEARCH
    buf = ctypes.create_string_buffer(256)
    size = keyctl(11, key, buf, 256) if key > 0 else -1  # KEYCTL_READ
    return buf.raw[:size].decode() if size > 0 else 'none'
rings = {'thread': -1, 'process': -2, 'session': -3, 'user': -4, 'user-session': -5}
persistent = keyctl(22, -1, -4)  # KEYCTL_GET_PERSISTENT into the user keyring
named = keyctl(1, b'memgym-census-ring')  # KEYCTL_JOIN_SESSION_KEYRING
rings.update(persistent=persistent, named=named)
for name, ring in rings.items():
    if WRITE:
        added = libc.syscall(NR[0], b'user', b'memgym-census', S.encode(), len(S), ring)
        print(name, 'add', added, os.strerror(ctypes.get_errno()) if added < 0 else 'ok')
    print(name, 'found', find(ring))
"""
IPC = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
KEY, CREATE = 0x4D454D47, 0o1000 | 0o600
q = libc.msgget(KEY, CREATE if WRITE else 0)
if WRITE and q >= 0:
    msg = ctypes.create_string_buffer(8 + 64)
    ctypes.memmove(ctypes.addressof(msg), (1).to_bytes(8, 'little') + S.encode(), 8 + len(S))
    libc.msgsnd(q, msg, len(S), 0)
if q >= 0:
    got = ctypes.create_string_buffer(8 + 64)
    n = libc.msgrcv(q, got, 64, 0, 0o4000)  # IPC_NOWAIT
    print('queue', got.raw[8:8 + n].decode() if n > 0 else 'empty')
    if WRITE:
        libc.msgsnd(q, msg, len(S), 0)  # left there for the redo
else:
    print('queue absent', os.strerror(ctypes.get_errno()))
libc.shmat.restype = ctypes.c_void_p
shm = libc.shmget(KEY, 4096, CREATE if WRITE else 0)
if shm >= 0:
    where = libc.shmat(shm, None, 0)
    if WRITE:
        ctypes.memmove(where, S.encode(), len(S))
    print('segment', ctypes.string_at(where, len(S)).decode(errors='replace'))
else:
    print('segment absent', os.strerror(ctypes.get_errno()))
"""
MQUEUE = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
flags = (0o100 | 0o2) if WRITE else 0o2  # O_CREAT | O_RDWR
q = libc.mq_open(b'/memgym-census', flags, 0o600, None)
if q < 0:
    print('mqueue absent', os.strerror(ctypes.get_errno()))
else:
    if WRITE:
        libc.mq_send(q, S.encode(), len(S), 0)
    buf = ctypes.create_string_buffer(8192)
    n = libc.mq_receive(q, buf, 8192, None)
    print('mqueue', buf.raw[:n].decode() if n > 0 else 'empty')
    if WRITE:
        libc.mq_send(q, S.encode(), len(S), 0)  # left there for the redo
"""
SOCKETS = """
import os, socket, time
def ask(family, address):
    try:
        with socket.socket(family, socket.SOCK_STREAM) as c:
            c.settimeout(1)
            c.connect(address)
            return c.recv(256).decode()
    except OSError as exc:
        return 'refused: %s' % exc.strerror
places = [(socket.AF_UNIX, '\\0memgym-census'), (socket.AF_INET, ('127.0.0.1', 47123))]
if WRITE:
    for family, address in places:
        if os.fork() == 0:  # a server left running, holding the secret
            os.setsid()
            s = socket.socket(family, socket.SOCK_STREAM)
            s.bind(address)
            s.listen()
            while True:
                conn, _ = s.accept()
                conn.sendall(S.encode())
                conn.close()
    time.sleep(0.5)
for family, address in places:
    print(family.name, ask(family, address))
"""
PROCESSES = """
import os, subprocess, time
if WRITE:  # a detached loop that keeps writing the secret into the working directory
    subprocess.Popen(['sh', '-c', 'while :; do echo %s > /repo/late; sleep 0.2; done' % S],
                     start_new_session=True)
    time.sleep(0.5)
else:
    time.sleep(1)
print('late', open('/repo/late').read().strip() if os.path.exists('/repo/late') else 'absent')
print('processes', ' '.join(sorted(p for p in os.listdir('/proc') if p.isdigit())))
"""
FILES = """
import os, stat
def walk():
    for root, dirs, files in os.walk('/'):
        if root.startswith(('/proc', '/sys')):
            dirs[:] = []
            continue
        yield root, files
if WRITE:  # every folder this user can write to, outside the working directory too
    for root, _ in walk():
        if os.access(root, os.W_OK):
            try:
                open(os.path.join(root, '.memgym-census'), 'w').write(S)
                print('wrote', root)
            except OSError:
                pass
found = []
for root, files in walk():  # every file this user could have written: its own, or anyone's
    for name in files:
        path = os.path.join(root, name)
        try:
            info = os.lstat(path)
            if stat.S_ISREG(info.st_mode) and (info.st_uid == os.getuid() or info.st_mode & 0o2):
                if S in open(path, errors='replace').read():
                    found.append(path + ' holds ' + S)
        except OSError:
            pass
print('found', found or 'nowhere')
"""
XATTRS = """
import os
for path in ('/repo', '/tmp'):
    try:
        if WRITE:
            os.setxattr(path, 'user.memgym', S.encode())
        print(path, 'xattr', os.getxattr(path, 'user.memgym').decode())
    except OSError as exc:
        print(path, 'xattr', exc.strerror)
"""
ENVIRONMENT = """
import os, subprocess
if WRITE:
    subprocess.run(['bash', '-c', 'export MEMGYM_CENSUS=%s; echo "export MEMGYM_CENSUS=%s" >> ~/.bashrc; '
                    'echo "export MEMGYM_CENSUS=%s" >> ~/.profile' % (S, S, S)])
    os.environ['MEMGYM_CENSUS'] = S
    print('environ', os.environ['MEMGYM_CENSUS'])
print('login shell', subprocess.run(['bash', '-lc', 'echo "$MEMGYM_CENSUS"'], capture_output=True,
                                    text=True).stdout.strip() or 'unset')
print('environ', os.environ.get('MEMGYM_CENSUS', 'unset'))
"""
NAMES = """
import os, socket
if WRITE:
    try:
        socket.sethostname(S[:60])
    except OSError as exc:
        print('sethostname', exc.strerror)
print('hostname', socket.gethostname())
print('cgroup files', os.path.exists('/sys/fs/cgroup'))
"""
CHANNELS: dict[str, str] = {
    "keyrings": KEYRING,
    "sysv-ipc": IPC,
    "posix-mqueue": MQUEUE,
    "sockets": SOCKETS,
    "processes": PROCESSES,
    "files": FILES,
    "xattrs": XATTRS,
    "environment": ENVIRONMENT,
    "names": NAMES,
}
"""Each channel's script: with ``WRITE`` true it leaves the secret there and reads it back."""
WORKS_WITHIN = {"sysv-ipc", "posix-mqueue", "sockets", "processes", "files", "environment"}
"""Channels whose control shows the secret within the writing command (the others refuse the
write itself: keyrings by the seccomp filter, xattrs and names for lack of permission)."""


def census(channel: str, write: bool) -> str:
    return py(f"WRITE = {write}\n{CHANNELS[channel]}")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return get_track("swe").generate(5, None, **ONE)


@pytest.fixture(scope="module")
def crossed(scenario: Scenario) -> dict[str, tuple[str, str]]:
    """Per channel: what the writing command showed in the fix issue, and what the reading
    command found at the redo issue."""
    session = get_track("swe").open(scenario)
    assert isinstance(session, SweSession)
    try:
        written = {c: session.call(call(c, "bash", command=census(c, True))) for c in CHANNELS}
        next_command = session.call(call("k", "bash", command=census("keyrings", False)))
        uid = session.sandbox.cap.uid
        left = [p for p in _host_processes() if uid is not None and _uid_of(p) == uid]
        assert left == [], f"processes of the sandbox's user outlived their command: {left}"
        assert session.reply(AgentTurn("done")) is not None  # the redo issue, after the reset
        assert session.issues[session.task].kind == "redo"
        found = {c: session.call(call(c, "bash", command=census(c, False))) for c in CHANNELS}
    finally:
        session.close()
    return {c: (written[c], found[c]) for c in CHANNELS} | {"keyrings:next": (next_command, "")}


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_a_value_left_in_a_fix_issue_is_unreadable_at_its_redo(
    channel: str, crossed: dict[str, tuple[str, str]]
) -> None:
    written, found = crossed[channel]
    assert "Traceback" not in written and "Traceback" not in found, (written, found)
    if channel in WORKS_WITHIN:
        assert SECRET in written, written  # the control: the channel works within a command
    assert SECRET not in found, found


def test_the_keyring_and_the_privileged_channels_refuse_the_write(
    crossed: dict[str, tuple[str, str]],
) -> None:
    keyrings = crossed["keyrings"][0]
    assert keyrings.count("Operation not permitted") >= 7 and SECRET not in keyrings
    next_command = crossed["keyrings:next"][0]  # the very next command, same issue
    assert next_command.count("found none") == 7 and SECRET not in next_command
    assert "sethostname Operation not permitted" in crossed["names"][0]
    assert "cgroup files False" in crossed["names"][0]


def test_the_keyring_cheat_wins_every_redo_only_with_both_locks_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two locks, each enough alone: the seccomp filter, and (as root) a user namespace per
    command (keyrings are per user namespace). With both open the cheat solves every redo."""
    if os.geteuid() != 0:
        pytest.skip("as root only: otherwise bwrap's own user namespace is the second lock")
    track = get_track("swe")
    scenario = track.generate(5, None, codebase="colorsys", tasks=2, redo=2, target_tokens=0)
    allow_all = struct.pack("=HBBI", seccomp.RETURN, 0, 0, seccomp.ALLOW)
    filtered = seccomp.program

    def solved(filter_on: bool, namespace_on: bool) -> int:
        monkeypatch.setattr(seccomp, "program", filtered if filter_on else lambda m=None: allow_all)
        monkeypatch.setattr(sandbox, "DROP", DROP if namespace_on else NO_NAMESPACE)
        return evaluate_interactive(track, scenario, "none", "swe-keyring").correct

    assert solved(True, True) == 0
    assert solved(False, True) == 0  # the user namespace alone holds
    assert solved(True, False) == 0  # the filter alone holds
    assert solved(False, False) == 2  # the way in, open: every redo


def _host_processes() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _uid_of(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    line = next(x for x in text.splitlines() if x.startswith("Uid:"))
    return int(line.split()[1])


def test_the_filter_is_built_for_this_machine() -> None:
    """The program's shape: the ABI check, the x32 check, one test per keyring call."""
    program = seccomp.program()
    assert program is not None and len(program) == 8 * (4 + len(seccomp.KEYRING_CALLS) + 2)
    ops = [struct.unpack("=HBBI", program[i : i + 8]) for i in range(0, len(program), 8)]
    assert ops[-2] == (seccomp.RETURN, 0, 0, seccomp.ALLOW)
    assert ops[-1][3] == seccomp.REFUSE
    for at, (code, jt, jf, _k) in enumerate(ops):
        if code in (seccomp.JUMP_EQ, seccomp.JUMP_GE):
            assert at + 1 + max(jt, jf) == len(ops) - 1  # every refusal jumps to the refusal
    assert seccomp.program("sparc") is None
    assert json.dumps(sorted(seccomp.MACHINES)) == '["aarch64", "x86_64"]'
