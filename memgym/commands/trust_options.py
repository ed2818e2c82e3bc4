"""The trust flags of ``run`` and ``compare`` (``--plugin``, ``--isolate``) and what a run
records of them; see docs/trust.md."""

from __future__ import annotations

import argparse
from typing import Any


def add_trust_args(p: argparse.ArgumentParser) -> None:
    """``--plugin`` and ``--isolate``: what runs behind the trust boundary (docs/trust.md)."""
    p.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE in the worker process only (its registered memories and reasoners "
        "then run behind the trust boundary); repeatable",
    )
    p.add_argument(
        "--isolate",
        action="store_true",
        help="run memgym's own memories and reasoners behind the trust boundary too (the "
        "oracle reference stays in the evaluator)",
    )


def trust_config(args: argparse.Namespace) -> dict[str, Any]:
    """What a run records of its trust settings: the plugins, ``isolate`` and the salt's digest
    (so ``--resume`` never mixes seeds drawn under another salt); nothing when all are unset."""
    from memgym.salt import salt_digest

    found = {"plugins": args.plugin, "isolate": args.isolate, "salt": salt_digest()}
    return {k: v for k, v in found.items() if v}
