"""Bounded memories on the entities track: memories whose size does not grow with the stream.

Each member keeps a fixed slice of the stream (the last K events of one class, the first K
events of one class, the last N tokens, a seeded uniform reservoir of K events of one class)
and answers every question with the scripted reader
over what it kept (``Table.from_claims`` + ``evaluate``, as ``ScriptedReasoner`` does), scored by
the real scorer (``is_correct``; no writes, so efficiency = accuracy). Classes are what an agent
tells apart from the text alone: documents, labelled corrections, unlabeled updates, changes
(corrections and updates), any event.

Printed per tier: each member's mean composite on the test seeds, and the per-template union
bound: for every question kind the member best on the tuning seeds answers it on the test
seeds (``union``), and the stricter bound that picks the best member per kind on the test seeds
themselves (``union*``). Every cell must be at most 0.05.

    python bench/bounded_entities.py --tiers lite,standard,hard --seeds 200-229 --tune 100-119
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

from memgym.query import ABSTAIN, Table, evaluate
from memgym.scoring import is_correct
from memgym.scoring.axes import score_answers
from memgym.scoring.reading import answer_names
from memgym.tokens import count_tokens
from memgym.tracks.registry import get_track
from memgym.types import Event, Scenario

KS = (1, 2, 4, 8, 16)
NS = (250, 500, 1000, 2000)
RESERVOIRS = (4, 16)
CLASSES: dict[str, Callable[[Event], bool]] = {
    "doc": lambda e: e.kind == "document",
    "corr": lambda e: e.kind == "correction",
    "upd": lambda e: e.kind == "update",
    "change": lambda e: e.kind in ("correction", "update"),
    "any": lambda e: True,
}


class Member:
    """One bounded memory: ``observe`` each non-question event, ``texts`` what it holds."""

    def __init__(self, name: str, keep: Callable[[Event], bool], k: int, first: bool) -> None:
        self.name, self.keep, self.first = name, keep, first
        self.held: deque[str] = deque(maxlen=None if first else k)
        self.k = k

    def observe(self, event: Event) -> None:
        if self.keep(event) and (not self.first or len(self.held) < self.k):
            self.held.append(event.text)

    def texts(self) -> Iterable[str]:
        return self.held


class Tokens(Member):
    """The last ``n`` tokens of the stream (whole events, newest first, while they fit)."""

    def __init__(self, n: int) -> None:
        super().__init__(f"tok{n}", lambda e: True, 0, False)
        self.n, self.window, self.size = n, deque[tuple[str, int]](), 0

    def observe(self, event: Event) -> None:
        size = count_tokens(event.text)
        self.window.append((event.text, size))
        self.size += size
        while self.size > self.n and self.window:
            self.size -= self.window.popleft()[1]

    def texts(self) -> Iterable[str]:
        return [t for t, _ in self.window]


class Reservoir(Member):
    """A uniform sample of ``k`` events of one class (reservoir sampling, seeded)."""

    def __init__(self, name: str, keep: Callable[[Event], bool], k: int, seed: int) -> None:
        super().__init__(name, keep, k, True)
        self.rng, self.seen = random.Random(seed), 0
        self.held = deque()

    def observe(self, event: Event) -> None:
        if not self.keep(event):
            return
        self.seen += 1
        if len(self.held) < self.k:
            self.held.append(event.text)
        elif (j := int(self.rng.random() * self.seen)) < self.k:
            self.held[j] = event.text


def members(seed: int) -> list[Member]:
    out: list[Member] = []
    for k in KS:
        for cls, keep in CLASSES.items():
            out.append(Member(f"last{k}_{cls}", keep, k, False))
            if cls != "doc":
                out.append(Member(f"first{k}_{cls}", keep, k, True))
    out += [Tokens(n) for n in NS]
    for k in RESERVOIRS:
        for cls in ("doc", "corr", "upd", "change"):
            out.append(Reservoir(f"res{k}_{cls}", CLASSES[cls], k, seed))
    return out


def episode(track: Any, scenario: Scenario) -> dict[str, list[tuple[str, str, bool]]]:
    """member -> (kind, axis, correct) per question."""
    ms = members(scenario.seed)
    names = answer_names(scenario)
    out: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    for event in scenario.events:
        q = event.question
        if q is None:
            for m in ms:
                m.observe(event)
            continue
        for m in ms:
            claims = track.read("\n".join(m.texts()))
            answer = evaluate(q.spec, Table.from_claims(claims)) if claims else ABSTAIN
            out[m.name].append((q.kind, q.axis, is_correct(q, answer, names)))
    return out


def composite(answers: list[tuple[str, str, bool]]) -> float:
    records = [SimpleNamespace(axis=a, correct=c, status="ok") for _, a, c in answers]
    return score_answers(records, 0).composite  # type: ignore[arg-type]


def seeds_of(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def run(tier: str, tune: list[int], test: list[int], params: dict[str, Any]) -> None:
    track = get_track("entities")
    runs = {s: episode(track, track.generate(s, tier, **params)) for s in [*tune, *test]}
    names = list(runs[test[0]])
    # best member per kind on the tuning seeds (share of that kind's questions answered)
    hits: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for s in tune:
        for name in names:
            for kind, _, ok in runs[s][name]:
                h = hits[(kind, name)]
                h[0] += ok
                h[1] += 1
    kinds = {k for k, _ in hits}
    best = {k: max(names, key=lambda n: hits[(k, n)][0] / max(1, hits[(k, n)][1])) for k in kinds}
    test_hits: dict[tuple[str, str], int] = defaultdict(int)
    for s in test:
        for name in names:
            for kind, _, ok in runs[s][name]:
                test_hits[(kind, name)] += ok
    best_test = {k: max(names, key=lambda n: test_hits[(k, n)]) for k in kinds}
    rows = {n: statistics.fmean(composite(runs[s][n]) for s in test) for n in names}

    def union(choice: dict[str, str]) -> float:
        scores = []
        for s in test:
            per_q = list(zip(*(runs[s][n] for n in names)))
            index = {n: i for i, n in enumerate(names)}
            answers = [row[index[choice.get(row[0][0], names[0])]] for row in per_q]
            scores.append(composite(answers))
        return statistics.fmean(scores)

    rows["union"], rows["union*"] = union(best), union(best_test)
    worst = max(rows, key=rows.__getitem__)
    print(
        f"{tier}: worst {worst} {rows[worst]:.3f}; union {rows['union']:.3f} "
        f"union* {rows['union*']:.3f}"
    )
    for name, value in sorted(rows.items(), key=lambda kv: -kv[1])[:60]:
        print(f"  {name:16s} {value:.3f}")
    print("  best per kind (test):", {k: best_test[k] for k in sorted(kinds)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", default="lite,standard,hard")
    parser.add_argument("--seeds", default="200-229")
    parser.add_argument("--tune", default="100-119")
    parser.add_argument("--param", action="append", default=[], help="key=value (int)")
    args = parser.parse_args()
    params = {k: int(v) for k, v in (p.split("=", 1) for p in args.param)}
    for tier in args.tiers.split(","):
        run(tier, seeds_of(args.tune), seeds_of(args.seeds), params)


if __name__ == "__main__":
    main()
