"""A code base whose logic departs from the standard library's, per seed: no model has seen it.

The renaming of ``disguise`` hides the file, not the code: a model that knows the original
module could put back every deviation from it and so undo the session's bugs without
remembering anything (the ``swe-prior`` cheat). So each seed's code base also behaves
differently from the original: ``DRIFTS`` changes of its own logic, made with the same
operators as the bugs (a comparison, an operator, a constant, a condition, an argument order:
``mutations``) in as many functions, each changing between one probe and a quarter of them
(half, where too few do) and none hanging. They are the code base's behaviour, not bugs: its probe results (every
hidden test's expected values) are the drifted code's, and each task's hidden tests include a
probe the drifts change (``tasks``), so putting the original back fails them. A drift reads
like any other line (one line, ``ast.unparse``'s layout) and like a bug: from the text alone a
model cannot tell which deviations to undo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from functools import cache

from memgym.tracks.swe.disguise import Variant, variant
from memgym.tracks.swe.hidden import evaluate_sources
from memgym.tracks.swe.mutations import Mutation, apply_all, mutate, sites

DRIFTS = 5
"""Changes of each seed's code base's own logic."""
SHARES = (0.25, 0.5)
"""At most this share of the code base's probes may one drift change; the second where too few
drifts fit under the first (a small module whose functions all feed the same probes)."""
MAX_TRIED = 48
BATCH = 8

Lines = tuple[tuple[int, str], ...]
"""Drifted lines: (line number, text)."""


@dataclass(frozen=True)
class House:
    """Seed ``seed``'s code base: ``code`` (renamed and drifted), its drifted ``lines``, the
    probes' results on it (``results``) and on the standard library's code (``plain``)."""

    code: Variant
    lines: Lines
    results: tuple[str, ...]
    plain: tuple[str, ...]

    def drifted_probes(self) -> set[int]:
        """The probes whose result the drifts change."""
        return {i for i, (a, b) in enumerate(zip(self.results, self.plain, strict=True)) if a != b}


def with_lines(code: Variant, lines: Lines) -> Variant:
    """``code`` with ``lines`` put in place."""
    text = code.source.split("\n")
    for number, line in lines:
        text[number - 1] = line
    return replace(code, source="\n".join(text))


@cache
def house(name: str, seed: int) -> House:
    """Code base ``name`` as seed ``seed`` rewrites it: renamed (``disguise``), then drifted."""
    base = variant(name, seed)
    probes = list(base.codebase.probes)
    rng = random.Random(f"swe-drift|{name}|{seed}")
    (plain,) = evaluate_sources(base, [base.source], probes)
    order = sites(base.source)
    rng.shuffle(order)
    tried: list[tuple[Mutation, int]] = []  # a candidate and how many probes it changes
    fitting = 0
    while fitting < DRIFTS and order and len(tried) < MAX_TRIED:
        batch: list[Mutation] = []
        while order and len(batch) < BATCH:
            mutation = mutate(base.source, order.pop(), rng)
            if mutation is not None:
                batch.append(mutation)
        rows = evaluate_sources(base, [apply_all(base.source, [m]) for m in batch], probes)
        for mutation, row in zip(batch, rows, strict=True):
            changed = sum(r != p for r, p in zip(row, plain, strict=True))
            tried.append((mutation, -1 if "!Timeout" in row else changed))
        fitting = len({m.site.function for m, n in tried if 1 <= n <= SHARES[0] * len(probes)})
    chosen: list[Mutation] = []
    for share in SHARES:  # the narrowest first; broader ones where too few fit (small modules)
        for mutation, n in tried:
            if (
                len(chosen) < DRIFTS
                and 1 <= n <= share * len(probes)
                and all(m.site.function != mutation.site.function for m in chosen)
            ):
                chosen.append(mutation)
    while True:  # the drifts together: none may hang a probe
        lines = tuple(sorted((m.site.line, m.bug_line) for m in chosen))
        code = with_lines(base, lines)
        (results,) = evaluate_sources(base, [code.source], probes)
        if "!Timeout" not in results or not chosen:
            return House(code, lines, tuple(results), tuple(plain))
        chosen.pop()
