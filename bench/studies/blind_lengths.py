"""The entity-blind memory at long streams: how often the learned place rule holds the gold at
each length, which templates and rules win, and where the gold sits among the asked attribute's
values.

For each (track, length) it generates training seeds and test seeds at that ``target_tokens``
and, per valued question, every place or count rule (``cheats.position_rules`` to ``--depth``)
that picks the gold from the asked attribute's values stated before the question about anyone
(filler states nothing by each track's contract, so only core events are read: the values are
those the suite's ``sightings`` sees). It prints the share of gold questions answered by:

- ``suite``: the suite's rule (``cheats.learned_rule`` over ``cheats.POSITION_RULES``, learned on
  ``cheats.TRAIN_SEEDS`` seeds from ``cheats.TRAIN_BASE``), what ``memgym audit`` runs;
- ``deep``: the same choice over rules counted to ``--depth`` (and count rules over the extra
  ``--windows``), learned on ``--train`` seeds (5000+), per coarse template;
- ``fine``: as ``deep``, with one rule per fine template (filter values kept);
- ``ordinal``: as ``deep``, with one rule per question number (the k-th question asked);
- ``best``: the single rule best over the test questions themselves (in sample: a ceiling);

then the rules the suite learned, per template, and histograms of the gold's place counted from
the end among distinct values (``distinct``) and from the start (``first_distinct``).

    PYTHONPATH=. python bench/studies/blind_lengths.py --tracks research,dialogue --lengths 10k,100k,1m \\
        --test 200 --train 50 --windows 15,30,40,70,100
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from memgym.commands.audit import parse_lengths
from memgym.scoring.reading import Names, answer_names
from memgym.simulation import cheats
from memgym.simulation.cheats import Rule, asked_attribute, position_rules, template_key
from memgym.tracks import get_track
from memgym.tracks.base import Track
from memgym.types import GoldQuestion

TRAIN_BASE = 5000


@dataclass(frozen=True)
class Asked:
    """One valued question, the attribute's values before it and the rules that hold its gold."""

    gold: GoldQuestion
    values: tuple[str, ...]
    hits: frozenset[str]


def asked(
    track: Track, seed: int, tier: str | None, length: int, rules: Mapping[str, Rule]
) -> Iterator[Asked]:
    """Each valued question of one scenario with the rules (of ``rules``) holding its gold."""
    scenario = track.generate(seed, tier, target_tokens=length)
    names = answer_names(scenario)
    wanted = {asked_attribute(q.spec) for q in scenario.questions}
    values: dict[str, list[str]] = {a: [] for a in wanted}
    for event in scenario.events:  # core events only: filler states nothing
        q = event.question
        if q is None:
            for claim in track.read_cached(event.text):
                if claim.attribute in values:
                    values[claim.attribute].append(claim.value)
            continue
        if q.answer is None:
            continue
        stated = tuple(values[asked_attribute(q.spec)])
        yield Asked(q, stated, frozenset(cheats.rules_holding(q, stated, rules, names)))


def probe_rules(depth: int, windows: Sequence[int]) -> dict[str, Rule]:
    """``position_rules(depth)`` plus the count rules (k-th commonest or rarest, k = 1-3, both
    tie breaks) over the extra ``windows`` the suite does not count over."""
    rules = position_rules(depth)
    for w in windows:
        for common in (True, False):
            for k in (1, 2, 3):
                for latest in (True, False):
                    name = f"{'commonest' if common else 'rarest'}{k}@{w}{'' if latest else '^'}"
                    rules[name] = _by_count_rule(k, w, common, latest)
    return rules


def _by_count_rule(k: int, window: int, common: bool, latest: bool) -> Rule:
    def rule(values: Sequence[str]) -> str:
        ranked = cheats._by_count(values[-window:], common, latest)
        return ranked[k - 1] if len(ranked) >= k else ""

    return rule


def key_of(gold: GoldQuestion, level: str) -> str:
    """The question's key at ``level``: its coarse or fine template, or its place among the
    scenario's questions (``ordinal``: the k-th question asked)."""
    if level == "ordinal":
        return gold.id
    return template_key(gold.spec, level == "fine")


def learn(items: Sequence[Asked], level: str) -> dict[str, Counter[str]]:
    """Per key (and ``*``), how often each rule held the gold: ``cheats.learn_rules``' table,
    keyed as ``cheats.learned_rule`` reads it."""
    table: dict[str, Counter[str]] = {"rule:*": Counter()}
    for a in items:
        key = f"rule:{key_of(a.gold, level)}"
        table.setdefault(key, Counter()).update(a.hits)
        table["rule:*"].update(a.hits)
    return table


def choose(table: Mapping[str, Counter[str]], gold: GoldQuestion, level: str) -> str:
    """``cheats.learned_rule``'s choice, with the question's key at ``level``."""
    rules = table.get(f"rule:{key_of(gold, level)}")
    if not rules or rules.most_common(1)[0][1] < cheats.MIN_RULE_HITS:
        rules = table.get("rule:*")
    return rules.most_common(1)[0][0] if rules else ""


def place(order: Sequence[str], gold: GoldQuestion, names: Names | None = None) -> int:
    """1-based place of the gold in ``order`` (0: absent)."""
    text = gold.answer if isinstance(gold.answer, str) else str(gold.answer)
    for k, v in enumerate(order, 1):
        if v == text:
            return k
    return 0


def histogram(places: Sequence[int], width: int = 5, top: int = 60) -> str:
    """Counts of places in bins of ``width`` (0: absent), as one line."""
    bins = Counter(min(p, top + 1) // width if p else -1 for p in places)
    parts = [f"absent {bins.pop(-1, 0)}"]
    for b in sorted(bins):
        low = b * width
        parts.append(f"{low}-{low + width - 1}:{bins[b]}")
    return " ".join(parts)


def report(track_name: str, tier: str | None, length: int, args: argparse.Namespace) -> None:
    track = get_track(track_name)
    windows = [int(w) for w in args.windows.split(",") if w]
    deep_rules = probe_rules(args.depth, windows)
    suite_train = [
        a
        for i in range(cheats.TRAIN_SEEDS)
        for a in asked(track, cheats.TRAIN_BASE + i, tier, length, deep_rules)
    ]
    train = [
        a
        for seed in range(TRAIN_BASE, TRAIN_BASE + args.train)
        for a in asked(track, seed, tier, length, deep_rules)
    ]
    test = [
        a
        for seed in range(args.seed, args.seed + args.test)
        for a in asked(track, seed, tier, length, deep_rules)
    ]
    suite_names = set(cheats.POSITION_RULES)
    suite_table = learn(
        [Asked(a.gold, a.values, a.hits & suite_names) for a in suite_train], "coarse"
    )
    tables = {level: learn(train, level) for level in ("coarse", "fine", "ordinal")}
    n = max(1, len(test))
    scores = {
        "suite": sum(choose(suite_table, a.gold, "coarse") in a.hits for a in test),
        "deep": sum(choose(tables["coarse"], a.gold, "coarse") in a.hits for a in test),
        **{
            level: sum(choose(tables[level], a.gold, level) in a.hits for a in test)
            for level in ("fine", "ordinal")
        },
    }
    best_rule, best = (
        Counter(r for a in test for r in a.hits).most_common(1)[0] if test else ("", 0)
    )
    print(
        f"{track_name} {tier or 'default'} {length:,}: {len(test)} questions; "
        + " ".join(f"{k} {v / n:.3f}" for k, v in scores.items())
        + f" best {best / n:.3f} ({best_rule})",
        flush=True,
    )
    per: dict[str, list[Asked]] = {}
    for a in test:
        per.setdefault(template_key(a.gold.spec, False), []).append(a)
    for key, items in sorted(per.items(), key=lambda kv: -len(kv[1])):
        rule = choose(suite_table, items[0].gold, "coarse")
        won = sum(rule in a.hits for a in items)
        print(f"  {won:3d}/{len(items):3d} suite rule {rule:22s} {key[:110]}")
    if args.top:
        ranked = Counter(r for a in test for r in a.hits).most_common(args.top)
        print("  top rules: " + " ".join(f"{r} {c / n:.3f}" for r, c in ranked))
    if args.places:
        dist = [place(list(dict.fromkeys(reversed(a.values))), a.gold) for a in test]
        first = [place(list(dict.fromkeys(a.values)), a.gold) for a in test]
        raw_end = [place(a.values[::-1], a.gold) for a in test]
        raw_start = [place(a.values, a.gold) for a in test]
        print(f"  last-from-end: {histogram(raw_end, args.bin, args.span)}")
        print(f"  first-from-start: {histogram(raw_start, args.bin, args.span)}")
        print(f"  distinct-from-end: {histogram(dist, args.bin, args.span)}")
        print(f"  distinct-from-start: {histogram(first, args.bin, args.span)}")
        print(f"  values held: {histogram([len(set(a.values)) for a in test], 20, 400)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", default="research,dialogue")
    parser.add_argument("--tier", default=None)
    parser.add_argument("--lengths", default="10k,100k", help="target_tokens, e.g. 10k,100k,1m")
    parser.add_argument("--train", type=int, default=30, help="training seeds (5000+)")
    parser.add_argument("--seed", type=int, default=0, help="first test seed")
    parser.add_argument("--test", type=int, default=20, help="test seeds")
    parser.add_argument("--depth", type=int, default=80, help="deepest place counted")
    parser.add_argument(
        "--windows", default="", help="extra count windows for the probe, e.g. 30,40,70,100"
    )
    parser.add_argument("--top", type=int, default=0, help="print the N best rules in sample")
    parser.add_argument("--bin", type=int, default=5, help="places per histogram bin")
    parser.add_argument("--span", type=int, default=60, help="places the histograms show")
    parser.add_argument("--places", action="store_true", help="print the gold's places")
    args = parser.parse_args()
    for track in args.tracks.split(","):
        for length in parse_lengths(args.lengths):
            if length is None:
                raise SystemExit("give explicit lengths")
            report(track, args.tier, length, args)


if __name__ == "__main__":
    main()
