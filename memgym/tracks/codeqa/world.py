"""The repository model of one scenario: modules, constants, functions, errors and changes.

It also names a few "ghost" constants and functions that the repository never defines; only
distractors mention them, and abstention questions ask about them.

Functions form a call DAG (a function only calls functions among the next ``CALL_REACH`` in a
hidden rank order, so there is no recursion and call chains run several functions deep); each
function may read one module-level constant of its own module and raises one error class.
Constants are numbers from a family (``RETRY_LIMIT``, ``TIMEOUT_MS``, ...); a change (a hotfix
``correction`` or a changelog ``update``) gives one constant a new value.
"""

from __future__ import annotations

import random as _random
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from memgym.claims import format_number
from memgym.tracks.codeqa import names

CORRECTION, UPDATE = "correction", "update"


@dataclass(frozen=True, slots=True)
class Family:
    """A kind of constant: its name suffix and how its values are drawn."""

    suffix: str
    low: float
    high: float
    step: float = 1
    decimals: int = 0

    def draw(self, random: Any) -> int | float:
        """A value on this family's grid."""
        slots = round((self.high - self.low) / self.step)
        value = self.low + int(random() * (slots + 1)) * self.step
        return round(value, self.decimals) if self.decimals else round(value)

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 2


FAMILIES = (
    Family("RETRY_LIMIT", 3, 60),
    Family("TIMEOUT_MS", 150, 9950, 50),
    Family("BATCH_SIZE", 16, 2048),
    Family("TTL_S", 60, 7200, 15),
    Family("MAX_CONNECTIONS", 4, 512),
    Family("BACKOFF_FACTOR", 1.1, 4.9, 0.01, 2),
    Family("SAMPLE_RATIO", 0.05, 0.95, 0.01, 2),
    Family("WINDOW_S", 5, 3600, 5),
)
CALL_DEGREES = (0, 1, 1, 1, 2, 2, 3)
"""Out-degree of a function in the call graph, drawn uniformly from this tuple."""
CALL_REACH = 6
"""A function calls only functions among the next this many in the hidden rank order (the
order is shuffled apart from modules and presentation, so it shows in no name or place). Calls
to anywhere later left few call chains with two or more functions between their ends at lite
(3.1 per repository over seeds 0-299, none in 44 of them), the only chains asked
(``questions.MIN_CHAIN``); with this reach 5.0 (none in 8)."""
USES_CONSTANT = 0.65
RAISES_ERROR = 1.0
"""Share of functions that raise an error class (all: the raisers of the commonest class then
reach the large counts of ``questions.count_support``; at 0.75, 5 on average at lite)."""
ERROR_WEIGHT_POWER = 4
"""Error ``e`` (0-based, in the scenario's shuffled order) is picked with weight
``(e + 1) ** ERROR_WEIGHT_POWER`` (1, 16, 81, ...): one class is raised by many functions and
others by few, so count questions have golds all over their support. With weights 1, 2, 3 the
commonest class had too few raisers for a count of 5 or 6 where a question could go, and the
small counts piled up (the constant 1 held 24.3 % of lite's count questions)."""
GHOSTS = 2
"""Constant and function names per repository that only distractors mention (never defined):
what abstention questions ask about."""
PER_FAMILY = 12
"""Constants per family a repository aims at: it draws its constants from only
``ceil(constants / PER_FAMILY)`` families (at least 2), so a name's suffix does not name the
constant and a memory of values per suffix must still tell several constants apart."""


@dataclass(slots=True)
class Constant:
    name: str
    module: int
    family: Family
    value: int | float

    @property
    def text(self) -> str:
        return format_number(self.value)


@dataclass(slots=True)
class Function:
    name: str
    module: int
    verb: str
    noun: str
    calls: list[int] = field(default_factory=list)
    raises: int | None = None
    uses: int | None = None


@dataclass(slots=True)
class Change:
    """``kind`` gives constant ``constant`` the value ``new`` (it was ``old``)."""

    kind: str
    constant: int
    old: int | float
    new: int | float


@dataclass(slots=True)
class World:
    package: str
    modules: list[str]
    errors: list[str]
    constants: list[Constant]
    functions: list[Function]
    changes: list[Change]
    ghost_constants: list[str] = field(default_factory=list)
    ghost_functions: list[str] = field(default_factory=list)

    def module_path(self, m: int) -> str:
        """The dotted import path of module ``m``."""
        return f"{self.package}.{self.modules[m]}"

    def file_path(self, m: int) -> str:
        return f"{self.package}/{self.modules[m]}.py"


def _spread(rng: _random.Random, count: int, bins: int, at_least: int) -> list[int]:
    """``count`` bin indices with every bin used ``at_least`` times, in random order."""
    out = [b for b in range(bins) for _ in range(at_least)]
    out += [int(rng.random() * bins) for _ in range(count - len(out))]
    rng.shuffle(out)
    return out


def _weighted_error(x: float, n: int) -> int:
    """The error index that ``x`` in [0, 1) picks when error ``e`` has weight
    ``(e + 1) ** ERROR_WEIGHT_POWER``."""
    weights = [(e + 1) ** ERROR_WEIGHT_POWER for e in range(n)]
    target = x * sum(weights)
    total = 0
    for e, weight in enumerate(weights):
        total += weight
        if target < total:
            return e
    return n - 1  # pragma: no cover (x < 1)


def _fresh(rng: _random.Random, family: Family, taken: set[int | float]) -> int | float:
    """A value of ``family`` that no other constant of the repository has had (``taken``, then
    updated), so a memory of values without their names holds as many candidates as values."""
    for _ in range(100):
        value = family.draw(rng.random)
        if value not in taken:
            break
    taken.add(value)
    return value


def _changed(
    rng: _random.Random, family: Family, old: float, taken: set[int | float]
) -> int | float:
    """A new value of ``family`` clearly different from ``old`` (at least 5 % of the range)
    and from every value taken so far (``taken``, then updated)."""
    gap = 0.05 * (family.high - family.low)
    for _ in range(100):
        value = family.draw(rng.random)
        if abs(value - old) >= gap and value not in taken:
            taken.add(value)
            return value
    return family.low if old - family.low >= gap else family.high  # pragma: no cover


def _families(rng: _random.Random, constants: int) -> list[Family]:
    """The families a repository of ``constants`` constants draws from (``PER_FAMILY``),
    enough that their names (stem x suffix) cover the constants and the ghosts."""
    stems = len(names.CONST_STEMS)
    k = max(2, -(-constants // PER_FAMILY), -(-(constants + GHOSTS) // stems))
    return rng.sample(FAMILIES, min(k, len(FAMILIES)))


def build_world(rng: _random.Random, p: dict[str, Any]) -> World:
    """Draw a repository from the params (``modules``, ``functions``, ``constants``, ...)."""
    random = rng.random
    package = names.PACKAGES[int(random() * len(names.PACKAGES))]
    modules = rng.sample(names.MODULES, p["modules"])
    errors = rng.sample(names.ERRORS, p["errors"])
    families = _families(rng, p["constants"])
    combos = [(s, f) for s in names.CONST_STEMS for f in families]
    const_modules = _spread(rng, p["constants"], p["modules"], 1)
    taken: set[int | float] = set()
    constants = [
        Constant(f"{stem}_{family.suffix}", m, family, _fresh(rng, family, taken))
        for (stem, family), m in zip(rng.sample(combos, p["constants"]), const_modules)
    ]
    by_module: dict[int, list[int]] = {}
    for c, const in enumerate(constants):
        by_module.setdefault(const.module, []).append(c)
    pairs = rng.sample([(v, n) for v in names.VERBS for n in names.NOUNS], p["functions"])
    func_modules = _spread(rng, p["functions"], p["modules"], 2)
    functions = [Function(f"{v}_{n}", m, v, n) for (v, n), m in zip(pairs, func_modules)]
    rank = list(range(len(functions)))
    rng.shuffle(rank)
    for r, f in enumerate(rank):
        later = rank[r + 1 : r + 1 + CALL_REACH]
        degree = min(len(later), CALL_DEGREES[int(random() * len(CALL_DEGREES))])
        functions[f].calls = rng.sample(later, degree)
        if random() < RAISES_ERROR:
            functions[f].raises = _weighted_error(random(), len(errors))
        own = by_module[functions[f].module]
        if random() < USES_CONSTANT:
            functions[f].uses = own[int(random() * len(own))]
    kinds = [CORRECTION] * p["corrections"] + [UPDATE] * p["updates"]
    changes = []
    for kind, c in zip(kinds, rng.sample(range(len(constants)), len(kinds))):
        old = constants[c].value
        changes.append(Change(kind, c, old, _changed(rng, constants[c].family, old, taken)))
    defined = {c.name for c in constants}
    ghost_constants = rng.sample(
        [n for s, fam in combos if (n := f"{s}_{fam.suffix}") not in defined], GHOSTS
    )
    named = {fn.name for fn in functions}
    ghost_functions = rng.sample(
        [n for v in names.VERBS for o in names.NOUNS if (n := f"{v}_{o}") not in named], GHOSTS
    )
    return World(
        package, modules, errors, constants, functions, changes, ghost_constants, ghost_functions
    )


def free_names(
    world: World, families: Sequence[Family], taken: Collection[str] = ()
) -> list[tuple[str, Family]]:
    """Constant-shaped names (a ``names.CONST_STEMS`` stem and a suffix of ``families``, stem by
    stem) that name no constant or ghost of ``world`` and none of ``taken``, each with its
    family: what decoy settings and functions' local settings are called."""
    used = {c.name for c in world.constants} | set(world.ghost_constants) | set(taken)
    return [
        (name, family)
        for stem in names.CONST_STEMS
        for family in families
        if (name := f"{stem}_{family.suffix}") not in used
    ]


def path_counts(world: World) -> list[dict[int, int]]:
    """For each function, how many distinct call paths lead from it to each function it
    reaches (directly or not)."""
    memo: dict[int, dict[int, int]] = {}

    def reach(f: int) -> dict[int, int]:
        if f not in memo:
            counts: dict[int, int] = {}
            for g in world.functions[f].calls:
                counts[g] = counts.get(g, 0) + 1
                for h, n in reach(g).items():
                    counts[h] = counts.get(h, 0) + n
            memo[f] = counts
        return memo[f]

    return [reach(f) for f in range(len(world.functions))]


def call_path(
    world: World, a: int, b: int, counts: list[dict[int, int]] | None = None
) -> list[int] | None:
    """The call path from ``a`` to ``b`` when there is exactly one (else None); ``counts`` is
    ``path_counts(world)`` when the caller has it already."""
    counts = path_counts(world) if counts is None else counts
    if counts[a].get(b) != 1:
        return None
    path = [a]
    while path[-1] != b:
        path.append(next(g for g in world.functions[path[-1]].calls if g == b or b in counts[g]))
    return path
