"""sha256 of entities scenarios over every template, tier and a few parameter variants.

    python bench/entities_hashes.py [--seeds 20] [--base REV]

Prints one line per (variant, tier, template): a sha256 over ``model_dump_json()`` of seeds
0..N-1 (88 lines). With ``--base`` it runs itself under this tree and under a worktree of
``REV`` and prints the lines that differ and whether all are identical: a change to the
entities generator that must keep scenarios byte-identical shows none.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from typing import Any

from base_checkout import REPO, base_checkout, run_in

TIERS = ("lite", "standard", "hard", "multi")
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "kv": {"doc_style": "kv"},
    "end": {"question_placement": "end"},
    "no-changes": {"corrections": 0, "updates": 0},
    "many-updates": {"corrections": 2, "updates": 12},
}


def hashes(seeds: int) -> list[str]:
    """One line per (variant, tier, template) of the tree memgym is imported from."""
    from memgym.tracks import get_track
    from memgym.tracks.entities.templates import TEMPLATE_NAMES

    track = get_track("entities")
    lines = []
    for variant, overrides in VARIANTS.items():
        for tier in TIERS if variant == "default" else ("standard",):
            for template in (None, *TEMPLATE_NAMES):
                digest = hashlib.sha256()
                for seed in range(seeds):
                    scenario = track.generate(seed, tier, template=template, **overrides)
                    digest.update(scenario.model_dump_json().encode())
                lines.append(f"{variant} {tier} {template or 'drawn'} {digest.hexdigest()[:16]}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--base", help="compare with a worktree of this commit")
    args = parser.parse_args()
    if args.base is None:
        print("\n".join(hashes(args.seeds)))
        return
    command = [str(REPO / "bench" / "entities_hashes.py"), "--seeds", str(args.seeds)]
    this = run_in(REPO, command)[0].splitlines()
    base = run_in(base_checkout(args.base), command)[0].splitlines()
    for ours, theirs in zip(this, base):
        if ours != theirs:
            print(f"differs: {ours} (base: {theirs.rsplit(' ', 1)[-1]})")
    same = this == base and len(this) > 0
    print(f"{len(this)} lines, identical to {args.base}: {same}")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
