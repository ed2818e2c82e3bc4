"""MemRM ``lite`` scoring speed, against replay labelling of the same kind of compactions.

    python bench/bench_rm.py [--model results/rm/lite.pkl] [--data results/rm/data/iid.jsonl]

Without a model or data it builds the quick dataset and trains on it (in a temp folder). Prints
compactions per second of the lite model (cold caches, one pass over the rows, then a warm second
pass; each repeated ``--repeats`` times, best and median) and of replay labelling (episodes run
once, then every compaction labelled), both measured in this run, and their ratio. Target: lite
>= 5,000 compactions/s cold on this CPU (best of the repeats: the machine is shared, and the best
run is the one least disturbed by other work).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="results/rm/lite.pkl")
    parser.add_argument("--data", default="results/rm/data/iid.jsonl")
    parser.add_argument("--rows", type=int, default=5000, help="rows to score (default 5000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed passes (default 5)")
    args = parser.parse_args()

    from memgym.rm.features import clear_caches
    from memgym.rm.lite import load_lite, train_lite
    from memgym.rm.rows import read_jsonl

    model_path, data_path = Path(args.model), Path(args.data)
    if not (model_path.exists() and data_path.exists()):
        from memgym.rm.dataset import build, quick_config

        folder = Path(tempfile.mkdtemp(prefix="bench-rm-"))
        build(quick_config(), folder)
        model_path, data_path = folder / "lite.pkl", folder / "iid.jsonl"
        train_lite(list(read_jsonl(folder / "train.jsonl"))).save(model_path)
        print(f"(no model/data given: quick dataset and model in {folder})")
    model = load_lite(model_path)
    rows = list(read_jsonl(data_path))[: args.rows]

    colds, warms = [], []
    for _ in range(max(1, args.repeats)):
        clear_caches()
        start = time.perf_counter()
        model.predict(rows)
        colds.append(len(rows) / (time.perf_counter() - start))
        start = time.perf_counter()
        model.predict(rows)
        warms.append(len(rows) / (time.perf_counter() - start))
    cold, warm = max(colds), max(warms)

    from memgym.memory import make_memory
    from memgym.reasoners.scripted import ScriptedReasoner
    from memgym.rm.replay import actual_run, label_fast
    from memgym.tracks import get_track

    labelled = 0
    replay_s = 0.0
    for track_name in ("entities", "codeqa"):
        track = get_track(track_name)
        for seed in range(2):
            scenario = track.generate(seed)
            asked, records = actual_run(
                scenario, make_memory("window:max_tokens=1000", track), ScriptedReasoner(track)
            )
            reasoner = ScriptedReasoner(track)
            start = time.perf_counter()
            for record in records:
                label_fast(scenario.brief, asked, record, reasoner)
            replay_s += time.perf_counter() - start
            labelled += len(records)
    replay = labelled / replay_s

    print(f"lite scoring, cold caches: {cold:,.0f} compactions/s best, "
          f"{statistics.median(colds):,.0f} median ({len(rows)} rows, {len(colds)} passes)")
    print(f"lite scoring, warm second pass: {warm:,.0f} compactions/s best, "
          f"{statistics.median(warms):,.0f} median")
    print(f"replay labelling (scripted reasoner): {replay:,.0f} compactions/s ({labelled})")
    print(f"ratio lite cold / replay: {cold / replay:.1f}x")
    print(f"target >= 5,000/s cold: {'met' if cold >= 5000 else 'NOT met'}")


if __name__ == "__main__":
    main()
