"""Where one track's scenario generation spends its CPU time, part by part (codeqa, dialogue,
entities, research).

    python bench/profile_generation.py --track dialogue [--tier standard] [--seeds 40]

Wraps the generator's parts (the functions ``generate`` calls) with CPU timers
(``time.process_time``), generates seeds 0..N-1 in this process, and prints a markdown table:
each part's CPU ms per scenario and its share of the total (this tree's code, whatever memgym
is installed). A part patched in a module listed in ``NESTED`` runs inside another part, and
"<part>: the rest" is what that part spends outside the ones listed under it. No profiler
runs, so the figures are the real per-part costs, not a profiler's inflated ones (each timer
adds about a microsecond per call).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this tree's memgym

from cpu_timers import time_calls

PARTS: dict[str, list[tuple[str, str, str]]] = {
    "dialogue": [
        ("assemble", "filler.plan_count", "filler plan (each exchange seeded and sized)"),
        ("lookups", "lookups", "other customers' profiles (lookups)"),
        ("assemble", "_question", "gold answers evaluated"),
        ("track", "build_world", "world"),
        ("track", "decoys", "catalogues"),
        ("track", "build_catalogue", "catalogues"),
        ("track", "colleague_catalogue", "catalogues"),
        ("track", "dialogue", "dialogue turns rendered (lookups aside)"),
        ("track", "typical_values", "questions drawn (typical and blind values, guards)"),
        ("track", "blind_answers", "questions drawn (typical and blind values, guards)"),
        ("track", "select_question", "questions drawn (typical and blind values, guards)"),
        ("track", "profile_questions", "questions drawn (typical and blind values, guards)"),
        ("track", "ending", "searches rendered and sized"),
        ("track", "assemble", "assemble"),
    ],
    "research": [
        ("track", "build_world", "world: tasks, chains, siblings, facts"),
        ("assemble", "_blocks", "pages laid out and rendered, questions released"),
        ("assemble", "guard", "entity-blind guard (look-alikes drawn, rendered, placed)"),
        ("assemble", "total_tokens", "core tokens counted"),
        ("assemble", "_merge", "look-alikes merged into the pages"),
        ("track", "assemble", "assemble"),
    ],
    "codeqa": [
        ("assemble", "mean_filler_tokens", "filler sample (96 texts seeded and sized)"),
        ("track", "build_world", "world"),
        ("track", "order", "code rendered, chunked and sized; notes"),
        ("track", "draw_questions", "questions drawn (tables, golds, guards)"),
        ("track", "assemble", "assemble"),
    ],
    "entities": [
        ("world", "build_facts", "world: Fact objects built (one batch)"),
        ("world", "_changes", "world: changes drawn"),
        ("world", "entity_names", "world: names drawn"),
        ("track", "build_world", "world"),
        ("track", "order", "timeline ordered"),
        ("questions", "Guard.guessable", "questions: closed-book guard"),
        ("questions", "Guard.too_recent", "questions: recency check"),
        ("questions", "evaluate", "questions: golds (`memgym.query.evaluate`)"),
        ("track", "draw_questions", "questions"),
        ("assemble", "render.document", "assemble: documents rendered"),
        ("assemble", "state", "assemble: facts stated (ids and steps)"),
        ("assemble", "memos.memo", "assemble: memos written"),
        ("track", "assemble", "assemble"),
    ],
}
NESTED: dict[str, dict[str, str]] = {
    "dialogue": {"assemble": "assemble", "lookups": "dialogue turns rendered (lookups aside)"},
    "research": {"assemble": "assemble"},
    "codeqa": {"assemble": "assemble"},
    "entities": {"world": "world", "questions": "questions", "assemble": "assemble"},
}
"""Per track: module -> the part its patched functions run inside (dialogue's lookups run
inside ``dialogue``, whose row is shown without them)."""
REST = {
    "assemble": "assemble: the rest (steps, fact records, events)",
    "dialogue turns rendered (lookups aside)": "dialogue turns rendered (lookups aside)",
}
"""What "<part>: the rest" is called where it says more than that."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--track", choices=sorted(PARTS), required=True)
    parser.add_argument("--tier", default="standard")
    parser.add_argument("--seeds", type=int, default=40)
    args = parser.parse_args()
    nested = NESTED[args.track]
    modules = {
        where: importlib.import_module(f"memgym.tracks.{args.track}.{where}")
        for where in {"track", "assemble", *nested, *(w for w, _, _ in PARTS[args.track])}
    }
    spent: Counter[str] = Counter()
    inside: dict[str, list[str]] = {}
    for where, dotted, label in PARTS[args.track]:
        *path, name = dotted.split(".")
        owner: Any = modules[where]
        for attribute in path:
            owner = getattr(owner, attribute)
        time_calls(owner, name, label, spent)
        if where in nested:
            inside.setdefault(nested[where], []).append(label)
    from memgym.tracks import get_track

    track = get_track(args.track)
    start = time.process_time()
    for seed in range(args.seeds):
        track.generate(seed, args.tier)
    total = time.process_time() - start
    outer = sum(spent.values()) - sum(
        spent[label] for labels in inside.values() for label in labels
    )
    for parent, labels in inside.items():
        rest = REST.get(parent, f"{parent}: the rest")
        spent[rest] = spent.pop(parent) - sum(spent[label] for label in labels)
    spent["the rest of `generate` (params, question mix, brief; entities: the collector)"] = (
        total - outer
    )
    print(f"{args.track} {args.tier}: CPU per scenario, seeds 0-{args.seeds - 1}")
    print("| part | CPU ms | share |\n|---|---:|---:|")
    for label, seconds in spent.most_common():
        print(f"| {label} | {1000 * seconds / args.seeds:.2f} | {100 * seconds / total:.0f} % |")
    print(f"| total (`generate`) | {1000 * total / args.seeds:.2f} | |")


if __name__ == "__main__":
    main()
