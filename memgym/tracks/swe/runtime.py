"""What a sandboxed command may see of this machine: the interpreter and the minimal system.

The sandbox never binds ``/``. It builds a new root from:

- the running interpreter's binary (its real path, symlinks resolved), its ``libpython`` when it
  is a shared build and its standard library, mounted at ``/opt/python`` (``PREFIX``): the
  library's ``site-packages`` (memgym, its dependencies), ``test``, ``idlelib``, ``ensurepip``
  and ``lib2to3`` are hidden by empty directories, and the code base under repair (its file and
  its cached bytecode) by empty files;
- ``/usr/bin`` and the multiarch library directory (``/usr/lib/x86_64-linux-gnu``), ``/lib`` and
  friends as the symlinks of a merged ``/usr`` (or their multiarch part when they are real
  directories), ``/etc/alternatives`` and ``/etc/ld.so.cache``.

Nothing else exists inside: no ``/etc/shadow``, no home, no ``/work``, no checkout, no other
Python's standard library (``/usr/lib/python3*`` is not bound).
"""

from __future__ import annotations

import os
import sys
import sysconfig
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PREFIX = Path("/opt/python")
"""Where the interpreter lives inside the sandbox."""
HIDDEN_DIRS = ("site-packages", "dist-packages", "test", "idlelib", "ensurepip", "lib2to3")
"""Parts of the standard library directory a command never sees (third-party code, memgym,
test suites that carry copies of behaviour)."""


@dataclass(frozen=True)
class Runtime:
    """The interpreter's files on this machine (real paths) and their places inside."""

    binary: Path
    stdlib: Path
    libpython: Path | None
    soname: str
    multiarch: str

    @property
    def inside_binary(self) -> Path:
        return PREFIX / "bin" / self.binary.name

    @property
    def inside_stdlib(self) -> Path:
        return PREFIX / "lib" / self.stdlib.name

    def binds(self, hidden_modules: tuple[str, ...]) -> list[str]:
        """The ``bwrap`` arguments that build the sandbox's root (``hidden_modules``: module
        names whose source and bytecode read as empty)."""
        args = directories(PREFIX / "bin", PREFIX / "lib")
        args += ["--ro-bind", str(self.binary), str(self.inside_binary)]
        for alias in ("python", "python3"):
            if alias != self.binary.name:
                args += ["--symlink", self.binary.name, str(PREFIX / "bin" / alias)]
        if self.libpython is not None:
            args += ["--ro-bind", str(self.libpython), str(PREFIX / "lib" / self.soname)]
        args += ["--ro-bind", str(self.stdlib), str(self.inside_stdlib)]
        for name in HIDDEN_DIRS:
            if (self.stdlib / name).is_dir():
                args += ["--perms", "0755", "--tmpfs", str(self.inside_stdlib / name)]
        for path in hidden_files(self.stdlib, hidden_modules):
            args += ["--ro-bind", "/dev/null", str(self.inside_stdlib / path)]
        return args + system_binds(self.multiarch)


def hidden_files(stdlib: Path, modules: tuple[str, ...]) -> list[Path]:
    """The files of ``modules`` under ``stdlib`` (relative): source and cached bytecode."""
    found: list[Path] = []
    for name in modules:
        if (stdlib / f"{name}.py").is_file():
            found.append(Path(f"{name}.py"))
        found += [p.relative_to(stdlib) for p in (stdlib / "__pycache__").glob(f"{name}.*.pyc")]
    return found


def directories(*paths: Path) -> list[str]:
    """``bwrap`` arguments making ``paths`` and their parents as world-readable directories
    (``bwrap`` makes the parents of a mount point mode 700 otherwise)."""
    made: list[Path] = []
    for path in paths:
        for part in [*reversed(path.parents[:-1]), path]:
            if part not in made:
                made.append(part)
    return [a for p in made for a in ("--perms", "0755", "--dir", str(p))]


def system_binds(multiarch: str) -> list[str]:
    """``/usr/bin``, the multiarch libraries and the loader's links; no other part of ``/``."""
    args = directories(Path("/usr/lib"), Path("/etc"))
    args += ["--ro-bind", "/usr/bin", "/usr/bin"]
    for lib in (f"/usr/lib/{multiarch}", "/usr/lib64", "/usr/lib/locale"):
        if Path(lib).is_dir():
            args += ["--ro-bind", lib, lib]
    for top in ("/bin", "/lib", "/lib64", "/sbin"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif top == "/lib" and (path / multiarch).is_dir():
            args += ["--ro-bind", f"/lib/{multiarch}", f"/lib/{multiarch}"]
        elif top in ("/bin", "/lib64") and path.is_dir():
            args += ["--ro-bind", top, top]
    for etc in ("/etc/alternatives", "/etc/ld.so.cache"):
        if Path(etc).exists():
            args += ["--ro-bind", etc, etc]
    return args


@cache
def runtime() -> Runtime:
    """This interpreter's runtime, every path absolute and real (a relative or symlinked
    ``sys.executable`` resolves to the binary it names)."""
    binary = Path(os.path.realpath(getattr(sys, "_base_executable", "") or sys.executable))
    stdlib = Path(os.path.realpath(sysconfig.get_paths()["stdlib"]))
    libpython = None
    soname = str(sysconfig.get_config_var("INSTSONAME") or "")
    if sysconfig.get_config_var("Py_ENABLE_SHARED") and soname:
        candidate = Path(str(sysconfig.get_config_var("LIBDIR") or "")) / soname
        libpython = Path(os.path.realpath(candidate)) if candidate.exists() else None
    multiarch = str(sysconfig.get_config_var("MULTIARCH") or f"{os.uname().machine}-linux-gnu")
    return Runtime(binary, stdlib, libpython, soname, multiarch)


def interpreter() -> str:
    """The interpreter's absolute real path on this machine (for trusted, unsandboxed runs)."""
    return str(runtime().binary)
