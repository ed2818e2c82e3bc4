"""Generation of one session's tasks: several bugs in one code base, each with its hidden tests.

Candidate mutations are drawn in a seeded order, one per function, and kept only when:

1. some probe's result differs from the original's (else ``no_failing_probe``), and no probe
   runs past its CPU limit (``timeout``);
2. the task keeps a probe that no other bug of the session changes (``entangled``), so fixing
   this bug passes its tests whatever happened to the others;
3. with every bug in place its tests fail, and with only its own bug fixed they pass
   (``interaction``): checked on the composed trees, not assumed;
4. its one-line fix can be stated as an exact, unique text replacement in its function
   (``not_unique``);
5. its tests fail on the standard library's code (``prior``): one of its guards is a probe
   the code base's own drifts change (``drift``), where there is one, so a model that puts the
   original back without remembering the fix fails them.

The counts of every rejection are kept with the tasks: the generation yield.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from memgym.tracks.swe.disguise import Variant
from memgym.tracks.swe.hidden import HiddenTest, evaluate_sources
from memgym.tracks.swe.mutations import Mutation, apply_all, functions, mutate, sites

BATCH = 8
"""Candidate mutations evaluated per probe-runner call."""
MAX_TESTS = 12
"""At most this many failing probes per task, plus ``GUARDS`` unaffected ones."""
GUARDS = 3


@dataclass
class TaskSpec:
    """One bug of a session and everything needed to set, fix and verify it."""

    task_id: str
    function: str
    start: int
    end: int
    kind: str
    line: int
    gold_line: str
    bug_line: str
    old: str
    new: str
    outline_line: str
    tests: list[list[str]]
    issue: list[str]

    def hidden_tests(self) -> list[HiddenTest]:
        return [HiddenTest(p, e) for p, e in self.tests]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Generation:
    """A session's tasks and how many candidates were tried and rejected, by reason."""

    tasks: list[TaskSpec]
    tried: int = 0
    rejected: Counter[str] = field(default_factory=Counter)


def _snippet(lines: list[str], line: int, function: tuple[int, int], fix: str) -> tuple[str, str]:
    """(old, new): the bug's line with neighbours of its function added until ``old`` occurs
    once in ``lines``; raises ``LookupError`` when no such span exists."""
    lo = hi = line - 1
    text = "\n".join(lines)
    while True:
        old = "\n".join(lines[lo : hi + 1])
        if text.count(old) == 1:
            new = "\n".join(lines[lo : line - 1] + [fix] + lines[line : hi + 1])
            return old, new
        if hi + 1 <= function[1] - 1:
            hi += 1
        elif lo - 1 >= function[0] - 1:
            lo -= 1
        else:
            raise LookupError("no unique span")


def build_tasks(
    code: Variant,
    original: tuple[str, ...],
    rng: random.Random,
    count: int,
    prefix: str,
    plain: tuple[str, ...] | None = None,
    max_tried: int = 96,
) -> Generation:
    """``count`` checked tasks in ``code`` (``original``: every probe's result on it; ``plain``:
    on the standard library's code, which the tests must tell apart; fewer tasks only when
    ``max_tried`` candidates run out)."""
    source = code.source
    probes = list(code.codebase.probes)
    funcs = functions(source)
    order = sites(source)
    rng.shuffle(order)
    gen = Generation([])
    seen: dict[int, list[str]] = {}  # site index -> the mutant's result for every probe
    accepted: list[tuple[Mutation, set[int]]] = []  # mutation, indices of probes it changes
    remaining = [s for s in order if s.function in funcs]
    drifted = _drifted(original, plain)
    while len(accepted) < count and remaining and gen.tried < max_tried:
        batch: list[Mutation] = []
        used = {m.site.function for m, _ in accepted}
        remaining = [s for s in remaining if s.function not in used]
        left = []
        for site in remaining:
            if len(batch) >= BATCH or site.function in used:
                left.append(site)  # one candidate per function and batch: later
                continue
            gen.tried += 1
            mutation = mutate(source, site, rng)
            if mutation is None:
                gen.rejected["not_one_line"] += 1
                continue
            used.add(site.function)
            batch.append(mutation)
        remaining = left
        if not batch:
            break
        rows = evaluate_sources(code, [apply_all(source, [m]) for m in batch], probes)
        for mutation, row in zip(batch, rows, strict=True):
            changed = {i for i, (r, o) in enumerate(zip(row, original, strict=True)) if r != o}
            if any(r == "!Timeout" for r in row):
                gen.rejected["timeout"] += 1
            elif not changed:
                gen.rejected["no_failing_probe"] += 1
            elif len(accepted) < count and all(
                a.site.function != mutation.site.function for a, _ in accepted
            ):
                if not _telling(accepted + [(mutation, changed)], drifted):
                    gen.rejected["prior"] += 1  # the original would pass some task's tests
                    continue
                accepted.append((mutation, changed))
                seen[mutation.site.index] = row
            else:
                gen.tried -= 1  # drawn beyond need: not a rejection
        accepted = _settle(code, original, accepted, gen)
    gen.tasks = _specs(code, original, accepted, seen, funcs, rng, prefix, gen, plain)
    return gen


def _drifted(original: tuple[str, ...], plain: tuple[str, ...] | None) -> set[int] | None:
    """The probes whose result differs on the standard library's code (None: not asked)."""
    if plain is None:
        return None
    return {i for i, (a, b) in enumerate(zip(original, plain, strict=True)) if a != b}


def _telling(accepted: list[tuple[Mutation, set[int]]], drifted: set[int] | None) -> bool:
    """Whether every task can have a test the original fails: a drifted probe no bug touches
    (a guard), or one among the task's own."""
    if drifted is None:
        return True
    touched = set().union(*(c for _, c in accepted))
    return bool(drifted - touched) or all(_own(accepted, k) & drifted for k in range(len(accepted)))


def _own(accepted: list[tuple[Mutation, set[int]]], k: int) -> set[int]:
    others = set().union(*(c for j, (_, c) in enumerate(accepted) if j != k))
    return accepted[k][1] - others


def _settle(
    code: Variant,
    original: tuple[str, ...],
    accepted: list[tuple[Mutation, set[int]]],
    gen: Generation,
) -> list[tuple[Mutation, set[int]]]:
    """``accepted`` less the tasks that are entangled or interact, re-checked until stable."""
    while accepted:
        own = [_own(accepted, k) for k in range(len(accepted))]
        entangled = [k for k, o in enumerate(own) if not o]
        if entangled:
            gen.rejected["entangled"] += 1  # drop the broadest bug: it hides the others
            broadest = max(range(len(accepted)), key=lambda k: (len(accepted[k][1]), k))
            accepted = [a for k, a in enumerate(accepted) if k != broadest]
            continue
        mutations = [m for m, _ in accepted]
        source = code.source
        trees = [apply_all(source, mutations)] + [
            apply_all(source, mutations[:k] + mutations[k + 1 :]) for k in range(len(mutations))
        ]
        probes = sorted(set().union(*own))
        rows = evaluate_sources(code, trees, [code.codebase.probes[i] for i in probes])
        bad = []
        for k, o in enumerate(own):
            picked = [probes.index(i) for i in o]
            fails_bugged = any(rows[0][p] != original[probes[p]] for p in picked)
            passes_fixed = all(rows[k + 1][p] == original[probes[p]] for p in picked)
            if not (fails_bugged and passes_fixed):
                bad.append(k)
        if not bad:
            return accepted
        gen.rejected["interaction"] += len(bad)
        accepted = [a for k, a in enumerate(accepted) if k not in bad]
    return accepted


def _specs(
    code: Variant,
    original: tuple[str, ...],
    accepted: list[tuple[Mutation, set[int]]],
    seen: dict[int, list[str]],
    funcs: dict[str, Any],
    rng: random.Random,
    prefix: str,
    gen: Generation,
    plain: tuple[str, ...] | None,
) -> list[TaskSpec]:
    """The task specs of the settled mutations (fixes stated as unique replacements, tests
    that fail on ``plain``'s code where it is given)."""
    codebase = code.codebase
    bugged = apply_all(code.source, [m for m, _ in accepted]).split("\n")
    touched = set().union(*(c for _, c in accepted)) if accepted else set()
    guards = [i for i in range(len(original)) if i not in touched]
    drifted = _drifted(original, plain) or set()
    drifted_guards = sorted(i for i in guards if i in drifted)
    specs: list[TaskSpec] = []
    for k, (mutation, _) in enumerate(accepted):
        f = funcs[mutation.site.function]
        try:
            old, new = _snippet(bugged, mutation.site.line, (f.start, f.end), mutation.gold_line)
        except LookupError:
            gen.rejected["not_unique"] += 1
            continue
        own = sorted(_own(accepted, k))
        chosen = own if len(own) <= MAX_TESTS else sorted(rng.sample(own, MAX_TESTS))
        telling = [] if drifted_guards else [i for i in own if i in drifted]
        if telling and not set(chosen) & set(telling):  # the original must fail some test
            chosen = sorted([rng.choice(telling)] + chosen[1:])
        shown = min(chosen, key=lambda i: (len(codebase.probes[i]) + len(original[i]), i))
        first = [rng.choice(drifted_guards)] if drifted_guards else []
        rest = [i for i in guards if i not in first]
        picked = chosen + sorted(first + rng.sample(rest, min(GUARDS - len(first), len(rest))))
        if plain is not None and all(plain[i] == original[i] for i in picked):
            gen.rejected["prior"] += 1
            continue
        specs.append(
            TaskSpec(
                task_id=f"{prefix}-{len(specs) + 1}",
                function=f.name,
                start=f.start,
                end=f.end,
                kind=mutation.site.kind,
                line=mutation.site.line,
                gold_line=mutation.gold_line,
                bug_line=mutation.bug_line,
                old=old,
                new=new,
                outline_line=f"{f.start}:{bugged[f.start - 1]}",
                tests=[[codebase.probes[i], original[i]] for i in picked],
                issue=[codebase.probes[shown], original[shown], seen[mutation.site.index][shown]],
            )
        )
    return specs
