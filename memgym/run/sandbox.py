"""How the worker process is started: in a bubblewrap sandbox that binds only what it needs, or
as a plain child process where bubblewrap is missing (never for a salted run).

The sandbox (``bwrap``) never binds ``/``. It builds a root of its own from:

- the interpreter and its standard library at ``/opt/python`` (``memgym.tracks.swe.runtime``:
  the same minimal system a swe command sees: ``/usr/bin`` and the system libraries), read-only;
- the evaluator's site-packages folders at ``/opt/site/N``, memgym's package at
  ``/opt/memgym/memgym`` and each plugin's file or top-level package at ``/opt/plugins``, all
  read-only;
- a private, empty scratch folder (a tmpfs at ``/scratch``: the working folder, ``HOME`` and
  ``TMPDIR``; ``/tmp`` is another), and the folder of the worker's socket (``/run/memgym``).
  Each episode child mounts fresh empty ones over them (and hides the socket's folder) before
  plugin code runs, so no episode finds what another left (``memgym.run.episode_scratch``),
  and serves as PID 1 of PID, IPC and (without an LLM endpoint) network namespaces of its own,
  so no process or IPC object it makes outlives it (``memgym.run.episode_namespaces``).

Nothing else of the machine is there: no results file, call cache, salt file, home, checkout or
other run. It has process, IPC and UTS namespaces of its own (the evaluator's process is not under
its ``/proc``) and no network (``--unshare-net``) unless a component needs an LLM endpoint. It runs
as an unprivileged user: as root, a user id of its own (``2,000,000`` and up) that the sandbox
drops to before the worker starts (no capability survives); otherwise the user's own id in a user
namespace. Its environment is empty but for the runtime's own variables, the variables named by
``--pass-env`` (``MEMGYM_PASS_ENV``) and the API key variables of the LLM components of the run.

Without ``bwrap`` (or with ``MEMGYM_SANDBOX=off``) the worker is a plain child process with the
same environment and a scratch working folder; code in it runs as the evaluator's user and could
read the evaluator's files and memory (``/proc``), so a salted run refuses it (one line).
Results record which one ran (``EpisodeResult.boundary``).
"""

from __future__ import annotations

import os
import shutil
import sys
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from memgym.run.episode_namespaces import SCOPED_ABI, landlock_abi
from memgym.run.plugins import Plugin
from memgym.salt import SALT_VARIABLES, salt_digest
from memgym.specs import IN_PROCESS, THIRD_PARTY, parse_spec

SANDBOX = "sandbox"
PROCESS = "process"
BOUNDARIES = (IN_PROCESS, THIRD_PARTY, PROCESS, SANDBOX)
"""What ran the evaluated code: in the evaluator's process (memgym's own code, or code from
outside memgym registered there: never ranked beside the others), a plain worker process, or a
worker process in a bubblewrap sandbox."""

SANDBOX_ENV = "MEMGYM_SANDBOX"
"""``off`` runs the worker as a plain process even when bubblewrap is installed."""
PASS_ENV = "MEMGYM_PASS_ENV"
"""Comma-separated names of variables the worker receives (``--pass-env`` sets it)."""
DEFAULT_KEY_ENV = "OPENAI_API_KEY"
UID_BASE = 2_000_000
"""As root the worker runs as ``UID_BASE`` plus up to a million: an id no account here uses."""

OPT = Path("/opt")
MEMGYM_INSIDE = OPT / "memgym"
PLUGINS_INSIDE = OPT / "plugins"
SITE_INSIDE = OPT / "site"
SCRATCH = Path("/scratch")
SOCKET_INSIDE = Path("/run/memgym")
NETWORK_FILES = ("/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/gai.conf",
                 "/etc/ssl", "/etc/ca-certificates")  # fmt: skip
"""What name resolution and TLS read: bound only when the network is shared."""
BOOT = (
    "import runpy,site,sys\n"
    "dirs,*rest=sys.argv[1:]\n"
    "[site.addsitedir(d) for d in dirs.split(':') if d]\n"
    "sys.argv=['memgym.run.worker',*rest]\n"
    "runpy.run_module('memgym.run.worker',run_name='__main__',alter_sys=True)"
)
"""The sandboxed interpreter's start (``-S``): the site folders added after the standard
library, their ``.pth`` files read, then the worker."""


@cache
def _bwrap() -> str | None:
    if os.environ.get(SANDBOX_ENV, "").lower() == "off":
        return None
    return shutil.which("bwrap")


def sandboxed() -> bool:
    """Whether a worker started now runs in the sandbox."""
    return _bwrap() is not None


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker is started with: the plugins it imports, the variables it receives and
    whether it may reach the network."""

    plugins: tuple[Plugin, ...] = ()
    env_names: tuple[str, ...] = ()
    network: bool = False
    cache: str = ""
    """A call cache file a component names (``cache=FILE``), which the sandbox cannot show."""


@dataclass
class Launch:
    """How to start one worker: its command, environment, working folder and boundary."""

    argv: list[str]
    env: dict[str, str]
    cwd: str
    boundary: str
    uid: int | None = None
    """The user id the sandbox drops to (as root), which must own the socket's folder."""
    scratch: str | None = field(default=None)
    """A host folder made for a plain worker's working folder (removed with the worker)."""


def endpoint_needs(specs: Iterable[str]) -> tuple[bool, tuple[str, ...]]:
    """Whether ``specs`` need the network (the ``llm`` reasoner, or any spec with a ``model`` or
    ``base_url`` option) and the API key variables they read."""
    network, keys = False, []
    for spec in specs:
        name, options = parse_spec(spec)
        if name == "llm" or "model" in options or "base_url" in options:
            network = True
            keys.append(str(options.get("api_key_env") or DEFAULT_KEY_ENV))
    return network, tuple(dict.fromkeys(keys))


def passed_names() -> tuple[str, ...]:
    """The variables ``--pass-env`` names (``MEMGYM_PASS_ENV``); the salt's never."""
    names = [n.strip() for n in os.environ.get(PASS_ENV, "").split(",") if n.strip()]
    for name in names:
        if name in SALT_VARIABLES:
            raise ValueError(f"--pass-env {name}: the salt never reaches evaluated code")
    return tuple(dict.fromkeys(names))


def worker_spec(
    plugins: tuple[Plugin, ...], specs: Iterable[str], passed: tuple[str, ...] = ()
) -> WorkerSpec:
    """The worker ``plugins`` and the components ``specs`` need, passing ``passed`` too."""
    specs = list(specs)
    network, keys = endpoint_needs(specs)
    names = tuple(n for n in dict.fromkeys((*passed, *keys)) if n not in SALT_VARIABLES)
    caches = [str(parse_spec(s)[1].get("cache") or "") for s in specs]
    return WorkerSpec(plugins, names, network, next((c for c in caches if c), ""))


def worker_args(spec: WorkerSpec) -> list[str]:
    """The worker's arguments after its socket: ``--preload`` when a component may call an LLM
    endpoint (``memgym.run.preload``: a second of CPU no other worker needs), then the
    plugin modules."""
    return [*(["--preload"] if spec.network else []), *(p.module for p in spec.plugins)]


def memgym_root() -> Path:
    """The folder memgym is imported from (its package is a folder in it)."""
    return Path(__file__).resolve().parents[2]


def site_dirs() -> list[Path]:
    """This interpreter's site-packages folders (real paths, in path order, each once)."""
    found: list[Path] = []
    for entry in sys.path:
        path = Path(os.path.realpath(entry or "."))
        if path.name in ("site-packages", "dist-packages") and path.is_dir() and path not in found:
            found.append(path)
    return found


def base_env(spec: WorkerSpec, home: str) -> dict[str, str]:
    """The worker's environment: the runtime's variables and the named ones that are set."""
    env = {"HOME": home, "TMPDIR": home, "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin",
           "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
    for name in spec.env_names:
        value = os.environ.get(name)
        if value is not None:
            env[name] = value
    return env


def launch(spec: WorkerSpec, socket_folder: str) -> Launch:
    """How to start a worker for ``spec`` listening in ``socket_folder`` (its socket is
    ``worker.sock`` there): in the sandbox, or as a plain process (a ``ValueError`` for a salted
    run, which needs the sandbox)."""
    exe = _bwrap()
    if exe is None:
        return plain_launch(spec, socket_folder)
    if spec.cache:
        raise ValueError(
            f"cache={spec.cache}: a call cache cannot be used behind the sandbox (the worker "
            "sees no file of the host); run without --cache"
        )
    return sandbox_launch(exe, spec, socket_folder)


def plain_launch(spec: WorkerSpec, socket_folder: str) -> Launch:
    """A plain worker process (``PROCESS``), refused for a salted run."""
    if salt_digest():
        reason = (
            f"{SANDBOX_ENV}=off"
            if os.environ.get(SANDBOX_ENV, "").lower() == "off"
            else "bubblewrap is missing (apt-get install bubblewrap)"
        )
        raise ValueError(
            f"a salted run needs the worker's sandbox and {reason}: a plain worker process "
            "could read the salt from the evaluator"
        )
    import tempfile

    scratch = tempfile.mkdtemp(prefix="memgym-scratch-")
    roots = [str(memgym_root()), *(str(p.root) for p in spec.plugins)]
    env = base_env(spec, scratch)
    env["PATH"] = os.environ.get("PATH", env["PATH"])
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(roots))
    argv = [sys.executable, "-m", "memgym.run.worker", os.path.join(socket_folder, "worker.sock"),
            *worker_args(spec)]  # fmt: skip
    return Launch(argv, env, scratch, PROCESS, scratch=scratch)


def sandbox_launch(exe: str, spec: WorkerSpec, socket_folder: str) -> Launch:
    """The worker in a bubblewrap sandbox (``SANDBOX``): see the module's docstring."""
    from memgym.tracks.swe.runtime import PREFIX, directories, runtime
    from memgym.tracks.swe.sandbox import DROP

    rt = runtime()
    argv = [exe, *rt.binds(()), "--dev", "/dev", "--proc", "/proc"]
    argv += directories(MEMGYM_INSIDE, PLUGINS_INSIDE, SITE_INSIDE, SOCKET_INSIDE)
    sites = site_dirs()
    for i, path in enumerate(sites):
        argv += ["--ro-bind", str(path), str(SITE_INSIDE / str(i))]
    argv += ["--ro-bind", str(memgym_root() / "memgym"), str(MEMGYM_INSIDE / "memgym")]
    for top in dict.fromkeys(p.top for p in spec.plugins):  # two modules of one package: once
        if not _visible(top, sites):
            argv += ["--ro-bind", str(top), str(PLUGINS_INSIDE / top.name)]
    argv += ["--perms", "0777", "--tmpfs", str(SCRATCH), "--perms", "1777", "--tmpfs", "/tmp"]
    argv += ["--bind", socket_folder, str(SOCKET_INSIDE)]
    if spec.network:
        for name in NETWORK_FILES:
            if Path(name).exists():
                argv += ["--ro-bind", name, name]
    argv += ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    argv += [] if spec.network else ["--unshare-net"]
    if spec.network:
        note_unscoped()
    python = str(rt.inside_binary)
    dirs = ":".join(str(SITE_INSIDE / str(i)) for i in range(len(sites)))
    command = [
        python,
        "-S",
        "-c",
        BOOT,
        dirs,
        str(SOCKET_INSIDE / "worker.sock"),
        "--fresh",  # each episode child: an empty scratch and tmp of its own
        *worker_args(spec),
    ]
    uid = None
    if os.geteuid() == 0:  # no user namespace (it would map root to root): drop to a user inside
        uid = UID_BASE + zlib.crc32(os.path.basename(socket_folder).encode()) % 1_000_000
        argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        command = [python, "-I", "-S", "-c", DROP, str(uid), *command]
    else:
        argv += ["--unshare-user", "--cap-drop", "ALL"]
    env = base_env(spec, str(SCRATCH))
    env["PYTHONPATH"] = f"{MEMGYM_INSIDE}:{PLUGINS_INSIDE}"
    env["LD_LIBRARY_PATH"] = str(PREFIX / "lib")  # this libpython, not the system's
    argv += ["--die-with-parent", "--new-session", "--as-pid-1", "--chdir", str(SCRATCH)]
    # the environment is bwrap's own (nothing else of the evaluator's), never its arguments,
    # which any process may read
    return Launch(argv + command, env, "/", SANDBOX, uid=uid)


UNSCOPED = (
    "memgym: this kernel has no Landlock scopes (Linux 6.12 or later has them): sandboxed "
    "episodes that share the network for an LLM endpoint also share abstract Unix sockets with "
    "their live siblings (docs/trust.md)"
)


@cache
def note_unscoped() -> bool:
    """Say once on stderr (``UNSCOPED``) when this kernel cannot scope an episode child's
    abstract Unix sockets, as a network-sharing child needs; whether it said so."""
    if landlock_abi() >= SCOPED_ABI:
        return False
    print(UNSCOPED, file=sys.stderr, flush=True)
    return True


def _visible(path: Path, sites: list[Path]) -> bool:
    """Whether ``path`` is already inside the sandbox (in site-packages or memgym's package)."""
    return any(path.is_relative_to(p) for p in (*sites, memgym_root() / "memgym"))
