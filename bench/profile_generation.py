"""Where one track's scenario generation spends its CPU time, part by part (codeqa, dialogue).

    python bench/profile_generation.py --track dialogue [--tier standard] [--seeds 40]

Wraps the generator's parts (the functions ``generate`` calls) with CPU timers
(``time.process_time``), generates seeds 0..N-1 in this process, and prints a markdown table:
each part's CPU ms per scenario and its share of the total (this tree's code, whatever memgym
is installed). "assemble: the rest" is what
``assemble`` spends outside the parts listed under it. No profiler runs, so the figures are
the real per-part costs, not a profiler's inflated ones.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this tree's memgym

PARTS: dict[str, list[tuple[str, str, str]]] = {
    "dialogue": [
        ("assemble", "filler.plan_count", "filler plan (each exchange seeded and sized)"),
        ("assemble", "Scenario.model_validate", "pydantic: the Scenario from dicts"),
        ("track", "build_world", "world"),
        ("track", "decoys", "catalogues"),
        ("track", "build_catalogue", "catalogues"),
        ("track", "colleague_catalogue", "catalogues"),
        ("track", "dialogue", "dialogue turns rendered"),
        ("track", "reader.read", "reading the turns (typical values)"),
        ("track", "typical_values", "questions drawn"),
        ("track", "select_question", "questions drawn"),
        ("track", "profile_questions", "questions drawn"),
        ("track", "ending", "searches rendered and sized"),
        ("track", "assemble", "assemble"),
    ],
    "codeqa": [
        ("assemble", "mean_filler_tokens", "filler sample (96 texts seeded and sized)"),
        ("assemble", "Scenario.model_validate", "pydantic: the Scenario from dicts"),
        ("track", "build_world", "world"),
        ("track", "order", "code rendered, chunked and sized; notes"),
        ("track", "draw_questions", "questions drawn (tables, golds, guards)"),
        ("track", "assemble", "assemble"),
    ],
}
INSIDE_ASSEMBLE = {"assemble"}
"""Parts patched in the assemble module run inside ``assemble``."""


def _timed(spent: Counter[str], label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - start

    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--track", choices=sorted(PARTS), required=True)
    parser.add_argument("--tier", default="standard")
    parser.add_argument("--seeds", type=int, default=40)
    args = parser.parse_args()
    modules = {
        where: importlib.import_module(f"memgym.tracks.{args.track}.{where}")
        for where in ("track", "assemble")
    }
    spent: Counter[str] = Counter()
    inside: set[str] = set()
    for where, dotted, label in PARTS[args.track]:
        *path, name = dotted.split(".")
        owner: Any = modules[where]
        for attribute in path:
            owner = getattr(owner, attribute)
        setattr(owner, name, _timed(spent, label, getattr(owner, name)))
        if where in INSIDE_ASSEMBLE:
            inside.add(label)
    from memgym.tracks import get_track

    track = get_track(args.track)
    start = time.process_time()
    for seed in range(args.seeds):
        track.generate(seed, args.tier)
    total = time.process_time() - start
    spent["assemble: the rest (steps, fact records, golds)"] = spent.pop("assemble") - sum(
        spent[label] for label in inside
    )
    print(f"{args.track} {args.tier}: CPU per scenario, seeds 0-{args.seeds - 1}")
    print("| part | CPU ms | share |\n|---|---:|---:|")
    for label, seconds in spent.most_common():
        print(f"| {label} | {1000 * seconds / args.seeds:.2f} | {100 * seconds / total:.0f} % |")
    print(f"| total (`generate`) | {1000 * total / args.seeds:.2f} | |")


if __name__ == "__main__":
    main()
