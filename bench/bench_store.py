"""Benchmark memgym's Store: CPU per write (its FTS5 indexing included) and per search, at 1k
and 10k entries.

Run as ``python bench/bench_store.py [--sizes 1000,10000] [--samples 600]``. Entries are synthetic facts about named entities with filler
words; queries are a third entity names, a third questions ("what is the revenue of X Labs?"), a
third single filler words. The store indexes a write lazily (the FTS5 index catches up at the next
search), so each write here is followed by the catch-up it leaves, inside its timing: ``write`` is
what a write costs in all. Every figure is CPU time of this process (``time.process_time_ns``: the
machine is shared, wall time is noise), median and mean. The baseline, measured in the same run on
the same entries and queries, is a naive Python list: append to write, a full scan with
case-insensitive substring search (first k matches, no ranking) to search. Targets (medians):
write <= 0.2 ms, search <= 1 ms, judged calibrated (``bench/reference.py``: the median scaled by
the reference workload measured in the same run, so the verdict is a ratio, not a figure that
fails at load).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from reference import QUIET_MS, calibrated, reference_ms

from memgym.memory.store import Store

SIZES = (1_000, 10_000)
SAMPLES = 600
K = 5
TARGET_MS = {"write": 0.2, "search": 1.0}
_SYLLABLES = ("ka", "ven", "tor", "li", "mo", "ra", "ze", "qu", "an", "dor", "pel", "is", "ux")
_NAME_SYLLABLES = ("Bro", "Fal", "Gri", "Hu", "Jas", "Nim", "Sto", "Wex", "Yor", "Cle", "Dru")
_SUFFIXES = ("Labs", "Inc", "Group", "Works")
_ATTRIBUTES = ("revenue", "headcount", "founded", "location", "ceo", "funding", "valuation", "rank")


def _word(rng: random.Random, syllables: tuple[str, ...] = _SYLLABLES) -> str:
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))


def _corpus(rng: random.Random, n: int, samples: int = SAMPLES) -> tuple[list[str], list[str]]:
    """Return ``n`` entry texts about synthetic entities and ``samples`` queries over them."""
    names = [f"{_word(rng, _NAME_SYLLABLES)} {rng.choice(_SUFFIXES)}" for _ in range(n // 10 + 1)]
    vocab = [_word(rng) for _ in range(3_000)]
    texts = []
    for _ in range(n):
        filler = " ".join(rng.choice(vocab) for _ in range(rng.randint(6, 18)))
        texts.append(
            f"{rng.choice(names)} {rng.choice(_ATTRIBUTES)} was {rng.randint(1, 9999)} "
            f"as of step {rng.randint(1, 50_000)}; {filler}."
        )
    queries = []
    for i in range(samples):
        name = rng.choice(names)
        question = f"what is the {rng.choice(_ATTRIBUTES)} of {name}?"
        queries.append((name, question, rng.choice(vocab))[i % 3])
    return texts, queries


def _timed(call: Callable[[str], object], args: list[str]) -> list[float]:
    """CPU milliseconds each ``call(arg)`` took."""
    out = []
    for arg in args:
        start = time.process_time_ns()
        call(arg)
        out.append((time.process_time_ns() - start) / 1e6)
    return out


def _bench_store(texts: list[str], extra: list[str], queries: list[str]) -> dict[str, list[float]]:
    with Store() as store:
        for text in texts:
            store.write(text)
        store._catch_up()  # the filled store's index is current before timing starts

        def write(text: str) -> None:
            store.write(text)
            store._catch_up()  # the FTS5 indexing this write leaves for the next search

        writes = _timed(write, extra)
        searches = _timed(lambda query: store.search(query, K), queries)
    return {"write": writes, "search": searches}


def _bench_naive(texts: list[str], extra: list[str], queries: list[str]) -> dict[str, list[float]]:
    lowered = [text.lower() for text in texts]

    def search(query: str) -> list[str]:
        needle = query.lower()
        return [text for text in lowered if needle in text][:K]

    writes = _timed(lambda text: lowered.append(text.lower()), extra)
    return {"write": writes, "search": _timed(search, queries)}


def main(argv: list[str] | None = None) -> None:
    """Measure and print the table (CPU ms: median, mean and 90th percentile)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="entries, e.g. 1000")
    parser.add_argument("--samples", type=int, default=SAMPLES, help="writes and searches timed")
    args = parser.parse_args(argv)
    rng = random.Random(0)
    header = (
        f"{'entries':>8} {'op':>7} {'median':>8} {'mean':>8} {'p90':>8} {'calib.':>8}"
        f" {'target':>7} {'met':>4} {'naive':>8} {'naive/store':>12}"
    )
    print(header)
    print("-" * len(header))
    for n in (int(size) for size in args.sizes.split(",")):
        texts, queries = _corpus(rng, n + args.samples, args.samples)
        base, extra = texts[:n], texts[n:]
        before = reference_ms()
        store, naive = _bench_store(base, extra, queries), _bench_naive(base, extra, queries)
        reference = (before + reference_ms()) / 2
        for op, target in TARGET_MS.items():
            median = statistics.median(store[op])
            mean = statistics.fmean(store[op])
            p90 = statistics.quantiles(store[op], n=10)[-1]
            naive_median = statistics.median(naive[op])
            calib = calibrated(median, reference)
            met = "yes" if calib <= target else "NO"
            print(
                f"{n:>8} {op:>7} {median:>8.4f} {mean:>8.4f} {p90:>8.4f} {calib:>8.4f}"
                f" {target:>7.1f} {met:>4} {naive_median:>8.4f} {naive_median / median:>11.3g}x"
            )
        print(
            f"{'':>8} reference workload {reference:.2f} ms CPU in this run (quiet machine "
            f"{QUIET_MS} ms): calibrated = median x {QUIET_MS / reference:.3f}"
        )


if __name__ == "__main__":
    main()
