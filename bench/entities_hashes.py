"""sha256 of entities scenarios over every template, tier and a few parameter variants.

    python bench/entities_hashes.py [--seeds 20]

Prints one line per (variant, tier, template): a sha256 over ``model_dump_json()`` of seeds
0..N-1. Run it under two trees (``PYTHONPATH=TREE``) and diff the outputs: a change to the
entities generator that must keep scenarios byte-identical shows no difference.
"""

from __future__ import annotations

import argparse
import hashlib
from typing import Any

from memgym.tracks import get_track
from memgym.tracks.entities.templates import TEMPLATE_NAMES

TIERS = ("lite", "standard", "hard", "multi")
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "kv": {"doc_style": "kv"},
    "end": {"question_placement": "end"},
    "no-changes": {"corrections": 0, "updates": 0},
    "many-updates": {"corrections": 2, "updates": 12},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    track = get_track("entities")
    for variant, overrides in VARIANTS.items():
        tiers = TIERS if variant == "default" else ("standard",)
        for tier in tiers:
            for template in (None, *TEMPLATE_NAMES):
                digest = hashlib.sha256()
                for seed in range(args.seeds):
                    scenario = track.generate(seed, tier, template=template, **overrides)
                    digest.update(scenario.model_dump_json().encode())
                print(variant, tier, template or "drawn", digest.hexdigest()[:16])


if __name__ == "__main__":
    main()
