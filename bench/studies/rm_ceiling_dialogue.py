"""Empirical Bayes ceiling of MemRM on the dialogue track (the scenario-OOD split).

    python bench/studies/rm_ceiling_dialogue.py [--data results/rm/data] [--k 30] [--seeds 0 1 2]
                                        [--strategy SPEC ...] [--given kinds|nothing]
                                        [--model PATH] [--out ROWS.jsonl]

The dialogue asks every question at the very end: one selection question per flight search
(which flight meets the current requirements: nothing in it is drawn), then the profile
questions, drawn by ``profile_questions`` as a shuffle of every question no memoryless guess
answers (``fair``: the customer's values, the previous value of a change, a companion's
values, the party's meal count), the first of a previous-value, a current-value and a count
question put first. So at compaction time what is unknown is *which* profile questions come.

For each dialogue compaction this redraws the profile questions after it K times and labels
each draw by replay (``shared_labels``, the dataset's ``harmful``); p* = the share of draws that
are HARMFUL, and AUROC(p*, label) bounds what any model can reach. Held fixed: the world, every
event of the stream (the lookups, the searches and the changes after the compaction too), the
questions' places (the end), the selection questions, the questions up to the compaction, and
with ``--given kinds`` (the default, as ``bench/studies/rm_ceiling.py`` holds entities') each profile
question's kind: each is drawn among the unused fair questions of its kind, which is the
generator's draw given the kinds (a uniform shuffle, given the kinds in order, orders each kind's
questions uniformly). ``--given nothing`` runs ``profile_questions`` itself with a fresh random
source (kinds drawn too). The later stream cannot be redrawn with the earlier one kept (one
random source draws the world, changes included, before any event), so the bound is told more
than a model knows at compaction time: how the chat goes on, which values change, which
questions are fair.

Prints K and seconds (per scenario); the dataset rows matched and the share of their labels the
rebuilt episodes reproduce (must be 1.0, else it exits non-zero); AUROC(p*, label) with its
whole-scenario bootstrap 95 % CI on all the rows and on the fact rows; and with ``--model`` its
AUROC on the same rows. ``--out`` writes each row's id, label and p*. Progress to stderr.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rm_ceiling import ceiling_rows, load_first, require_reproduced

import memgym.tracks.dialogue.track as dialogue_track
from memgym.claims import Claim, format_value
from memgym.query import Table
from memgym.rm.metrics import auroc, cluster_bootstrap
from memgym.rm.rows import Row, drops_fact, read_jsonl
from memgym.tracks import get_track
from memgym.tracks.dialogue.assemble import _question
from memgym.tracks.dialogue.questions import Draft
from memgym.types import GoldQuestion, Scenario

DEFAULT_DATA = "results/rm/data"
GIVEN = ("kinds", "nothing")


def key(draft: Draft) -> str:
    """What tells a profile question from another: its spec."""
    return repr(draft.spec)


@contextmanager
def recording() -> Iterator[list[tuple[tuple[Any, ...], list[Draft]]]]:
    """While open, every call of the dialogue generator's ``profile_questions`` is recorded
    (its arguments after the random source, and what it returned), unchanged."""
    real = dialogue_track.profile_questions
    calls: list[tuple[tuple[Any, ...], list[Draft]]] = []

    def record(rng: random.Random, *args: Any) -> list[Draft]:
        out = real(rng, *args)
        calls.append((args, out))
        return out

    dialogue_track.profile_questions = record  # type: ignore[assignment]
    try:
        yield calls
    finally:
        dialogue_track.profile_questions = real


@dataclass
class Episode:
    """A dialogue scenario with what generation discards: the profile questions' arguments and
    every fair question they were drawn from."""

    seed: int
    scenario: Scenario
    args: tuple[Any, ...]
    """``profile_questions``'s arguments after its random source."""
    drafts: list[Draft]
    """The profile questions asked, in order."""
    pool: list[Draft]
    """Every fair profile question (those ``profile_questions`` may ask)."""
    steps: list[int]
    """The event step of each question, by number."""
    first: int
    """The number of the first profile question (the selection questions come before)."""
    table: Table
    """Every fact stated, as assembly evaluates the gold answers at the end."""
    given: str = "kinds"
    drawn: dict[tuple[int, int], list[dict[int, GoldQuestion]]] = field(
        default_factory=dict, repr=False
    )

    def draws(self, kept: int, k: int) -> list[dict[int, GoldQuestion]]:
        """``k`` redraws of the questions after the first ``kept`` (made once, then kept)."""
        if (kept, k) not in self.drawn:
            self.drawn[kept, k] = [
                redraw(self, kept, f"ceiling-{self.seed}-{kept}-{j}", self.given) for j in range(k)
            ]
        return self.drawn[kept, k]


def rebuild(seed: int, tier: str | None = None, given: str = "kinds") -> Episode:
    """The dialogue scenario of ``seed`` from ``DialogueTrack.generate`` itself, its profile
    questions' draw recorded, checked by hash against a plain ``generate``."""
    track = get_track("dialogue")
    with recording() as calls:
        scenario = track.generate(seed, tier)
    if len(calls) != 1 or scenario.hash != track.generate(seed, tier).hash:
        raise RuntimeError(f"seed {seed}: recording changed DialogueTrack.generate")
    ((args, drafts),) = calls
    # every fair question: the same call asking for more than there are (one count question),
    # without the rule that keeps two questions off one page (``pages``, its next-to-last
    # argument), with the rule that no single event answers a maintenance question (its last)
    *fair, _pages, one_page = args[2:]
    pool = dialogue_track.profile_questions(random.Random(0), args[0], 10**6, *fair, None, one_page)
    questions = [e.question for e in scenario.events if e.question is not None]
    steps = [e.step for e in scenario.events if e.question is not None]
    first = len(questions) - len(drafts)
    assert all(q.kind == "selection" for q in questions[:first]), "selection questions first"
    table = Table.from_claims(
        Claim(f.entity, f.attribute, format_value(f.value)) for f in scenario.facts
    )
    ep = Episode(seed, scenario, args, drafts, pool, steps, first, table, given)
    for n, draft in enumerate(drafts, first):  # the gold answers are what assembly gave
        if _question(draft, n, table) != questions[n]:
            raise RuntimeError(f"seed {seed}: question {n} is not rebuilt as assembled")
    return ep


def redraw(ep: Episode, kept: int, rng_seed: str, given: str = "kinds") -> dict[int, GoldQuestion]:
    """The profile questions after the first ``kept`` questions drawn afresh, by step (ids and
    numbers as the originals'); ``given`` kinds: each among the unused fair questions of the
    original's kind; nothing: ``profile_questions`` again (only before any profile question)."""
    rng = random.Random(rng_seed)
    start = max(kept, ep.first)
    if given == "nothing":
        if kept > ep.first:
            raise ValueError("--given nothing redraws every profile question: none may be kept")
        args = ep.args
        chosen = dialogue_track.profile_questions(rng, *args)
    elif given == "kinds":
        used = {key(d) for d in ep.drafts[: start - ep.first]}
        chosen = []
        for d in ep.drafts[start - ep.first :]:
            free = [c for c in ep.pool if c.kind == d.kind and key(c) not in used]
            pick = free[int(rng.random() * len(free))]
            used.add(key(pick))
            chosen.append(pick)
    else:
        raise ValueError(f"given must be one of {GIVEN}, got {given!r}")
    numbers = range(start, len(ep.steps))
    assert len(chosen) == len(numbers), "a redraw asks as many questions"
    return {ep.steps[n]: _question(d, n, ep.table) for n, d in zip(numbers, chosen, strict=True)}


# -- the dataset and the figures -----------------------------------------------------------------


def load(folder: Path) -> tuple[list[Row], dict[str, Any]]:
    """The dialogue rows (scenario-OOD split) and the build config of a ``memgym rm build``
    folder (SystemExit if none)."""
    rows_file = folder / "scenario_ood.jsonl"
    if not (folder / "manifest.json").is_file() or not rows_file.is_file():
        raise SystemExit(
            f"no MemRM dataset at {folder} (manifest.json and scenario_ood.jsonl); "
            f"build one with `memgym rm build --out {folder}`"
        )
    config = json.loads((folder / "manifest.json").read_text())["config"]
    rows = [r for r in read_jsonl(rows_file) if r.get("track") == "dialogue"]
    return rows, config


def figure(name: str, rows: Sequence[Row], scores: Sequence[float], resamples: int) -> str:
    """AUROC of ``scores`` on ``rows`` with its 95 % interval over whole scenarios."""
    y = [int(r["harmful"]) for r in rows]
    low, high = cluster_bootstrap(y, scores, [r["seed"] for r in rows], resamples)["auroc"]
    return f"{name}: {auroc(y, scores):.4f} (95 % CI over scenarios {low:.3f}-{high:.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help=f"dataset folder ({DEFAULT_DATA})")
    parser.add_argument("--k", type=int, default=30, help="redraws per compaction (default 30)")
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=None,
        help="dialogue seeds (default: every one in scenario_ood.jsonl)",
    )
    parser.add_argument(
        "--strategy", nargs="+", default=None, help="strategies (default: every one of the split)"
    )
    parser.add_argument(
        "--given",
        choices=GIVEN,
        default="kinds",
        help="what of the later questions is held fixed besides their places",
    )
    parser.add_argument("--model", default=None, help="a MemRM model to score the same rows")
    parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--out", default=None, help="write id, seed, label and p* per row")
    args = parser.parse_args()
    if args.k < 1:
        parser.error("--k must be at least 1")

    model = None if args.model is None else load_first(args.model)

    rows, config = load(Path(args.data))
    seeds = args.seeds or sorted({r["seed"] for r in rows})
    held = set(config["ood_strategies"])
    strategies = args.strategy or [s for s in config["strategies"] if s not in held]
    ids = {f"-{s}-" for s in strategies}
    dataset = [r for r in rows if r["seed"] in seeds and any(i in r["id"] for i in ids)]
    if not dataset:
        raise SystemExit(f"{args.data}/scenario_ood.jsonl has no dialogue rows for seeds {seeds}")

    start = time.perf_counter()
    computed: dict[str, Row] = {}
    for seed in seeds:
        ep = rebuild(seed, config.get("tier"), args.given)
        for strategy in strategies:
            computed.update((c["id"], c) for c in ceiling_rows(ep, strategy, args.k))
        print(f"seed {seed}: {time.perf_counter() - start:.1f}s", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - start

    print(
        f"K = {args.k} redraws per compaction, given {args.given}; {seconds:.1f} s, "
        f"{seconds / len(seeds):.1f} s per scenario ({len(seeds)} dialogue seeds "
        f"{' '.join(map(str, seeds))}, {len(strategies)} strategies)"
    )
    require_reproduced(dataset, computed, "dialogue")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            for r in dataset:
                c = computed[r["id"]]
                fh.write(json.dumps({k: c[k] for k in ("id", "seed", "harmful", "pstar")}) + "\n")

    fact = [r for r in dataset if drops_fact(r)]
    for name, part in (("all rows", dataset), ("fact rows", fact)):
        harmful = sum(r["harmful"] for r in part)
        print(f"{name}: {len(part)}, HARMFUL {harmful} ({harmful / max(len(part), 1):.3f})")
        pstar = [computed[r["id"]]["pstar"] for r in part]
        print("  " + figure("Bayes ceiling AUROC(p*, label)", part, pstar, args.resamples))
    if model is None:
        return
    scores = dict(zip((r["id"] for r in dataset), model.predict(dataset), strict=True))
    for name, part in (("all rows", dataset), ("fact rows", fact)):
        print(
            figure(
                f"model {args.model}, {name}", part, [scores[r["id"]] for r in part], args.resamples
            )
        )


if __name__ == "__main__":
    main()
