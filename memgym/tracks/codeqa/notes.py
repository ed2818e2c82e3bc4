"""Prose around the code: hotfix notes, changelog entries, config audits and near-miss distractors.

Hotfix notes and changelog entries change a constant (or, as decoys, a setting named as one is
that the repository never defines), and a config audit states a vendored dependency's setting
(a look-alike constant no question asks about; the reader turns them all into claims);
distractors name real functions and constants but state nothing: a review on a pull request that
was never merged, a vendored legacy snapshot that is not imported, issue chatter, and proposals
that name ghost constants and functions the repository never defines.
"""

from __future__ import annotations

import random as _random

from memgym.claims import format_number
from memgym.tracks.codeqa.world import FAMILIES, World

FAMILY_OF = {family.suffix: family for family in FAMILIES}

REASONS = (
    "the old value dropped valid requests under load",
    "production traces showed timeouts at peak hours",
    "a customer hit the limit during a migration",
    "the staging soak test found the old value too tight",
    "capacity planning for the next quarter",
)


def _version(rng: _random.Random) -> str:
    r = rng.random
    return f"{1 + int(r() * 4)}.{int(r() * 20)}.{1 + int(r() * 9)}"


def hotfix(rng: _random.Random, world: World, c: int, old: float, new: float) -> str:
    """A hotfix note that corrects constant ``c`` from ``old`` to ``new``."""
    const = world.constants[c]
    reason = REASONS[int(rng.random() * len(REASONS))]
    return (
        f"HOTFIX {_version(rng)}: {world.file_path(const.module)}: {const.name} changed from "
        f"{format_number(old)} to {format_number(new)} ({reason})."
    )


def changelog(rng: _random.Random, world: World, c: int, new: float) -> str:
    """A changelog entry that sets constant ``c`` to ``new``."""
    const = world.constants[c]
    return _entry(rng, world.file_path(const.module), const.name, new)


def _entry(rng: _random.Random, path: str, name: str, new: float) -> str:
    """A changelog entry: ``name`` in ``path`` is now ``new`` (one line, as decoys' are: lines
    about other functions made the repository's own entries longer than the decoys, a cue)."""
    return f"CHANGELOG {_version(rng)}\n- {path}: {name} is now {format_number(new)}."


def dependency_change(
    rng: _random.Random, world: World, name: str, old: float, new: float, correct: bool
) -> str:
    """A decoy change of setting ``name`` (named as a constant is, defined nowhere in the
    repository: ``stream.decoy_settings``), written as the repository's own are: filed against
    one of the package's files (the path tells no decoy apart), a hotfix note naming both
    values (``correct``) or a changelog entry stating the new one."""
    path = world.file_path(int(rng.random() * len(world.modules)))
    if correct:
        reason = REASONS[int(rng.random() * len(REASONS))]
        return (
            f"HOTFIX {_version(rng)}: {path}: {name} changed from {format_number(old)} to "
            f"{format_number(new)} ({reason})."
        )
    return _entry(rng, path, name, new)


def dependency_audit(rng: _random.Random, dependency: str, name: str, value: float) -> str:
    """A config audit of a vendored ``dependency``'s setting ``name`` (a look-alike constant)."""
    return (
        f"CONFIG AUDIT {_version(rng)}: vendor/{dependency}/settings.py: {name} is still "
        f"{format_number(value)} (checked in production; unchanged)."
    )


def _other_value(rng: _random.Random, world: World, c: int, current: float) -> str:
    family = world.constants[c].family
    for _ in range(50):
        value = family.draw(rng.random)
        if value != current:
            return format_number(value)
    return format_number(family.high if current != family.high else family.low)


def ghost_review(rng: _random.Random, world: World, ghost: int) -> str:
    """An unmerged proposal that names ghost constant and function ``ghost`` (never defined)."""
    r = rng.random
    const = world.ghost_constants[ghost]
    fn = world.functions[int(r() * len(world.functions))]
    value = FAMILY_OF[const.split("_", 1)[1]].draw(r)
    return (
        f"Review comment on PR #{100 + int(r() * 900)} (closed without merging): it proposed "
        f"adding {const} = {format_number(value)} to {world.file_path(fn.module)} and a helper "
        f"{world.ghost_functions[ghost]}() that wraps {fn.name}(); neither was merged."
    )


def distractor(rng: _random.Random, world: World, current: list[int | float]) -> str:
    """A near miss about real names that changes nothing (``current``: constant values now)."""
    r = rng.random
    c = int(r() * len(world.constants))
    const = world.constants[c]
    fn = world.functions[int(r() * len(world.functions))]
    style = int(r() * 3)
    if style == 0:
        return (
            f"Review comment on PR #{100 + int(r() * 900)} (closed without merging): it proposed "
            f"changing {const.name} in {world.file_path(const.module)} from "
            f"{format_number(current[c])} to {_other_value(rng, world, c, current[c])}; "
            "the change was never released."
        )
    if style == 1:
        callee = world.functions[int(r() * len(world.functions))].name
        return "\n".join(
            (
                (
                    f"# --- vendored snapshot of {world.package} 0.{int(r() * 9)} (legacy, not "
                    f"imported): legacy/{world.modules[fn.module]}.py ---"
                ),
                f"{const.name} = {_other_value(rng, world, c, current[c])}",
                "",
                f"def {fn.name}(items):",
                f"    return {callee}(items)",
                "# --- end of vendored snapshot ---",
            )
        )
    return (
        f"Issue #{1000 + int(r() * 9000)}: {fn.name}() is slow on cold starts; someone suggested "
        f"tuning {const.name}, no decision yet."
    )
