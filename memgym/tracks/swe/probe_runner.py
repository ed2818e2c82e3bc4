"""Evaluate probe expressions against copies of one module: a standalone script (standard library
only), run as ``python -I -S probe_runner.py`` with a JSON request on stdin.

Request: ``{"module": NAME, "setup": CODE, "probes": [EXPR, ...], "trees": [FILE, ...],
"cpu": SECONDS}``. For each module file in ``trees`` (loaded fresh under a private name) every
probe is evaluated with ``m`` bound to the module and the setup's names; its result is its
``repr`` (memory addresses blanked), or ``!`` and the exception's name, or ``!Timeout`` after
``cpu`` seconds of CPU time (and, unless the request says ``"cascade": false``, for every later
probe of that tree: hung code is not rerun). Output: one JSON line ``{"results": [[RESULT, ...], ...]}``
written to the original stdout (the code under test writes to stderr).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import types
from typing import Any

ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


class ProbeTimeout(BaseException):
    """Raised by the CPU timer inside a probe."""


def _alarm(signum: int, frame: Any) -> None:
    raise ProbeTimeout


def _load(path: str, index: int) -> Any:
    """The module at ``path``, compiled from its source (never from a cached ``.pyc``: an edit
    within the same second that keeps the size would not be seen)."""
    module = types.ModuleType(f"_probed_{index}")
    module.__file__ = path
    sys.modules[module.__name__] = module
    with open(path, encoding="utf-8") as f:
        code = compile(f.read(), path, "exec")
    exec(code, module.__dict__)  # noqa: S102 - running the code under test is the point
    return module


def _guarded(thunk: Any, cpu: float) -> str:
    signal.setitimer(signal.ITIMER_PROF, cpu)
    try:
        return ADDRESS.sub(" at 0x?", repr(thunk()))
    except ProbeTimeout:
        return "!Timeout"
    except RecursionError:
        return "!RecursionError"
    except BaseException as exc:  # noqa: BLE001 - every failure of code under test is a result
        return "!" + type(exc).__name__
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def evaluate(request: dict[str, Any]) -> list[list[str]]:
    """Every probe's result on every tree."""
    cpu = float(request.get("cpu", 1.0))
    cascade = bool(request.get("cascade", True))
    results: list[list[str]] = []
    for index, path in enumerate(request["trees"]):
        namespace: dict[str, Any] = {}
        loaded = _guarded(lambda: namespace.setdefault("m", _load(path, index)), cpu * 5)  # noqa: B023
        if loaded.startswith("!"):
            results.append([f"!Import{loaded[1:]}"] * len(request["probes"]))
            continue
        setup = _guarded(lambda: exec(request["setup"], namespace), cpu)  # noqa: B023, S102
        if setup.startswith("!"):
            results.append([f"!Setup{setup[1:]}"] * len(request["probes"]))
            continue
        row: list[str] = []
        for probe in request["probes"]:
            if cascade and row and row[-1] == "!Timeout":  # code that hangs once is not rerun
                row.append("!Timeout")
                continue
            row.append(_guarded(lambda: eval(probe, namespace), cpu))  # noqa: B023
        results.append(row)
    return results


def main() -> None:
    sys.dont_write_bytecode = True
    request = json.loads(sys.stdin.read())
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    signal.signal(signal.SIGPROF, _alarm)
    sys.setrecursionlimit(2000)
    out.write(json.dumps({"results": evaluate(request)}) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
