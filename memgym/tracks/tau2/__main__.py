"""``python -m memgym.tracks.tau2``: each domain's memory-sensitive tasks (``recall``), counted,
with why the others are not."""

from __future__ import annotations

from memgym.tracks.tau2 import loader
from memgym.tracks.tau2.recall import memory_tasks, profiles


def main() -> int:
    """Print, per domain, how many tasks are memory-sensitive and why the others are not."""
    import sys
    from collections import Counter

    try:
        loader.require()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for domain in loader.DOMAINS:
        found = profiles(domain)
        why = Counter(p.reason for p in found.values() if not p.sensitive)
        reasons = "; ".join(f"{r} {n}" for r, n in why.most_common())
        print(
            f"{domain:8} {len(memory_tasks(domain)):3} of {len(found):3} memory-sensitive ({reasons})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
