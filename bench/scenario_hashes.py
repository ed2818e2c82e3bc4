"""Scenarios and streams byte-identical to a base commit's, over many seeds, tiers and lengths.

    python bench/scenario_hashes.py [--base REV] [--tracks dialogue,research] [--seeds 50]

Under this tree and a worktree of ``--base`` (one child process each), hashes (sha256) every
scenario's ``model_dump_json()`` for seeds 0..N-1 of each tier and each extra configuration
below (other lengths, document styles, placements), and every streamed event's text and kind
for the first ``--streams`` seeds of each tier (filler included); prints one row per
configuration and whether both trees gave the same hash. Exit status 1 when any row differs.
"""

from __future__ import annotations

import argparse
import json
import sys

from base_checkout import REPO, base_checkout, run_in

BASE = "8eee880"
"""Main before round 4's generation work (issue #24)."""
EXTRA: dict[str, list[dict[str, object]]] = {
    "dialogue": [
        {"target_tokens": 10_000},
        {"target_tokens": 100_000, "tier": "standard"},
        {"target_tokens": 300_000},
        {"target_tokens": 1_000_000, "tier": "hard"},
    ],
    "research": [
        {"target_tokens": 100_000, "tier": "standard"},
        {"target_tokens": 1_000_000, "tier": "hard"},
        {"doc_style": "kv", "tier": "standard"},
        {"doc_style": "narrative", "tier": "hard"},
        {"question_placement": "end", "tier": "standard"},
    ],
    "codeqa": [
        {"target_tokens": 100_000, "tier": "standard"},
        {"question_placement": "end", "tier": "standard"},
        {"subseed": 3, "tier": "hard"},
    ],
}
CHILD = """
import hashlib, json
from memgym.tracks import get_track
track = get_track({track!r})
out = {{}}
for config in {configs!r}:
    config = dict(config)
    tier = config.pop("tier", None)
    digest = hashlib.sha256()
    for seed in range({seeds}):
        digest.update(track.generate(seed, tier, **config).model_dump_json().encode())
    out[json.dumps({{"tier": tier, **config}}, sort_keys=True)] = digest.hexdigest()
for tier in {tiers!r}:
    digest = hashlib.sha256()
    for seed in range({streams}):
        for event in track.stream(track.generate(seed, tier)):
            digest.update(f"{{event.step}}|{{event.kind}}|{{event.text}}".encode())
    out["stream " + tier] = digest.hexdigest()
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE, help=f"the commit to compare with ({BASE})")
    parser.add_argument("--tracks", default="dialogue,research")
    parser.add_argument("--tiers", default="lite,standard,hard")
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--streams", type=int, default=5, help="seeds whose streams are hashed")
    args = parser.parse_args()
    trees = {"base": base_checkout(args.base), "this": REPO}
    tiers = args.tiers.split(",")
    same = True
    print(f"{'track':<10} {'configuration':<58} identical")
    for track in args.tracks.split(","):
        configs = [{"tier": tier} for tier in tiers] + EXTRA.get(track, [])
        code = CHILD.format(
            track=track, configs=configs, seeds=args.seeds, tiers=tiers, streams=args.streams
        )
        hashes = {name: json.loads(run_in(tree, ["-c", code])[0]) for name, tree in trees.items()}
        for key, digest in hashes["this"].items():
            equal = hashes["base"].get(key) == digest
            same &= equal
            print(f"{track:<10} {key:<58} {equal} ({digest[:12]})")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
