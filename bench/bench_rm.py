"""MemRM ``lite`` scoring speed, against replay labelling of the same kind of compactions.

    python bench/bench_rm.py [--model results/rm/lite.pkl] [--data results/rm/data/iid.jsonl]

Without a model or data it builds the quick dataset and trains on it (in a temp folder). Prints
compactions per second of the lite model:
- in batches: cold caches, one pass over the rows, then a warm second pass;
- one compaction per call in stream order, as the gated memory calls it, by the direct score
  (``predict_parts``) and by the feature-matrix path it replaced (``predict_matrix``), cold, in
  the same run, and their ratio; for a model with boosted trees, also the direct score without
  them (the regression alone), to show what the trees cost;
- inside real gated episodes (``gated:inner=window(max_tokens=1000)``): compactions scored per
  second of scoring time;
each timed pass repeated ``--repeats`` times (best and median; CPU time, the machine is shared),
and replay labelling (episodes run once, then every compaction labelled) in the same run, with
the ratios. Target: >= 5,000 compactions/s calibrated, cold, one per call in the order the gated
memory calls it; inside gated episodes, the gated memory's target (``bench/bench_gated.py``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

TARGET = 5000.0
"""Compactions per second one per call, cold, calibrated (``bench/reference.py``)."""
GATED = 3000.0
"""Inside gated episodes: the target of ``bench/bench_gated.py``."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="results/rm/lite.pkl")
    parser.add_argument(
        "--data",
        default="results/rm/data/iid.jsonl",
        help="rows to score (.jsonl), or a dataset folder (its iid.jsonl)",
    )
    parser.add_argument("--rows", type=int, default=5000, help="rows to score (default 5000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed passes (default 5)")
    args = parser.parse_args()

    from reference import QUIET_MS, reference_ms

    from memgym.rm.features import clear_caches
    from memgym.rm.lite import load_lite, train_lite
    from memgym.rm.rows import read_jsonl

    model_path, data_path = Path(args.model), Path(args.data)
    if data_path.is_dir():  # a dataset folder: its IID split
        data_path = data_path / "iid.jsonl"
    if not (model_path.exists() and data_path.exists()):
        from memgym.rmdata.dataset import build, quick_config

        folder = Path(tempfile.mkdtemp(prefix="bench-rm-"))
        build(quick_config(), folder)
        model_path, data_path = folder / "lite.pkl", folder / "iid.jsonl"
        train_lite(list(read_jsonl(folder / "train.jsonl"))).save(model_path)
        print(f"(no model/data given: quick dataset and model in {folder})")
    model = load_lite(model_path)
    rows = list(read_jsonl(data_path))[: args.rows]

    from memgym.rm.lite import row_parts

    parts = [row_parts(r) for r in rows]
    colds, warms, singles, olds, plains = [], [], [], [], []
    import copy

    plain = copy.copy(model)  # the same model without its trees (speed only: not calibrated)
    plain.trees = None
    passes = [(model.predict_parts, singles), (model.predict_matrix, olds)]
    if model.trees is not None:
        passes.append((plain.predict_parts, plains))
    for _ in range(max(1, args.repeats)):
        clear_caches()
        start = time.process_time()
        model.predict_parts(parts)
        colds.append(len(rows) / (time.process_time() - start))
        start = time.process_time()
        model.predict_parts(parts)
        warms.append(len(rows) / (time.process_time() - start))
        for path, out in passes:
            clear_caches()
            start = time.process_time()
            for part in parts:
                path([part])
            out.append(len(rows) / (time.process_time() - start))
    cold, warm, single, old = max(colds), max(warms), max(singles), max(olds)
    reference = reference_ms()
    gated = gated_rate(str(model_path), args.repeats)
    reference = (reference + reference_ms()) / 2

    from memgym.memory import make_memory
    from memgym.reasoners.scripted import ScriptedReasoner
    from memgym.rmdata.replay import actual_run, label_fast
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
            start = time.process_time()
            for record in records:
                label_fast(scenario.brief, asked, record, reasoner)
            replay_s += time.process_time() - start
            labelled += len(records)
    replay = labelled / replay_s

    print(
        f"lite scoring in one batch, cold caches: {cold:,.0f} compactions/s best, "
        f"{statistics.median(colds):,.0f} median ({len(rows)} rows, {len(colds)} passes)"
    )
    print(
        f"lite scoring in one batch, warm second pass: {warm:,.0f} compactions/s best, "
        f"{statistics.median(warms):,.0f} median"
    )
    print(
        f"one compaction per call in stream order (as the gated memory calls it), cold: direct"
        f" score {single:,.0f}/s best ({statistics.median(singles):,.0f} median); feature-matrix"
        f" path before it {old:,.0f}/s best ({statistics.median(olds):,.0f} median);"
        f" ratio {single / old:.1f}x"
    )
    if plains:
        print(
            f"the same one per call without the boosted trees (regression alone):"
            f" {max(plains):,.0f}/s best ({statistics.median(plains):,.0f} median); with trees"
            f" / without: {single / max(plains):.2f}x"
        )
    print(
        f"inside gated episodes: {gated[0]:,.0f} compactions scored per second of scoring"
        f" ({gated[1]} scored, {gated[2]} refused)"
    )
    print(f"replay labelling (scripted reasoner): {replay:,.0f} compactions/s ({labelled})")
    print(f"ratio lite one-per-call / replay: {single / replay:.1f}x")
    scale = reference / QUIET_MS  # rates in quiet-machine terms (bench/reference.py)
    one, inside = single * scale, gated[0] * scale
    print(
        f"reference workload {reference:.2f} ms CPU in this run (quiet machine {QUIET_MS} ms):"
        f" calibrated one per call {one:,.0f}/s, inside gated episodes {inside:,.0f}/s"
    )
    print(
        f"target >= {TARGET:,.0f}/s (calibrated) cold, one per call: "
        f"{'met' if one >= TARGET else 'NOT met'}; inside gated episodes >= {GATED:,.0f}/s: "
        f"{'met' if inside >= GATED else 'NOT met'}"
    )


def gated_rate(model: str, repeats: int) -> tuple[float, int, int]:
    """Compactions (candidate drops) scored per CPU second of scoring inside real gated
    episodes (4 tracks x 2 seeds, inner window 1000 tokens; best of ``repeats``), how many
    were scored and how many refused."""
    from memgym.memory import make_memory
    from memgym.memory.gated import GatedMemory
    from memgym.reasoners.scripted import ScriptedReasoner
    from memgym.rm.features import clear_caches
    from memgym.run.episode import run_episode
    from memgym.tracks import get_track

    best, scored, refused = 0.0, 0, 0
    for _ in range(max(1, repeats)):
        clear_caches()
        spent, scored, refused = 0.0, 0, 0
        for track_name in ("entities", "research", "codeqa", "dialogue"):
            track = get_track(track_name)
            for seed in (100, 101):
                memory = make_memory(f"gated:inner=window(max_tokens=1000),model={model}", track)
                assert isinstance(memory, GatedMemory)
                inner = memory.score

                def timed(*a: object, inner: object = inner) -> list[float]:
                    nonlocal spent, scored
                    start = time.process_time()
                    out = inner(*a)  # type: ignore[operator]
                    spent += time.process_time() - start
                    scored += len(out)
                    return out

                memory.score = timed
                run_episode(track.generate(seed), memory, ScriptedReasoner(track))
                refused += memory.refused
        best = max(best, scored / spent if spent else 0.0)
    return best, scored, refused


if __name__ == "__main__":
    main()
