"""Where the tau2 audit's CPU goes, part by part (run in the venv with ``.[tau2]``).

    python bench/profile_tau2.py [--domain mock] [--rounds 5]

Runs the audit of one domain once (imports, per-process caches), then ``--rounds`` more with
timers around the harness's parts, and prints each part's CPU per audit and its share of the
audit (``time.process_time``; the parts nest: the evaluator runs inside ``session.reply``, the
snapshot inside the stateless check):

- the stateless check (``changed_by``: a snapshot of the agent's classes and modules after every
  turn, compared with the one taken at the session's start, ``outside_state``);
- τ²-bench's evaluator (``session.evaluate``), the task's world (``_world``: an environment
  copied and set to the task's initial state), the tool calls (``session.call``);
- the history memory (``HistoryMemory.compact``: the strategy's view before every turn);
- the customer's turns (``session.reply``, the evaluator and the next call's opening inside).
"""

from __future__ import annotations

import argparse
import collections
import os
import time
from typing import Any

from cpu_timers import time_calls

PARTS = (
    ("memgym.interactive.loop", "changed_by", "the stateless check, after every turn"),
    ("memgym.interactive.loop", "outside_state", "the stateless check's first snapshot"),
    ("memgym.interactive.stateless", "snapshot", "  of which snapshots (both)"),
    ("memgym.tracks.tau2.session", "evaluate", "τ²-bench's evaluator"),
    ("memgym.memory.history.history_memory.HistoryMemory", "compact", "the history memory"),
    ("memgym.tracks.tau2.session.Tau2Session", "reply", "session.reply (evaluator inside)"),
    ("memgym.tracks.tau2.session.Tau2Session", "_world", "the task's world"),
    ("memgym.tracks.tau2.session.Tau2Session", "call", "tool calls"),
    ("memgym.tracks.tau2.session.Tau2Session", "start", "session start"),
)


def _owner(path: str) -> Any:
    """The module or class named by a dotted ``path``."""
    import importlib

    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            owner: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            owner = getattr(owner, name)
        return owner
    raise ImportError(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", default="mock")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    from memgym.tracks.tau2 import loader

    loader.require()
    from memgym.interactive.audit import audit_interactive
    from memgym.tracks.tau2.track import Tau2Track

    def audit() -> None:
        audit_interactive(Tau2Track(), None, range(1), {"domain": args.domain})

    audit()
    spent: collections.Counter[str] = collections.Counter()
    for path, name, label in PARTS:
        time_calls(_owner(path), name, label, spent)
    start = time.process_time()
    for _ in range(args.rounds):
        audit()
    total = (time.process_time() - start) / args.rounds
    print(f"{args.domain}: the audit {total * 1000:.1f} ms CPU (mean of {args.rounds} rounds)")
    for _, _, label in PARTS:
        share = spent[label] / args.rounds
        print(f"  {label}: {share * 1000:.2f} ms, {share / total:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
