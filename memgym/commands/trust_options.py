"""The trust flags of ``run`` and ``compare`` (``--plugin``, ``--isolate``, ``--pass-env``) and
what a run records of them; see docs/trust.md."""

from __future__ import annotations

import argparse
import os
from typing import Any


def add_trust_args(p: argparse.ArgumentParser) -> None:
    """``--plugin``, ``--isolate`` and ``--pass-env``: what runs behind the trust boundary and
    what it receives (docs/trust.md)."""
    p.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE|FILE",
        help="import MODULE (a module name, found in the current folder too, or a path to a .py "
        "file or package folder) in the worker process only (its registered memories and "
        "reasoners then run behind the trust boundary); repeatable",
    )
    p.add_argument(
        "--isolate",
        action="store_true",
        help="run memgym's own memories and reasoners behind the trust boundary too (the "
        "oracle reference stays in the evaluator)",
    )
    p.add_argument(
        "--pass-env",
        action="append",
        default=[],
        metavar="VAR",
        help="pass the variable VAR to the worker (it receives no other but an LLM "
        "component's API key variable); repeatable",
    )


def apply_trust_args(args: argparse.Namespace) -> None:
    """Locate every ``--plugin`` (a file path made absolute, so every process of the run finds
    it; a one-line ``ValueError`` for one that is not there) and hand ``--pass-env`` to the
    workers this process and its children start (``MEMGYM_PASS_ENV``)."""
    from memgym.run.plugins import canonical, locate_all
    from memgym.run.sandbox import PASS_ENV, passed_names

    args.plugin = [canonical(p) for p in args.plugin]
    locate_all(args.plugin)
    names = [n for v in getattr(args, "pass_env", []) for n in v.split(",") if n.strip()]
    for name in names:
        if not name.replace("_", "").isalnum():
            raise ValueError(f"--pass-env {name}: not a variable name")
    if names:
        os.environ[PASS_ENV] = ",".join(dict.fromkeys([*passed_names(), *names]))
        passed_names()  # the salt's variables are refused here, before any run


def trust_config(args: argparse.Namespace) -> dict[str, Any]:
    """What a run records of its trust settings: the plugins, ``isolate``, the variables passed
    and the salt's digest (so ``--resume`` never mixes seeds drawn under another salt); nothing
    when all are unset."""
    from memgym.salt import salt_digest

    found = {"plugins": args.plugin, "isolate": args.isolate,
             "pass_env": getattr(args, "pass_env", []), "salt": salt_digest()}  # fmt: skip
    return {k: v for k, v in found.items() if v}
