"""Run an agent's command in a sandbox: bubblewrap (Debian ``bubblewrap``) with resource limits.

The whole file system is mounted read-only except the agent's own directory; ``/tmp`` is a private
tmpfs (thrown away), there is no network and a fresh PID namespace (killing the sandbox kills all
it started). Resource limits come on top: CPU seconds, address space, file size (which also caps
the output, written to a file outside the sandbox) and processes (against fork bombs: a pids
cgroup or a user id of its own as root, ``RLIMIT_NPROC`` otherwise, see ``process_cap``), and a
wall clock timeout that kills the whole process group; whatever a command leaves running is
killed when it ends. A command never raises: a timeout, a kill or a missing ``bwrap`` comes back
as a result the caller reports.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from memgym.tracks.swe.process_cap import ProcessCap

INSTALL_HINT = "the swe track's sandbox needs bubblewrap (apt-get install bubblewrap)"


@dataclass(frozen=True)
class SandboxLimits:
    """Bounds on one command."""

    wall_seconds: float = 10.0
    cpu_seconds: int = 10
    memory_mb: int = 1024
    file_mb: int = 8
    processes: int = 64
    output_chars: int = 6000


@dataclass(frozen=True)
class CommandResult:
    """What one command did: exit status (negative: killed by that signal), its output (cut to
    the limit), whether the wall clock stopped it and how many characters were cut."""

    returncode: int
    output: str
    timed_out: bool = False
    cut: int = 0

    def render(self) -> str:
        """The tool result an agent reads."""
        notes = [f"[... {self.cut} more characters of output cut]"] if self.cut else []
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
    """Commands confined to ``workdir`` (the only writable place), with ``limits``; the files
    in ``hidden`` read as empty inside (the original of the code the agent repairs)."""

    def __init__(
        self,
        workdir: Path,
        limits: SandboxLimits = SandboxLimits(),
        hidden: tuple[Path, ...] = (),
        cgroup: bool = True,
    ) -> None:
        """``cgroup=False`` caps processes without a pids cgroup (``process_cap``)."""
        self.workdir = workdir.resolve()
        self.limits = limits
        self.hidden = tuple(p for p in hidden if p.exists())
        self._scratch = Path(tempfile.mkdtemp(prefix="memgym-swe-io-"))
        self.cap = ProcessCap(self._scratch.name, limits.processes, cgroup)
        if self.cap.uid is not None:
            self._own(self.cap.uid)
            if bwrap() is None or self.run([sys.executable, "-I", "-S", "-c", "pass"]).returncode:
                self.cap.give_up_uid()  # e.g. the interpreter lives in root's home
                self._own(0)

    def _own(self, uid: int) -> None:
        """Hand the working directory (and all in it) to ``uid``."""
        for path in (self.workdir, *self.workdir.rglob("*")):
            os.lchown(path, uid, uid)

    def argv(self, command: list[str], readonly: tuple[Path, ...] = ()) -> list[str]:
        """The ``bwrap`` command line running ``command`` in the sandbox."""
        exe = bwrap()
        if exe is None:
            raise RuntimeError(INSTALL_HINT)
        argv = [exe, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                "--tmpfs", "/tmp", "--bind", str(self.workdir), str(self.workdir)]  # fmt: skip
        for path in readonly:
            argv += ["--ro-bind", str(path), str(path)]
        for path in self.hidden:
            argv += ["--ro-bind", "/dev/null", str(path)]
        argv += ["--unshare-all", "--die-with-parent", "--new-session", "--chdir",
                 str(self.workdir), "--clearenv", "--setenv", "HOME", str(self.workdir),
                 "--setenv", "PATH", f"{Path(sys.executable).parent}:/usr/bin:/bin",
                 "--setenv", "LANG", "C.UTF-8", "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
                 "--setenv", "PYTHONHASHSEED", "0"]  # fmt: skip
        return argv + command

    def run(
        self,
        command: list[str],
        stdin: str = "",
        readonly: tuple[Path, ...] = (),
        split_stderr: bool = False,
        keep_chars: int | None = None,
    ) -> CommandResult:
        """Run ``command`` (an argv) in the sandbox; ``split_stderr`` drops stderr from the
        output and ``keep_chars`` overrides the output limit (for machine-read results)."""
        if bwrap() is None:
            return CommandResult(127, f"error: {INSTALL_HINT}")
        out_path, in_path = self._scratch / "out", self._scratch / "in"
        in_path.write_text(stdin)
        with open(out_path, "wb") as out, open(in_path, "rb") as inp:
            proc = subprocess.Popen(
                self.argv(command, readonly),
                stdin=inp,
                stdout=out,
                stderr=subprocess.DEVNULL if split_stderr else subprocess.STDOUT,
                preexec_fn=self._child,  # noqa: PLW1509 - limits must be set in the child
                start_new_session=True,
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
        return CommandResult(proc.returncode, text[:keep], timed_out, cut)

    def shell(self, script: str) -> CommandResult:
        """Run a bash script in the sandbox."""
        return self.run(["/bin/bash", "-c", script])

    def _child(self) -> None:
        """In the child, before ``exec``: resource limits and the process cap."""
        _limits(self.limits)
        self.cap.join()

    def close(self) -> None:
        self.cap.close()
        shutil.rmtree(self._scratch, ignore_errors=True)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill the sandbox's whole process group and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
