"""Run an agent's command in a sandbox: bubblewrap (Debian ``bubblewrap``) with resource limits.

``bwrap`` starts with an empty environment (nothing of the user's reaches any process inside)
and builds a new root (``runtime``): the interpreter and the minimal system read-only, the
agent's directory writable at ``/repo``, a private ``/tmp``, nothing else of the machine; no
network, fresh PID/IPC/UTS namespaces (the command is PID 1: when it ends, all it started dies).
Commands run as an unprivileged user in a user namespace of their own: as root, a user id of
the sandbox's own, dropped to inside before the command starts (no capability survives), then a
new user namespace mapping only it (``DROP``); otherwise the user's own id in ``bwrap``'s user
namespace. Kernel keyrings belong to a user id within a user namespace, so that namespace is
one lock on them; a seccomp filter (``seccomp``) refusing the keyring calls is the other.
Resource limits come on top: CPU seconds, address space, file size (which also caps the output,
written to a file outside the sandbox), processes (``process_cap``), the memory of all of a
command's processes together (``memory_cap``), the size of ``/tmp``, and a wall clock timeout
that kills the whole process group. A command never raises: a timeout, a kill or a missing
``bwrap`` comes back as a result the caller reports.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from memgym.tracks.swe import seccomp
from memgym.tracks.swe.memory_cap import MemoryCap
from memgym.tracks.swe.process_cap import ProcessCap
from memgym.tracks.swe.runtime import PREFIX, runtime

INSTALL_HINT = "the swe track's sandbox needs bubblewrap (apt-get install bubblewrap)"
NO_FILTER = f"the swe track's sandbox has no seccomp filter for {os.uname().machine}"
INSIDE = Path("/repo")
"""The agent's directory as commands see it."""
DROP = """import ctypes,os,sys
u=int(sys.argv[1]);os.setgroups([]);os.setgid(u);os.setuid(u);c=ctypes.CDLL(None)
if c.prctl(4,1,0,0,0)==0 and c.unshare(0x10000000)==0:
    for name,text in (("setgroups","deny"),("uid_map",f"{u} {u} 1"),("gid_map",f"{u} {u} 1")):
        with open(f"/proc/self/{name}","w") as f: f.write(text)
os.execvp(sys.argv[2],sys.argv[2:])"""
"""Run as root: become the sandbox's own user, enter a user namespace of its own mapping only
that user (``CLONE_NEWUSER``; made dumpable first, else ``/proc/self`` belongs to root after
``setuid``; where the kernel refuses a namespace, the command runs without it), then
run the command (``python -c DROP UID ARGV``). The command starts as that user with no
capability in any namespace (``execve`` as a user other than root drops them)."""


@dataclass(frozen=True)
class SandboxLimits:
    """Bounds on one command."""

    wall_seconds: float = 10.0
    cpu_seconds: int = 10
    memory_mb: int = 1024
    file_mb: int = 8
    processes: int = 64
    output_chars: int = 6000
    total_memory_mb: int = 1024
    """All of a command's processes together (a memory cgroup, where one is writable)."""
    tmp_mb: int = 64
    """The size of a command's private ``/tmp``."""
    disk_mb: int = 64
    """The size of the folder holding a session's working directory (``disk_cap``)."""


@dataclass(frozen=True)
class CommandResult:
    """What one command did: exit status (negative: killed by that signal), its output (cut to
    the limit), whether the wall clock stopped it and how many characters were cut."""

    returncode: int
    output: str
    timed_out: bool = False
    cut: int = 0
    memory_mb: int = 0
    """The memory cap, when the kernel killed a process of the command for it (else 0)."""

    def render(self) -> str:
        """The tool result an agent reads."""
        notes = [f"[... {self.cut} more characters of output cut]"] if self.cut else []
        if self.memory_mb:
            notes.append(
                f"[killed: the command's processes together reached the memory cap "
                f"({self.memory_mb} MiB)]"
            )
        if self.timed_out:
            notes.append("[stopped: the command ran past its time limit and was killed]")
        elif self.returncode < 0:
            notes.append(f"[killed by signal {signal.Signals(-self.returncode).name}]")
        notes.append(f"[exit code {self.returncode}]")
        text = self.output if not self.output or self.output.endswith("\n") else self.output + "\n"
        return text + "\n".join(notes)


def bwrap() -> str | None:
    """The ``bwrap`` executable, or None when bubblewrap is not installed."""
    return shutil.which("bwrap")


def _limits(limits: SandboxLimits) -> None:
    """Resource limits, set in the child before ``bwrap`` runs (inherited by all it starts)."""
    mb = 1024 * 1024
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb, limits.memory_mb * mb))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb * mb, limits.file_mb * mb))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class Sandbox:
    """Commands confined to ``workdir`` (the only writable place, ``/repo`` inside), with
    ``limits``; the standard-library modules named in ``hidden`` (source and bytecode) cannot
    be read or imported inside."""

    def __init__(
        self,
        workdir: Path,
        limits: SandboxLimits = SandboxLimits(),
        hidden: tuple[str, ...] = (),
        cgroup: bool = True,
    ) -> None:
        """``cgroup=False`` caps processes and memory without cgroups (``process_cap``,
        ``memory_cap``)."""
        self.workdir = workdir.resolve()
        self.limits = limits
        self.hidden = hidden
        self._scratch = Path(tempfile.mkdtemp(prefix="memgym-swe-io-"))
        self.cap = ProcessCap(self._scratch.name, limits.processes, cgroup)
        self.memory = MemoryCap(self._scratch.name, limits.total_memory_mb, cgroup)
        self.filter = seccomp.program()
        if self.filter is not None:
            (self._scratch / "seccomp").write_bytes(self.filter)
        if self.cap.uid is not None:
            self.own()

    def own(self) -> None:
        """Hand the working directory (and all in it) to the sandbox's user (after the host
        wrote into it)."""
        if self.cap.uid is None:
            return
        for path in (self.workdir, *self.workdir.rglob("*")):
            os.lchown(path, self.cap.uid, self.cap.uid)
        self.workdir.chmod(0o755)  # bwrap, root without capabilities, must enter it

    def argv(
        self,
        command: list[str],
        readonly: tuple[tuple[Path, Path], ...] = (),
        work: bool = True,
        filter_fd: int | None = None,
    ) -> list[str]:
        """The ``bwrap`` command line running ``command`` in the sandbox; ``readonly`` binds
        (host path, inside path) pairs read-only; ``work=False`` leaves the working directory
        out (nothing at ``/repo``; the command starts in its private ``/tmp``); ``filter_fd``
        is an open descriptor of the seccomp filter, inherited by ``bwrap``."""
        exe = bwrap()
        if exe is None:
            raise RuntimeError(INSTALL_HINT)
        rt = runtime()
        tmp = str(self.limits.tmp_mb * 1024 * 1024)
        argv = [exe, *rt.binds(self.hidden), "--dev", "/dev", "--proc", "/proc",
                "--perms", "1777", "--size", tmp, "--tmpfs", "/tmp"]  # fmt: skip
        if work:
            argv += ["--bind", str(self.workdir), str(INSIDE)]
        start = INSIDE if work else Path("/tmp")
        for host, inside in readonly:
            argv += ["--ro-bind", str(host), str(inside)]
        if self.cap.uid is None:
            argv += ["--unshare-all"]  # not root: a user namespace maps the user's own id
        else:  # root: no user namespace; keep only what dropping to the sandbox's user needs
            argv += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                     "--unshare-cgroup-try", "--cap-drop", "ALL",
                     "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]  # fmt: skip
            command = [str(rt.inside_binary), "-I", "-S", "-c", DROP, str(self.cap.uid), *command]
        argv += ["--die-with-parent", "--new-session", "--as-pid-1", "--chdir", str(start),
                 "--clearenv", "--setenv", "HOME", str(start),
                 "--setenv", "PATH", f"{PREFIX / 'bin'}:/usr/bin:/bin",
                 "--setenv", "LD_LIBRARY_PATH", str(PREFIX / "lib"),
                 "--setenv", "LANG", "C.UTF-8", "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
                 "--setenv", "PYTHONHASHSEED", "0"]  # fmt: skip
        if filter_fd is not None:
            argv += ["--seccomp", str(filter_fd)]
        return argv + command

    def run(
        self,
        command: list[str],
        stdin: str = "",
        readonly: tuple[tuple[Path, Path], ...] = (),
        split_stderr: bool = False,
        keep_chars: int | None = None,
        work: bool = True,
    ) -> CommandResult:
        """Run ``command`` (an argv) in the sandbox; ``split_stderr`` drops stderr from the
        output, ``keep_chars`` overrides the output limit (for machine-read results) and
        ``work=False`` runs it without the working directory (``argv``)."""
        if bwrap() is None:
            return CommandResult(127, f"error: {INSTALL_HINT}")
        if self.filter is None:
            return CommandResult(127, f"error: {NO_FILTER}")
        out_path, in_path = self._scratch / "out", self._scratch / "in"
        in_path.write_text(stdin)
        kills = self.memory.kills()
        with (
            open(out_path, "wb") as out,
            open(in_path, "rb") as inp,
            open(self._scratch / "seccomp", "rb") as rules,
        ):
            proc = subprocess.Popen(
                self.argv(command, readonly, work, rules.fileno()),
                pass_fds=(rules.fileno(),),
                stdin=inp,
                stdout=out,
                stderr=subprocess.DEVNULL if split_stderr else subprocess.STDOUT,
                preexec_fn=self._child,  # noqa: PLW1509 - limits must be set in the child
                start_new_session=True,
                env={},  # bwrap itself holds no variable of the user's (it is visible inside)
            )
            timed_out = False
            try:
                proc.wait(timeout=self.limits.wall_seconds)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill(proc)
            self.cap.kill_all()  # what the command left running (its namespace is gone too)
        raw = out_path.read_bytes()
        text = raw.decode("utf-8", errors="replace")
        keep = self.limits.output_chars if keep_chars is None else keep_chars
        cut = max(0, len(text) - keep)
        memory = self.limits.total_memory_mb if self.memory.kills() > kills else 0
        return CommandResult(proc.returncode, text[:keep], timed_out, cut, memory)

    def shell(self, script: str) -> CommandResult:
        """Run a bash script in the sandbox."""
        return self.run(["/bin/bash", "-c", script])

    def _child(self) -> None:
        """In the child, before ``exec``: resource limits and the process cap."""
        _limits(self.limits)
        self.cap.join()
        self.memory.join()

    def close(self) -> None:
        self.cap.close()
        self.memory.close()
        shutil.rmtree(self._scratch, ignore_errors=True)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill the sandbox's whole process group and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
