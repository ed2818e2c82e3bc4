"""The MemRM dataset: tracks x strategies x seeds, every compaction labelled by replay, in splits.

Splits (one label definition for all; seeds ``0 .. seeds-1`` are cut into training, validation
and test seeds, the last ``test_seeds`` being the test ones):
- ``train``: training tracks x training strategies x training seeds;
- ``val``: the same on the validation seeds: every choice (features, C, threshold, calibration)
  is made here, never on a test split;
- ``iid``: the same on the test seeds;
- ``budget_ood``: held-out budgets or compositions of the trained kinds, training tracks, on
  scenarios of their own (seeds ``seeds+new_seeds .. +budget_seeds-1``: no test scenario reused);
- ``strategy_ood``: strategy families no training episode used (``family_strategies``), on new
  scenarios (seeds ``seeds .. seeds+new_seeds-1``) of the training tracks;
- ``scenario_ood``: the held-out track (never trained on) with the training strategies, on
  every seed (enough scenarios for a scenario-level interval);
- ``sealed`` (with ``sealed_seeds``, in place of ``scenario_ood``): the held-out track on a seed
  range of its own (``sealed_start ..``) that no development decision reads. The manifest records
  its seeds and file hash but no label count; ``memgym rm eval --split sealed --open-sealed``
  reads it, once, at the end (each opening is logged in the manifest, ``sealed.py``).
Each row carries two labels: ``harmful`` (shared harm, ``replay.charge_losses``: the default)
and ``harmful_single`` (undoing the compaction alone fixes a later answer). Compactions with no
later question (nothing to compare) are left out and counted. More splits can be added from
labelled rows made elsewhere (``add_split``: interactive tracks' records).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from memgym.files import write_atomic
from memgym.rm.rows import LABELS, Row, drops_fact, read_jsonl, record_row, write_jsonl
from memgym.rmdata.build_log import BuildLog, job_key

SPLITS = ("train", "val", "iid", "budget_ood", "strategy_ood", "scenario_ood")
SEALED = "sealed"
"""The split no development decision reads (``sealed.py``); not among ``SPLITS``."""
TEST_SPLITS = ("iid", "budget_ood", "strategy_ood", "scenario_ood")

DEFAULT_STRATEGIES = (
    "window:max_tokens=600",
    "window:max_tokens=1000",
    "window:max_tokens=2500",
    "window:max_tokens=4000",
    "mask:keep=3",
    "mask:keep=6",
    "mask:keep=20",
    "summary:max_tokens=1000",
    "summary:max_tokens=1500",
    "summary:max_tokens=6000",
    "pipeline:stages=mask(keep=2)+window(max_tokens=1200)",
    "pipeline:stages=mask(keep=10)+window(max_tokens=4000)",
    "summary:max_tokens=3000",
    "pipeline:stages=mask(keep=4)+window(max_tokens=1800)",
)
"""Every kind at budgets from tight to loose: a model that saw one budget per kind cannot tell
how harm moves with the budget (trained on summary 1500 alone, it predicted summary 1000 and
6000 alike, where replay finds 100 times the harm in the first)."""
DEFAULT_OOD_STRATEGIES = (
    "summary:max_tokens=3000",
    "pipeline:stages=mask(keep=4)+window(max_tokens=1800)",
)
"""Held out for budget_ood: a budget and a composition no training episode used."""
DEFAULT_FAMILY_STRATEGIES = (
    "relevance:max_tokens=1500",
    "relevance:max_tokens=3000",
    "headline:keep=4",
    "headline:keep=12",
)
"""Held out for strategy_ood: families no training episode used (a retrieval-style context that
forgets by relevance, and old observations cut to their headlines), on new scenarios."""
DEFAULT_TRACKS = ("entities", "research", "codeqa", "dialogue")
RANK_STRATEGIES = (
    "summary:max_tokens=1000",
    "window:max_tokens=400",
    "pipeline:stages=mask(keep=2)+window(max_tokens=1200)",
    "window:max_tokens=2500",
    "mask:keep=20",
    "window:max_tokens=4000",
    "window:max_tokens=6000",
    "summary:max_tokens=3000",
    "summary:max_tokens=6000",
)
"""What ``memgym rm rank`` compares by default: every kind, most harmful first (by replay). Of a
pool of 17 strategies, the sets of 8 whose replay ranking agrees best with itself between
disjoint halves of seeds 200-209 (seeds neither the dataset nor ``rank`` uses); two tie, and
this is their union (``bench/studies/rm_rank_pool.py``). Strategies whose replay harms differ less than
the seeds vary cannot be ranked by anyone (docs/rm.md)."""

MATCHED_STRATEGIES = (
    "window:max_tokens=6000",
    "relevance:max_tokens=6000",
    "relevance:max_tokens=6000,first=relevant",
    "summary:max_tokens=6000",
    "window:max_tokens=4000",
)
"""What ``memgym rm rank --matched`` compares: at one budget, kinds that keep the newest, the most
relevant, the least relevant (dropping what the task asks about first) or a rolling summary, and a
window at a smaller budget. Chosen from replay alone on seeds 200-202 (``bench/studies/
rm_matched_pool.py``; no model read): the window, relevance and inverted relevance at 6,000 drop
the same tokens per episode (3,790-3,850) while their replay harm differs clearly (0.8 / 2.2 /
4.8 HARMFUL compactions per episode, seed spread 0.4), and the most harmful compacts least, so
counting compactions ranks them backwards. At 900-1,500 tokens (the earlier set) every kind lost
the same answers: replay's harms differed less between strategies than between seeds, and no
ranker could be judged there (docs/rm.md)."""
MATCHED_TRACKS = ("research", "codeqa")
"""The tracks of the matched test: entities' replays cost several times more and were not run
for the selection."""


SPENT_SEALED: tuple[tuple[str, int, int], ...] = (
    ("dialogue", 10_000, 10_019),
    ("dialogue", 30_000, 30_019),
    ("dialogue", 40_000, 40_019),
    ("dialogue", 60_000, 60_019),
)
"""Sealed ranges already opened (track, first seed, last seed): their figures were read once, so
they are no longer held out and ``build`` refuses to seal them again (docs/rm.md, "Sealed
held-out data")."""


def spent_overlap(track: str, seeds: range) -> tuple[int, int] | None:
    """The first spent sealed range of ``track`` that ``seeds`` overlaps, or None."""
    for spent_track, first, last in SPENT_SEALED:
        if spent_track == track and seeds.start <= last and first < seeds.stop:
            return first, last
    return None


@dataclass
class BuildConfig:
    """What ``memgym rm build`` runs; ``seeds`` are 0..seeds-1, the last ``test_seeds`` held out."""

    tracks: list[str] = field(default_factory=lambda: list(DEFAULT_TRACKS))
    strategies: list[str] = field(default_factory=lambda: list(DEFAULT_STRATEGIES))
    ood_strategies: list[str] = field(default_factory=lambda: list(DEFAULT_OOD_STRATEGIES))
    family_strategies: list[str] = field(default_factory=lambda: list(DEFAULT_FAMILY_STRATEGIES))
    ood_track: str = "dialogue"
    seeds: int = 30
    val_seeds: int = 4
    test_seeds: int = 6
    new_seeds: int = 6
    budget_seeds: int = 6
    """Scenarios of budget_ood's own, after the strategy_ood ones."""
    sealed_seeds: int = 0
    """With N > 0 the held-out track runs only on seeds ``sealed_start .. +N-1`` (split sealed)."""
    sealed_start: int = 50_000
    """The first sealed seed: above every range in ``SPENT_SEALED``."""
    tier: str | None = None

    def validate(self) -> None:
        """``ValueError`` for a config that cannot make every split, or a track or strategy that
        does not exist (checked first, so the message names what is wrong)."""
        from memgym.memory import make_memory
        from memgym.tracks import get_track

        tracks = [get_track(name) for name in dict.fromkeys([*self.tracks, self.ood_track])]
        if self.tier is not None:
            for track in tracks:
                track.params(self.tier)  # an unknown tier: one line naming the known ones
        for spec in dict.fromkeys([*self.strategies, *self.ood_strategies]):
            make_memory(spec, tracks[0])  # an unknown name or option: one line
        if self.ood_track not in self.tracks:
            raise ValueError(f"--ood-track {self.ood_track!r} is not among the --track tracks")
        if len(self.tracks) < 2:
            raise ValueError("give at least two tracks (one is held out for scenario_ood)")
        missing = [s for s in self.ood_strategies if s not in self.strategies]
        if missing:
            raise ValueError(
                f"held-out strategies (--ood-strategy) not among --strategy: {', '.join(missing)}"
            )
        if len(self.strategies) <= len(self.ood_strategies):
            raise ValueError("every strategy is held out: keep at least one for training")
        if not 1 <= self.test_seeds < self.seeds:
            raise ValueError("--test-seeds must be at least 1 and below --seeds")
        if self.val_seeds < 0 or self.val_seeds + self.test_seeds >= self.seeds:
            raise ValueError("--val-seeds + --test-seeds must leave training seeds")
        if self.new_seeds < 0 or self.budget_seeds < 0 or self.sealed_seeds < 0:
            raise ValueError("--new-seeds, --budget-seeds and --sealed-seeds must be at least 0")
        if (
            self.sealed_seeds
            and self.sealed_start < self.seeds + self.new_seeds + self.budget_seeds
        ):
            raise ValueError("--sealed-start must be above every seed the other splits use")
        spent = self.sealed_seeds and spent_overlap(
            self.ood_track, range(self.sealed_start, self.sealed_start + self.sealed_seeds)
        )
        if spent:
            raise ValueError(
                f"{self.ood_track} seeds {spent[0]}-{spent[1]} were sealed and opened already"
                " (spent): give --sealed-start outside them"
            )
        trained = [s for s in self.family_strategies if s in self.strategies]
        if trained:
            raise ValueError(f"held-out families are also --strategies: {', '.join(trained)}")


def quick_config() -> BuildConfig:
    """A small dataset for smoke tests (``--quick``): two tracks, three strategies and one
    held-out family, four seeds (one validation, one test) and one new seed."""
    return BuildConfig(
        tracks=["entities", "codeqa"],
        strategies=["window:max_tokens=1000", "mask:keep=3", "window:max_tokens=2000"],
        ood_strategies=["window:max_tokens=2000"],
        family_strategies=["relevance:max_tokens=1500"],
        ood_track="entities",
        seeds=4,
        val_seeds=1,
        test_seeds=1,
        new_seeds=1,
        budget_seeds=1,
    )


@dataclass(frozen=True)
class Job:
    """One episode to run and label, and the split its rows go to."""

    track: str
    strategy: str
    seed: int
    split: str
    tier: str | None = None


def jobs(config: BuildConfig) -> list[Job]:
    """The episodes of each split (episodes no split uses are not run)."""
    config.validate()
    test_start = config.seeds - config.test_seeds
    val_start = test_start - config.val_seeds
    budget_start = config.seeds + config.new_seeds
    sealed = range(config.sealed_start, config.sealed_start + config.sealed_seeds)
    out: list[Job] = []
    for track in config.tracks:
        for strategy in config.strategies:
            held = strategy in config.ood_strategies
            if track == config.ood_track:
                if not held:
                    name = SEALED if config.sealed_seeds else "scenario_ood"
                    seeds = sealed if config.sealed_seeds else range(config.seeds)
                    out.extend(Job(track, strategy, s, name, config.tier) for s in seeds)
                continue
            if held:
                own = range(budget_start, budget_start + config.budget_seeds)
                out.extend(Job(track, strategy, s, "budget_ood", config.tier) for s in own)
                continue
            for seed in range(config.seeds):
                split = "iid" if seed >= test_start else "val" if seed >= val_start else "train"
                out.append(Job(track, strategy, seed, split, config.tier))
        if track == config.ood_track:
            continue
        for strategy in config.family_strategies:
            for seed in range(config.seeds, config.seeds + config.new_seeds):
                out.append(Job(track, strategy, seed, "strategy_ood", config.tier))
    return out


def run_job(job: Job) -> tuple[Job, list[Row], int, dict[str, int]]:
    """Run and label one episode: its rows, the count left out for lack of later questions, and
    its lost answers and how each label charges them (``EpisodeLabels.stats``)."""
    from memgym.caches import next_scenario
    from memgym.memory import make_memory
    from memgym.reasoners.scripted import ScriptedReasoner
    from memgym.rmdata.replay import label_episode_both
    from memgym.tracks import get_track

    track = get_track(job.track)
    scenario = track.generate(job.seed, job.tier)
    next_scenario(scenario.hash)
    memory = make_memory(job.strategy, track)
    labelled = label_episode_both(scenario, memory, ScriptedReasoner(track))
    charged = [0] * len(labelled.records)
    for charge in labelled.charges:
        for i in charge.charged:
            charged[i] += 1
    rows, skipped = [], 0
    for i, record in enumerate(labelled.records):
        single = labelled.single[i]
        if single.later == 0:
            skipped += 1
            continue
        harmful = labelled.shared[i]
        rows.append(
            record_row(
                record,
                scenario.brief,
                id=f"{record.episode[:12]}-{job.strategy}-{i}",
                track=job.track,
                seed=job.seed,
                split=job.split,
                harmful=int(harmful),
                label=LABELS[int(harmful)],
                harmful_single=int(single.harmful),
                charged=charged[i],
                delta=single.delta,
                later=single.later,
            )
        )
    return job, rows, skipped, labelled.stats()


def build(
    config: BuildConfig,
    out: str | Path,
    workers: int = 1,
    on_done: Callable[[Job], None] | None = None,
) -> dict[str, Any]:
    """Run every job, write ``<split>.jsonl`` and ``manifest.json`` into ``out``; the manifest.

    Each finished episode is logged in ``out`` first (``build_log``): a killed build resumes
    where it stopped when run again with the same config, and writes the same files."""
    todo = jobs(config)
    log = BuildLog.open(out, asdict(config))
    start = time.perf_counter()
    rows: dict[str, list[Row]] = {s: [] for s in (*SPLITS, SEALED)}
    harm: dict[str, dict[str, int]] = {s: {} for s in (*SPLITS, SEALED)}
    skipped = 0

    def add(job: Job, job_rows: list[Row], job_skipped: int, stats: dict[str, int]) -> None:
        nonlocal skipped
        rows[job.split].extend(job_rows)
        skipped += job_skipped
        for key, value in stats.items():
            harm[job.split][key] = harm[job.split].get(key, 0) + value
        if on_done is not None:
            on_done(job)

    left = []  # the episodes the log does not hold yet
    for job in todo:
        if (entry := log.done.get(job_key(job))) is None:
            left.append(job)
        else:
            add(job, entry["rows"], entry["skipped"], entry["stats"])
    try:
        for job, job_rows, job_skipped, stats in parallel_map(run_job, left, workers):
            log.append(job, job_rows, job_skipped, stats)
            add(job, job_rows, job_skipped, stats)
    finally:
        log.close()
    folder = Path(out)
    from memgym import __version__

    manifest: dict[str, Any] = {
        "version": __version__,
        "reasoner": "scripted",
        "config": asdict(config),
        "episodes": len(todo),
        "resumed_episodes": len(todo) - len(left),
        "excluded_no_later_question": skipped,
        "seconds": round(time.perf_counter() - start, 2),
        "splits": {},
    }
    for split in (*SPLITS, SEALED):
        split_rows = sorted(
            rows[split], key=lambda r: (r["track"], r["strategy"], r["seed"], r["step"], r["id"])
        )
        path = folder / f"{split}.jsonl"
        if split == SEALED:
            if config.sealed_seeds:
                write_jsonl(path, split_rows)
                manifest[SEALED] = seal_record(config, path, len(split_rows))
            continue
        write_jsonl(path, split_rows)
        manifest["splits"][split] = split_stats(split_rows) | {
            "file": path.name,
            "sha256": file_sha256(path),
            "lost_answers": harm[split],
        }
    write_atomic(folder / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    log.finish()
    return manifest


def seal_record(config: BuildConfig, path: Path, rows: int) -> dict[str, Any]:
    """What the manifest says of the sealed split: where it comes from and its hash, no label."""
    return {
        "track": config.ood_track,
        "seeds": list(range(config.sealed_start, config.sealed_start + config.sealed_seeds)),
        "strategies": [s for s in config.strategies if s not in config.ood_strategies],
        "rows": rows,
        "file": path.name,
        "sha256": file_sha256(path),
        "opened": [],
    }


def parallel_map(fn: Callable[[Any], Any], todo: Sequence[Any], workers: int) -> Iterable[Any]:
    """``fn`` over ``todo``, on ``workers`` spawned processes when more than one (same results)."""
    if workers <= 1:
        yield from map(fn, todo)
        return
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield from pool.map(fn, todo, chunksize=1)


def split_stats(rows: list[Row]) -> dict[str, Any]:
    """Counts and label rates of a split (both labels), overall and per track and strategy."""

    def rate(part: list[Row]) -> dict[str, Any]:
        harmful = sum(r["harmful"] for r in part)
        single = 0
        for r in part:
            single += int(r["harmful_single"] if "harmful_single" in r else r["harmful"])
        facts = [r for r in part if drops_fact(r)]
        return {
            "rows": len(part),
            "harmful": harmful,
            "harmful_rate": round(harmful / len(part), 4) if part else None,
            "harmful_single": single,
            "fact_rows": len(facts),
            "fact_harmful": sum(r["harmful"] for r in facts),
        }

    by_track = {
        t: rate([r for r in rows if r["track"] == t]) for t in sorted({r["track"] for r in rows})
    }
    by_strategy = {
        s: rate([r for r in rows if r["strategy"] == s])
        for s in sorted({r["strategy"] for r in rows})
    }
    return rate(rows) | {"tracks": by_track, "strategies": by_strategy}


def add_split(folder: str | Path, name: str, rows: Sequence[Row]) -> dict[str, Any]:
    """Add labelled rows made elsewhere (an interactive track's compactions, labelled by its own
    replay) to the dataset in ``folder`` as split ``name``; the updated manifest. Each row needs
    ``after``, ``dropped``, ``harmful`` (0/1), ``episode`` (the scenario: the unit of the
    bootstrap) and ``track``; a split the build made is never overwritten."""
    if name in (*SPLITS, SEALED) or not name.replace("_", "").isalnum():
        raise ValueError(f"split name {name!r} is taken or not a plain word")
    for i, row in enumerate(rows):
        missing = [k for k in ("after", "dropped", "harmful", "episode", "track") if k not in row]
        if missing:
            raise ValueError(f"row {i} lacks {', '.join(missing)}")
        if int(row["harmful"]) not in (0, 1):
            raise ValueError(f"row {i}: harmful must be 0 or 1")
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise ValueError(f"no dataset manifest in {folder} (run memgym rm build first)")
    manifest = json.loads(manifest_path.read_text())
    path = folder / f"{name}.jsonl"
    write_jsonl(path, [dict(r, split=name, strategy=r.get("strategy", "?")) for r in rows])
    manifest.setdefault("added_splits", [])
    if name not in manifest["added_splits"]:
        manifest["added_splits"].append(name)
    manifest["splits"][name] = split_stats(list(read_jsonl(path))) | {
        "file": path.name,
        "sha256": file_sha256(path),
    }
    write_atomic(manifest_path, json.dumps(manifest, indent=2) + "\n")
    return manifest


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
