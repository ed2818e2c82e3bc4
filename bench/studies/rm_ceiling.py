"""Empirical Bayes ceiling of MemRM on the entities track: the best AUROC at compaction time.

    python bench/studies/rm_ceiling.py [--data results/rm/data] [--k 50] [--model PATH] [--seeds 6 7 8]

A compaction is HARMFUL when it is charged with a lost answer (the shared-harm label of
``memgym.rmdata.replay.charge_losses``, the dataset's ``harmful``). On the entities track a question's target (entity, field, change, filter,
direction) is drawn at random, so at compaction time harm is partly unknowable. For each entities
IID compaction this redraws the targets of the questions after it K times, holding fixed the
world, the documents, every question's position and kind and the questions up to the compaction;
labels each draw by replay (``shared_labels`` on the views recorded once); and takes p* = the share
of draws that are HARMFUL. AUROC(p*, label) bounds what any model that sees only what is known at
compaction time can reach, even one told the later questions' positions and kinds.

Prints K and seconds; the dataset rows matched and the share of their labels the rebuilt episodes
reproduce (must be 1.0, else it exits non-zero); the entities base rate; AUROC(p*, label) with its
bootstrap 95 % CI, also on the rows that drop a fact; pooled IID ceilings with the other tracks scored perfectly and the entities
rows at p* or at a constant; and with a model (``--model``, default results/rm/lite.pkl when it
exists) its pooled IID AUROC alone, on the entities rows, and with the entities rows at p*.
With ``--seeds`` the pooled figures hold the other tracks' rows and those seeds' entities rows.
Progress (one line per seed and strategy) goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

# Two private names below: the replay's answer check ``_answer`` (a reasoner error is a wrong
# answer), so that relabels are made exactly as the dataset's labels, and assembly's ``_question``
# (Draft -> GoldQuestion), so that redrawn questions are what generation would have made of them.
from memgym.memory import make_memory
from memgym.reasoners.base import Reasoner
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.rm.metrics import auroc, auroc_ci
from memgym.rm.models import Scorer, load_model
from memgym.rm.rows import Row, drops_fact, read_jsonl
from memgym.rmdata.replay import Asked, _answer, actual_run, label_both, shared_labels, span_view
from memgym.tracks import get_track
from memgym.tracks.entities import memos
from memgym.tracks.entities.assemble import _question, assemble
from memgym.tracks.entities.draft import Draft
from memgym.tracks.entities.questions import Asker
from memgym.tracks.entities.stream import Moment, Timeline
from memgym.tracks.entities.track import plan_world
from memgym.tracks.entities.world import Change, World
from memgym.types import GoldQuestion, QuestionKind, Scenario

DEFAULT_DATA = "results/rm/data"
DEFAULT_MODEL = "results/rm/lite.pkl"
MAINTENANCE = frozenset({"post_correction", "previous_value", "delta"})
"""GoldQuestion kinds that ask about a change (each change is asked about once while any is unused)."""


# -- the generator's Asker, kept and pinned ------------------------------------------------------


class RecordingAsker(Asker):
    """The generator's Asker, keeping its turn counters as they stood before each question.

    A subclass because the counters (which aggregate, which trend shape, a withheld field or an
    absent entity for an abstention) advance with every question and are not kept anywhere: a
    redraw of question i needs them as they were at i to ask the same kind of question."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.turns: list[dict[str, int]] = []

    def ask(self, kind: QuestionKind) -> Draft:
        self.turns.append(dict(self.turn))
        return super().ask(kind)


class PinnedAsker(Asker):
    """An Asker that draws each question at a given position, so only its target is random.

    A subclass because the Asker draws the position inside every builder (``_moment``) and takes
    changes and withheld fields from lists ordered in advance; here the position is pinned and
    the change or withheld field is drawn among those stated before it and not yet asked about.
    (Builders themselves cannot be overridden: ``ask`` calls them from a table of the base
    class's functions, so the withheld field is chosen in ``draw``, before ``ask``.)"""

    def __init__(
        self,
        rng: random.Random,
        world: World,
        timeline: Timeline,
        placement: str,
        asked: Sequence[Draft],
    ) -> None:
        super().__init__(rng, world, timeline, placement)
        names, fields = world.names, world.layout.names
        used_changes: set[int] = set()
        used_withheld: set[tuple[int, int]] = set()
        for d in asked:
            # an abstention about an absent entity (not in ``names``) uses up nothing
            if d.kind in MAINTENANCE or (d.kind == "abstention" and d.spec["entity"] in names):
                target = (names.index(d.spec["entity"]), fields.index(d.spec["attribute"]))
                if d.kind in MAINTENANCE:
                    used_changes.add(world.change_of[target[0]])  # an entity changes at most once
                else:
                    used_withheld.add(target)
        self.seen = {repr(d.spec) for d in asked}
        self.free_changes = set(range(len(world.changes))) - used_changes
        self.unused_withheld = [w for w in world.withheld if w not in used_withheld]
        self.p = 0
        self.last_change: int | None = None

    def draw(self, kind: QuestionKind, p: int, turn: dict[str, int]) -> Draft:
        """A question of ``kind`` (else of its axis, as ``ask``) at position ``p``."""
        self.p, self.turn, self.last_change = p, dict(turn), None
        if kind == "abstention":
            self._choose_withheld()
        if kind == "filter_count":
            self._count_described()
        draft = self.ask(kind)
        assert draft.p == p, "a pinned question moved"
        if draft.kind in MAINTENANCE and self.last_change is not None:
            self.free_changes.discard(self.last_change)
        return draft

    def _moment(self, after: int = -1, first: int | None = None) -> Moment:
        # the callers that pass ``after`` pick only items before ``p`` (_change, _choose_withheld);
        # ``first``, the earliest place of a value question, held for the generator's own draw
        assert after < self.p
        return Moment(self.world, self.timeline, self.p)

    def _change_apart(self) -> tuple[Change, Moment] | None:
        return self._change()

    def _group(self, size: int, before: int | None = None) -> tuple[int, str, list[int]] | None:
        # the filter count's group: one whose member number ``size`` is described before ``p``
        return super()._group(size, self.p)

    def _count_described(self) -> None:
        """Turn the filter counts' targets to the next count some group can give at ``p`` (the
        generator draws the position after the count's group, here it is pinned)."""
        doc_pos, targets = self.timeline.doc_pos, self.count_targets
        described = [sum(doc_pos[e] < self.p for e in g[2]) for g in self.groups]
        for _ in range(len(targets)):
            if targets[0] < max(described, default=0):
                return
            targets.append(targets.pop(0))

    def _change(
        self, first: int | None = None, kind: str | None = None
    ) -> tuple[Change, Moment] | None:
        before = [
            c
            for c, pos in enumerate(self.timeline.change_pos)
            if pos < self.p and (kind is None or self.world.changes[c].kind == kind)
        ]
        if not before:
            return None
        c = self._pick([c for c in before if c in self.free_changes] or before)
        self.last_change = c
        return self.world.changes[c], Moment(self.world, self.timeline, self.p)

    def _choose_withheld(self) -> None:
        """On a turn that asks about a withheld field, put a random unused one whose document is
        out by ``p`` last, where the abstention builder takes it; when there is none, turn the
        turn into one that asks about an absent entity."""
        if self.turn["abstention"] % 2 or not self.unused_withheld:
            return
        shown = [w for w in self.unused_withheld if self.timeline.doc_pos[w[0]] < self.p]
        if not shown:
            self.turn["abstention"] += 1
            return
        w = shown[int(self.random() * len(shown))]
        self.unused_withheld.remove(w)
        self.unused_withheld.append(w)


# -- episodes and redraws ------------------------------------------------------------------------


class Redrawable(Protocol):
    """A rebuilt episode whose later questions can be drawn again (entities' ``Episode`` here,
    dialogue's in ``rm_ceiling_dialogue``): what ``ceiling_rows`` needs of it."""

    seed: int
    scenario: Scenario
    steps: list[int]
    """The event step of each question, by number."""

    def draws(self, kept: int, k: int) -> list[dict[int, GoldQuestion]]:
        """``k`` redraws of the questions after the first ``kept``, by step."""
        ...


@dataclass
class Episode:
    """An entities scenario with the parts generation discards: world, timeline and drafts."""

    seed: int
    scenario: Scenario
    world: World
    timeline: Timeline
    placement: str
    drafts: list[Draft]
    """In plan order (the order they were asked)."""
    turns: list[dict[str, int]]
    """The Asker's turn counters before each draft."""
    number: list[int]
    """Each draft's question number (its place in the stream)."""
    steps: list[int]
    """The event step of each question, by number."""
    drawn: dict[tuple[int, int], list[dict[int, GoldQuestion]]] = field(
        default_factory=dict, repr=False
    )
    """The redraws made so far, by (questions kept, k)."""

    def draws(self, kept: int, k: int) -> list[dict[int, GoldQuestion]]:
        """``k`` redraws of the questions after the first ``kept`` (made once, then kept)."""
        if (kept, k) not in self.drawn:
            self.drawn[kept, k] = [
                redraw(self, kept, f"ceiling-{self.seed}-{kept}-{j}") for j in range(k)
            ]
        return self.drawn[kept, k]


def rebuild(seed: int, tier: str | None = None) -> Episode:
    """The entities scenario of ``seed`` made as ``EntitiesTrack.generate`` makes it (its steps
    repeated to keep what it discards), checked against it by hash."""
    track = get_track("entities")
    p = track.params(tier)
    rng = random.Random(seed)
    plan = plan_world(rng, p)
    world, timeline = plan.world, plan.timeline
    asker = RecordingAsker(rng, world, timeline, p["question_placement"])
    drafts = [asker.ask(kind) for kind in plan.kinds]
    brief = memos.brief(p, plan.template.noun, plan.template.plural)
    scenario = assemble(rng, seed, p, world, timeline, drafts, brief)
    if scenario.hash != track.generate(seed, tier).hash:
        raise RuntimeError(f"seed {seed}: rebuild() no longer matches EntitiesTrack.generate")
    stream = sorted(range(len(drafts)), key=lambda i: drafts[i].p)  # assemble's (stable) order
    number = [0] * len(drafts)
    for j, i in enumerate(stream):
        number[i] = j
    steps = [e.step for e in scenario.events if e.question is not None]
    return Episode(
        seed, scenario, world, timeline, p["question_placement"], drafts, asker.turns, number, steps
    )


def redraw(ep: Episode, kept: int, rng_seed: str) -> dict[int, GoldQuestion]:
    """The questions after the first ``kept`` drawn afresh at their positions with their kinds
    (asked in plan order, as generation asks), by step; ids and numbers as the originals'."""
    asked = [d for i, d in enumerate(ep.drafts) if ep.number[i] < kept]
    asker = PinnedAsker(random.Random(rng_seed), ep.world, ep.timeline, ep.placement, asked)
    out = {}
    for i, d in enumerate(ep.drafts):
        if ep.number[i] >= kept:
            draft = asker.draw(d.kind, d.p, ep.turns[i])
            out[ep.steps[ep.number[i]]] = _question(draft, ep.number[i])
    return out


def reask(
    brief: str, asked: Sequence[Asked], questions: dict[int, GoldQuestion], reasoner: Reasoner
) -> list[Asked]:
    """The actual run with the questions at the steps in ``questions`` swapped in, each answered
    on the view recorded at its step."""
    out = []
    for a in asked:
        q = questions.get(a.step)
        if q is None:
            out.append(a)
        else:
            out.append(Asked(a.step, q, a.spans, _answer(reasoner, q, span_view(brief, a.spans))))
    return out


def ceiling_rows(ep: Redrawable, strategy: str, k: int) -> list[Row]:
    """Per compaction of ``strategy`` with a later question: its dataset id, replay label
    (harmful, delta, later) and p*, the HARMFUL share over ``k`` redraws of the later questions
    (on ``ep``'s own track)."""
    track = get_track(ep.scenario.track)
    reasoner = ScriptedReasoner(track)
    asked, records = actual_run(ep.scenario, make_memory(strategy, track), reasoner)
    brief = ep.scenario.brief
    both = label_both(brief, asked, records, reasoner)
    runs: dict[int, list[list[bool]]] = {}  # questions kept -> each redraw's shared labels
    out = []
    for i, record in enumerate(records):
        label = both.single[i]
        if label.later == 0:
            continue
        kept = sum(step <= record.step for step in ep.steps)
        if kept not in runs:
            runs[kept] = [
                shared_labels(brief, reask(brief, asked, qs, reasoner), records, reasoner)
                for qs in ep.draws(kept, k)
            ]
        harmful = [labels[i] for labels in runs[kept]]
        out.append(
            {
                "id": f"{ep.scenario.hash[:12]}-{strategy}-{i}",  # as memgym.rmdata.dataset names rows
                "seed": ep.seed,
                "strategy": strategy,
                "step": record.step,
                "harmful": int(both.shared[i]),
                "delta": label.delta,
                "later": label.later,
                "pstar": sum(harmful) / k,
            }
        )
    return out


def redraw_stats(episodes: Sequence[Episode]) -> tuple[int, int, int]:
    """Questions redrawn, how many changed kind (the Asker fell back), how many kept the target."""
    total = changed = same = 0
    for ep in episodes:
        original = {e.step: e.question for e in ep.scenario.events if e.question is not None}
        for draws in ep.drawn.values():
            for questions in draws:
                for step, q in questions.items():
                    total += 1
                    changed += q.kind != original[step].kind
                    same += q.spec == original[step].spec
    return total, changed, same


# -- the dataset and the figures -----------------------------------------------------------------


def load(folder: Path) -> tuple[list[Row], dict[str, Any]]:
    """The IID rows and the build config of a ``memgym rm build`` folder (SystemExit if none)."""
    if not (folder / "manifest.json").is_file() or not (folder / "iid.jsonl").is_file():
        raise SystemExit(
            f"no MemRM dataset at {folder} (manifest.json and iid.jsonl); "
            f"build one with `memgym rm build --out {folder}`"
        )
    config = json.loads((folder / "manifest.json").read_text())["config"]
    return list(read_jsonl(folder / "iid.jsonl")), config


def reproduced(dataset: Sequence[Row], computed: dict[str, Row]) -> tuple[int, int]:
    """Dataset rows found among ``computed`` (by id), and those whose label, delta and later
    question count the recomputation reproduces."""
    found = agree = 0
    for r in dataset:
        c = computed.get(r["id"])
        if c is None:
            continue
        found += 1
        agree += (c["harmful"], c["later"]) == (r["harmful"], r["later"]) and math.isclose(
            c["delta"], r["delta"], abs_tol=1e-9
        )
    return found, agree


def load_first(path: str | Path) -> Scorer:
    """The MemRM model at ``path``, loaded before a bench's long work: a missing, unreadable or
    stale one (trained on another feature set) exits at once in one line, and a memgym change
    during the run cannot make it unloadable at the end."""
    if not Path(path).exists():
        raise SystemExit(f"no model at {path}")
    try:
        return load_model(path)
    except ValueError as err:
        raise SystemExit(f"--model: {err}") from err


def require_reproduced(dataset: Sequence[Row], computed: dict[str, Row], track: str) -> None:
    """Print how many of ``track``'s dataset rows the rebuilt episodes matched and reproduced;
    exit non-zero unless every one was recomputed and reproduced."""
    found, agree = reproduced(dataset, computed)
    print(
        f"{track} rows: {len(dataset)}, recomputed {len(computed)}, matched {found}; "
        f"dataset labels reproduced: {agree / len(dataset):.4f}"
    )
    if agree != len(dataset) or len(computed) != len(dataset):
        raise SystemExit(
            "the rebuilt episodes do not reproduce the dataset labels: "
            "the dataset is stale or the generator changed"
        )


def pooled(
    rows: Sequence[Row], entities: Mapping[str, float], others: Mapping[str, float] | None = None
) -> float:
    """AUROC over ``rows``, the entities rows scored by ``entities`` and the others by ``others``
    (by row id), or perfectly: HARMFUL above and SAFE below every score in [0, 1]."""

    def score(r: Row) -> float:
        if r["track"] == "entities":
            return entities[r["id"]]
        if others is None:
            return 2.0 if r["harmful"] else -1.0
        return others[r["id"]]

    return auroc([r["harmful"] for r in rows], [score(r) for r in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help=f"dataset folder ({DEFAULT_DATA})")
    parser.add_argument("--k", type=int, default=50, help="redraws per compaction (default 50)")
    parser.add_argument(
        "--model",
        default=None,
        help=f"lite model to compare (default {DEFAULT_MODEL} when it exists)",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=None,
        help="entities seeds (default: every entities seed in iid.jsonl)",
    )
    args = parser.parse_args()
    if args.k < 1:
        parser.error("--k must be at least 1")

    model_path = Path(args.model or DEFAULT_MODEL)
    model = None
    if args.model is not None or model_path.exists():
        model = load_first(model_path)

    iid, config = load(Path(args.data))
    seeds = args.seeds or sorted({r["seed"] for r in iid if r["track"] == "entities"})
    dataset = [r for r in iid if r["track"] == "entities" and r["seed"] in seeds]
    if not dataset:
        raise SystemExit(f"{args.data}/iid.jsonl has no entities rows for seeds {seeds}")
    pool = [r for r in iid if r["track"] != "entities" or r["seed"] in seeds]
    strategies = [s for s in config["strategies"] if s not in config["ood_strategies"]]

    start = time.perf_counter()
    episodes: list[Episode] = []
    computed: dict[str, Row] = {}
    for seed in seeds:
        ep = rebuild(seed, config.get("tier"))
        episodes.append(ep)
        for strategy in strategies:
            computed.update((c["id"], c) for c in ceiling_rows(ep, strategy, args.k))
            print(
                f"seed {seed} {strategy}: {time.perf_counter() - start:.1f}s",
                file=sys.stderr,
                flush=True,
            )
    seconds = time.perf_counter() - start

    total, changed, same = redraw_stats(episodes)
    print(
        f"K = {args.k} redraws per compaction, {seconds:.1f} s "
        f"(entities seeds {' '.join(map(str, seeds))}, {len(strategies)} strategies)"
    )
    print(
        f"redrawn questions: {total:,}; kind fell back {changed / max(total, 1):.1%}; "
        f"same target as the original {same / max(total, 1):.1%}"
    )
    require_reproduced(dataset, computed, "entities IID")

    y = [r["harmful"] for r in dataset]
    pstar = [computed[r["id"]]["pstar"] for r in dataset]
    low, high = auroc_ci(y, pstar)
    base = sum(y) / len(y)
    print(f"entities base rate: {base:.4f} ({sum(y)} of {len(y)} HARMFUL)")
    print(
        f"entities Bayes ceiling, AUROC(p*, label): {auroc(y, pstar):.4f} "
        f"(95 % CI {low:.3f}-{high:.3f})"
    )
    fact = [drops_fact(r) for r in dataset]
    fy = [v for v, f in zip(y, fact, strict=True) if f]
    fp = [v for v, f in zip(pstar, fact, strict=True) if f]
    print(
        f"entities fact rows: {len(fy)} ({sum(fy)} HARMFUL); Bayes ceiling AUROC(p*, label)"
        f" {auroc(fy, fp):.4f}"
    )
    at_pstar = {r["id"]: computed[r["id"]]["pstar"] for r in dataset}
    constant = {r["id"]: base for r in dataset}
    harmful = sum(r["harmful"] for r in pool)
    print(
        f"pooled IID ceiling, other tracks perfect, entities p*: {pooled(pool, at_pstar):.4f} "
        f"({len(pool)} rows, {harmful} HARMFUL)"
    )
    print(
        f"pooled IID ceiling, other tracks perfect, entities constant: {pooled(pool, constant):.4f}"
    )

    if model is None:
        return
    scores = dict(zip((r["id"] for r in pool), model.predict(pool), strict=True))
    print(
        f"model {model_path}: pooled IID AUROC {pooled(pool, scores, scores):.4f}; "
        f"entities rows {auroc(y, [scores[r['id']] for r in dataset]):.4f}; "
        f"with entities rows at p* {pooled(pool, at_pstar, scores):.4f}"
    )
    fpool = [r for r in pool if drops_fact(r)]
    fdata = [r for r in dataset if drops_fact(r)]
    print(
        f"fact rows: model pooled {pooled(fpool, scores, scores):.4f}; entities"
        f" {auroc([r['harmful'] for r in fdata], [scores[r['id']] for r in fdata]):.4f};"
        f" with entities rows at p* {pooled(fpool, at_pstar, scores):.4f}; other tracks"
        f" perfect and entities at p* {pooled(fpool, at_pstar):.4f}"
    )


if __name__ == "__main__":
    main()
