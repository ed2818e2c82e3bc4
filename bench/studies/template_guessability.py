"""How far each question template of every question-stream track can be guessed without memory.

For each (track, tier, template) over N seeds it prints the template's questions, its distinct
golds, and the share of its questions that memoryless rules answer, scored by the real scorer:

- ``const``: the best constant, i.e. the commonest gold texts of the template (a prior guess),
  chosen in sample, and ``out`` the same rule held out: the seeds split into even and odd, each
  half's questions answered with the constant the other half chose (the best of up to 16
  values chosen on a few dozen questions passes 10 % by chance: dialogue lite, 200 seeds, its
  count of a meal's choosers, uniform over 1-16, reads 22 % in sample and 6.8 % over 4,000);
- ``place``: the best single place or count rule of the cheat suite (``cheats.position_rules``
  to ``--depth``: k-th value or distinct value from either end, k-th commonest or rarest over
  windows), chosen in sample, over three pools: ``value:`` the asked attribute's values stated
  before the question about anyone (the entity-blind memory), ``name:`` the names the claims
  were about (a memory of names with no relation: a function, a person, a flight), ``spec:``
  the names the question itself mentions;
- ``learned``: the place rule that held the gold most often on ``--train`` other seeds (5000+),
  per template, scored on the test seeds (no in-sample choice).

Templates are ``cheats.template_key`` coarse (``coarse``), fine (``fine``: filter values kept)
where that splits a coarse template, and families (``family``: without the asked attribute,
relations or filtered attributes) where those join templates. Abstention questions (outside
the composite) are left out. Rows are sorted by their worst figure (templates with fewer than
``--min-questions`` questions last). A row is flagged ``!!`` as
``tests/tracks/test_template_guessability.py`` fails a template: it has at least
``--min-questions`` questions and ``out`` or ``learned`` holds more than ``--threshold``
beyond sampling spread (the lower end of a one-sided 95 % Wilson interval, ``bound``). The
in-sample ``const`` and ``place`` (the best of ~1,000 rules) are printed, not judged: on a few
dozen questions they pass 10 % by chance (``out`` and ``learned`` are their unbiased figures).
Across thousands of templates a few pass the bound by chance all the same, so a row that does is
measured again on four times as many fresh seeds (10000+), with its constant and rule as chosen
before:
``!!`` when it holds there too, ``? `` when it does not (a fluke of the first seeds).

    python bench/studies/template_guessability.py --tracks entities,research,codeqa,dialogue \\
        --tiers lite,standard,hard --seeds 300,100,50 --train 50
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from memgym.scoring.reading import Names, answer_names
from memgym.scoring.validators import is_correct
from memgym.simulation.cheats import Rule, asked_attribute, position_rules, template_key
from memgym.tracks import get_track, stream_events
from memgym.tracks.base import Track
from memgym.tracks.registry import stream_track_names
from memgym.types import GoldQuestion

Z = 1.645
"""One-sided 95 %: a share counts as above a threshold only when its Wilson lower end is."""


def lower_bound(hits: int, n: int, z: float = Z) -> float:
    """The Wilson score interval's lower end for ``hits`` of ``n``: the least share a rule could
    hold that still explains the hits (one-sided, ``z`` standard errors)."""
    if n == 0:
        return 0.0
    p = hits / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


TRAIN_BASE = 5000
DEFAULT_SEEDS = {"lite": 300, "standard": 100, "hard": 50}
POOLS = ("value", "name", "spec")


@dataclass(frozen=True)
class Asked:
    """One valued question: its gold, what a memoryless memory holds before it, and the
    scenario's answer names for the scorer."""

    gold: GoldQuestion
    pools: Mapping[str, Sequence[str]]
    names: Names
    seed: int
    """The scenario's seed (``held_out_constant`` splits the questions by it)."""


@dataclass
class Group:
    """Figures of one template over the seeds."""

    track: str
    tier: str
    key: str
    level: str
    asked: list[Asked] = field(default_factory=list)
    hits: list[set[str]] = field(default_factory=list)


def gold_text(gold: GoldQuestion) -> str:
    """The gold as an answer would state it."""
    answer = gold.answer
    if isinstance(answer, list):
        return ", ".join(str(v) for v in answer)
    if isinstance(answer, float) and answer.is_integer():
        return str(int(answer))
    return str(answer)


def asked_questions(track: Track, seed: int, tier: str) -> Iterator[Asked]:
    """Each valued, scored question of one scenario with the asked attribute's values and the
    named entities stated before it (in stream order, read back by the track's reader)."""
    scenario = track.generate(seed, tier)
    names = answer_names(scenario)
    values: dict[str, list[str]] = {}
    entities: list[str] = []
    for event in stream_events(scenario):
        question = event.question
        if question is None:
            for claim in track.read_cached(event.text):
                values.setdefault(claim.attribute, []).append(claim.value)
                entities.append(claim.entity)
            continue
        if question.answer is None or question.axis == "abstention":
            continue
        pools = {
            "value": tuple(values.get(asked_attribute(question.spec), ())),
            "name": tuple(entities),
            "spec": spec_names(question.spec),
        }
        yield Asked(question, pools, names, seed)


def spec_names(spec: Mapping[str, object]) -> tuple[str, ...]:
    """The names the question itself mentions, in spec order (what ``first_named`` picks from)."""
    listed = spec.get("entities")
    out = [str(v) for v in listed] if isinstance(listed, list) else []
    out += [str(spec[k]) for k in ("entity", "from", "to") if spec.get(k)]
    return tuple(out)


FAMILY_DROPS = ("attribute", "relations", "relation")


def family_key(spec: Mapping[str, object]) -> str:
    """The coarse template without what it asks about (attribute, relations, the attributes a
    filter names; its comparisons kept): entities asks ~900 attribute templates over its world
    kinds, a few questions each; its families are ~15."""
    out = {k: v for k, v in spec.items() if k not in FAMILY_DROPS}
    where = out.get("where")
    if isinstance(where, list):  # keep a filter's comparisons, not the attributes it names
        out["where"] = [w[1:2] for w in where if isinstance(w, list)]
    return template_key(out, False)


def _orders(values: Sequence[str]) -> dict[str, list[str]]:
    """Rule-name prefix -> the values in the order a place rule's k counts them."""
    return {
        "last": list(values[::-1]),
        "first": list(values),
        "distinct": list(dict.fromkeys(reversed(values))),
        "first_distinct": list(dict.fromkeys(values)),
    }


def rule_hits(asked: Asked, count_rules: Mapping[str, Rule], depth: int) -> set[str]:
    """Every ``pool:rule`` whose answer the scorer marks right (each candidate judged once)."""
    hits: set[str] = set()
    for pool in POOLS:
        values = asked.pools[pool]
        if not values:
            continue
        orders = _orders(values)
        candidates = {v for order in orders.values() for v in order[:depth]}
        counted = {name: rule(values) for name, rule in count_rules.items()}
        candidates |= {v for v in counted.values() if v}
        right = {v for v in candidates if is_correct(asked.gold, v, asked.names)}
        if not right:
            continue
        for prefix, order in orders.items():
            hits |= {f"{pool}:{prefix}{k}" for k, v in enumerate(order[:depth], 1) if v in right}
        hits |= {f"{pool}:{name}" for name, v in counted.items() if v in right}
    return hits


def count_rules(depth: int) -> dict[str, Rule]:
    """The frequency rules of ``position_rules`` (every other rule counts places)."""
    return {n: r for n, r in position_rules(depth).items() if "@" in n}


def template_keys(spec: Mapping[str, object]) -> dict[str, str]:
    """Level -> the question's key at that level."""
    return {
        "coarse": template_key(spec, False),
        "fine": template_key(spec, True),
        "family": family_key(spec),
    }


def collect(
    track_name: str, tier: str, seeds: Sequence[int], depth: int
) -> dict[tuple[str, str], Group]:
    """Each template's questions and rule hits over ``seeds``, at every level."""
    track = get_track(track_name)
    counting = count_rules(depth)
    groups: dict[tuple[str, str], Group] = {}
    for seed in seeds:
        for asked in asked_questions(track, seed, tier):
            hits = rule_hits(asked, counting, depth)
            for level, key in template_keys(asked.gold.spec).items():
                group = groups.setdefault((key, level), Group(track_name, tier, key, level))
                group.asked.append(asked)
                group.hits.append(hits)
    return groups


def best_constant(asked: Sequence[Asked], tries: int = 3) -> tuple[str, int]:
    """Of the ``tries`` commonest gold texts, the one the scorer marks right most often (in
    sample); ("-", 0) without questions."""
    texts = Counter(gold_text(a.gold) for a in asked).most_common(tries)
    scored = [(text, sum(is_correct(a.gold, text, a.names) for a in asked)) for text, _ in texts]
    return max(scored, key=lambda s: s[1], default=("-", 0))


def held_out_constant(asked: Sequence[Asked], tries: int = 3) -> int:
    """Hits of ``best_constant`` held out: the questions of even seeds answered with the
    constant the odd seeds' questions chose, and the other way round (split by scenario, so no
    question is answered by a choice its own scenario made)."""
    halves = ([a for a in asked if a.seed % 2 == 0], [a for a in asked if a.seed % 2 == 1])
    hits = 0
    for mine, other in (halves, halves[::-1]):
        text = best_constant(other, tries)[0] if other else None
        if text is not None:
            hits += sum(is_correct(a.gold, text, a.names) for a in mine)
    return hits


def best_rule(group: Group) -> tuple[str, int]:
    """The rule that held the gold of most of the group's questions (in sample)."""
    counts = Counter(h for hits in group.hits for h in hits)
    return counts.most_common(1)[0] if counts else ("-", 0)


@dataclass(frozen=True)
class Row:
    """One printed line."""

    track: str
    tier: str
    key: str
    level: str
    questions: int
    distinct: int
    constant: tuple[str, int]
    """The best constant in sample and its hits."""
    held_out: int
    """``held_out_constant``'s hits."""
    place: tuple[str, int]
    learned: tuple[str, int] | None
    fresh: tuple[int, int, int] | None = None
    """Measured again on fresh seeds (``retest``): questions there, and the hits of the
    in-sample constant and of the learned rule."""

    def shares(self) -> dict[str, float]:
        n = max(1, self.questions)
        out = {"const": self.constant[1] / n, "out": self.held_out / n, "place": self.place[1] / n}
        if self.learned is not None:
            out["learned"] = self.learned[1] / n
        return out

    @property
    def worst(self) -> float:
        return max(self.shares().values())

    @property
    def bound(self) -> float:
        """The judged figure: the larger Wilson lower end of ``out`` and ``learned``."""
        judged = [self.held_out] + ([self.learned[1]] if self.learned is not None else [])
        return max(lower_bound(hits, self.questions) for hits in judged)


def rows_for(track: str, tier: str, seeds: Sequence[int], train: int, depth: int) -> list[Row]:
    """Every template's row for one track and tier; a fine or family group holding the same
    questions as a coarse one is not repeated."""
    groups = collect(track, tier, seeds, depth)
    learned: dict[tuple[str, str], Group] = {}
    if train:
        learned = collect(track, tier, range(TRAIN_BASE, TRAIN_BASE + train), depth)
    rows = []
    seen: set[frozenset[int]] = set()
    order = {"coarse": 0, "fine": 1, "family": 2}
    for (key, level), group in sorted(groups.items(), key=lambda kv: order[kv[0][1]]):
        members = frozenset(map(id, group.asked))
        if members in seen:
            continue
        seen.add(members)
        learned_row = None
        if train:
            rule = best_rule(learned[(key, level)])[0] if (key, level) in learned else "-"
            learned_row = (rule, sum(rule in hits for hits in group.hits))
        rows.append(
            Row(
                track,
                tier,
                key,
                level,
                len(group.asked),
                len({gold_text(a.gold) for a in group.asked}),
                best_constant(group.asked),
                held_out_constant(group.asked),
                best_rule(group),
                learned_row,
            )
        )
    return rows


FRESH_BASE = 10000
"""The first of the fresh seeds a suspect template is measured again on."""
FRESH_FACTOR = 4
"""How many times the first seeds' count it is measured again on (a fluke of a few dozen
questions fades there; a weakness holds, its bound narrower)."""


def suspect(row: Row, threshold: float, min_questions: int) -> bool:
    """Whether the held-out constant or learned rule holds more than ``threshold`` of a
    template big enough to tell, beyond sampling spread (as the test judges it)."""
    return row.questions >= min_questions and row.bound > threshold


def flagged(row: Row, threshold: float, min_questions: int) -> bool:
    """``suspect``, and (when ``retest`` measured it again) above ``threshold`` beyond sampling
    spread on the fresh seeds as well."""
    if not suspect(row, threshold, min_questions):
        return False
    if row.fresh is None:
        return True
    n, const, learned = row.fresh
    return max(lower_bound(const, n), lower_bound(learned, n)) > threshold


def retest(
    rows: list[Row], seeds: int, depth: int, threshold: float, min_questions: int
) -> list[Row]:
    """``rows`` (of one track and tier, measured on ``seeds`` seeds) with each suspect measured
    again on ``FRESH_FACTOR`` times as many fresh seeds from ``FRESH_BASE``: its in-sample
    constant and its learned rule, both chosen before, scored on questions neither choice saw."""
    suspects = {id(r) for r in rows if suspect(r, threshold, min_questions)}
    if not suspects:
        return rows
    again = range(FRESH_BASE, FRESH_BASE + FRESH_FACTOR * seeds)
    fresh = collect(rows[0].track, rows[0].tier, again, depth)
    out = []
    for row in rows:
        if id(row) in suspects:
            group = fresh.get((row.key, row.level), Group(row.track, row.tier, row.key, row.level))
            const = sum(is_correct(a.gold, row.constant[0], a.names) for a in group.asked)
            rule = row.learned[0] if row.learned is not None else None
            learned = sum(rule in hits for hits in group.hits) if rule else 0
            row = replace(row, fresh=(len(group.asked), const, learned))
        out.append(row)
    return out


def format_row(row: Row, threshold: float, min_questions: int) -> str:
    shares = row.shares()
    learned = (
        f" learned {shares['learned']:6.1%} ({row.learned[0]})" if row.learned is not None else ""
    )
    mark = (
        "!!"
        if flagged(row, threshold, min_questions)
        else "? "
        if suspect(row, threshold, min_questions)
        else "  "
    )
    again = ""
    if row.fresh is not None:
        n, const_hits, rule_hits = row.fresh
        again = (
            f" fresh n={n} const {const_hits / max(1, n):.1%} learned {rule_hits / max(1, n):.1%}"
        )
    return (
        f"{mark} {row.track:9s} {row.tier:8s} n={row.questions:5d} golds={row.distinct:5d}"
        f" const {shares['const']:6.1%} ({row.constant[0][:24]!r}) out {shares['out']:6.1%}"
        f" place {shares['place']:6.1%} ({row.place[0]}){learned}"
        f" bound {row.bound:5.1%}{again} {row.level} {row.key}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", default=",".join(stream_track_names()))
    parser.add_argument("--tiers", default="lite,standard,hard")
    parser.add_argument(
        "--seeds",
        default=",".join(str(DEFAULT_SEEDS[t]) for t in DEFAULT_SEEDS),
        help="seeds 0..N-1 per tier, one N or one per tier (default 300,100,50)",
    )
    parser.add_argument("--train", type=int, default=50, help="seeds 5000+ to learn rules on")
    parser.add_argument("--depth", type=int, default=80, help="deepest place counted")
    parser.add_argument("--threshold", type=float, default=0.10)
    parser.add_argument("--min-questions", type=int, default=20)
    parser.add_argument("--top", type=int, default=0, help="print only the N worst rows")
    args = parser.parse_args(argv)
    tiers = args.tiers.split(",")
    try:
        counts = [int(n) for n in args.seeds.split(",")]
    except ValueError:
        parser.error(f"--seeds: not a number list: {args.seeds!r}")
    if len(counts) == 1:
        counts *= len(tiers)
    if len(counts) != len(tiers) or min(counts) < 1:
        parser.error("--seeds: give one positive count, or one per tier")
    tracks = args.tracks.split(",")
    for track in tracks:
        if track not in stream_track_names():
            parser.error(f"--tracks: {track!r} is not a question-stream track")
    for tier in tiers:
        if not any(tier in get_track(t).tiers for t in tracks):
            parser.error(f"--tiers: no track listed has a tier {tier!r}")
    rows: list[Row] = []
    for track in tracks:
        for tier, n in zip(tiers, counts, strict=True):
            if tier not in get_track(track).tiers:
                continue
            found = rows_for(track, tier, range(n), args.train, args.depth)
            rows += retest(found, n, args.depth, args.threshold, args.min_questions)
            print(f"# {track} {tier}: {n} seeds measured", file=sys.stderr, flush=True)
    rows.sort(key=lambda r: (r.questions < args.min_questions, -r.worst, r.track, r.tier))
    shown = rows[: args.top] if args.top else rows
    for row in shown:
        print(format_row(row, args.threshold, args.min_questions))
    bad = [r for r in rows if flagged(r, args.threshold, args.min_questions)]
    flukes = [
        r
        for r in rows
        if suspect(r, args.threshold, args.min_questions)
        and not flagged(r, args.threshold, args.min_questions)
    ]
    print(
        f"{len(bad)} of {len(rows)} templates flagged (the held-out constant or learned rule "
        f"above {args.threshold:.0%} beyond sampling spread, at least {args.min_questions} "
        f"questions, on the seeds and again on fresh ones); {len(flukes)} more passed the bound "
        f"on the first seeds only"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
