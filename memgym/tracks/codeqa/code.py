"""Source code for a repository model, and its cutting into self-contained chunks.

Every module file is real Python (``compile()`` accepts it, and each chunk on its own): a module
docstring and imports, then one top-level function after another with the module's constants
spread evenly between them (a constant may be defined below a function that reads it). A chunk is a run of
whole top-level blocks framed by a start and an end marker comment that name the file, so a
chunk alone says which module it belongs to.
"""

from __future__ import annotations

import random as _random
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from memgym.tokens import count_tokens, total_tokens
from memgym.tracks.codeqa.world import FAMILIES, Family, Function, World, free_names

ARGS = ("items", "request", "payload", "records", "entries", "batch_in")
STARTS = (
    "data = list({a})",
    "data = dict({a} or {{}})",
    "data = [x for x in {a} if x is not None]",
    "data = sorted({a}, key=repr)",
)
BODY = (
    "options = dict(options or {{}})",
    'strict = bool(options and options.get("strict"))',
    "if not isinstance(data, (list, dict)):\n        data = list(data)",
    'if options and options.get("reverse"):\n        data = list(reversed(data))',
    "skipped = [x for x in data if x is None]",
    'if options and options.get("max_items"):\n        data = data[: int(options["max_items"])]',
    'if options and options.get("trace"):\n        print("{verb} {noun}:", len(data), "items")',
    "count = len(data)",
)
"""Plain body lines that read only locals and builtins (so they state no call, use or raise):
``body_lines - 2`` to ``body_lines`` of them (the parameter), in this order, follow a
function's first line. At standard and hard (5) they make the code about twice as long per
stated fact, so a token budget holds a smaller share of the repository's facts (issue #66: a
learned selector keeping two chunks of code answered 0.069 at standard)."""


MOST_NUMBERS = 2
"""A function and the constants defined right after it set 1 to this many numbers (uniform; to
``ceil(2 * constants / functions)`` in a module with more constants than functions, as lite's):
the constants' values, and local settings for the rest (``_settings``). A constant's block goes
into the chunk of the function above it (chunks fill up block by block, and a constant is one
short line), so every chunk of code carries about as many numbers whether it defines a constant
or not (issue #66: with 0 to 2 local numbers a function whatever its constants, the chunks
defining constants carried twice the numbers of the others, and a learned selector kept them;
codeqa standard's ``learned500`` answered 5.3 % of the value questions holding 1.6 % of the
stream)."""


def local_names(world: World, reserved: Collection[str] = ()) -> list[tuple[str, Family]]:
    """Names for functions' numeric settings, shaped as constants are (a stem and a family's
    suffix), lower-cased, and naming no constant, ghost or ``reserved`` name (the decoy
    changes' settings): a local setting reads as a constant's definition does once the case is
    gone, and answers nothing. Never empty: the params allow at most 120 constants of the 144
    names."""
    return [(name.lower(), family) for name, family in free_names(world, FAMILIES, reserved)]


def _settings(rng: _random.Random, pool: list[tuple[str, Family]], count: int) -> list[str]:
    """``count`` body lines setting a local (named from ``pool``) to a number of its family."""
    out = []
    for _ in range(count):
        name, family = pool[int(rng.random() * len(pool))]
        out.append(f"    {name} = {family.draw(rng.random)!r}")
    return out


def _words(camel: str) -> str:
    return " ".join(re.findall(r"[A-Z][a-z]*", camel)).lower()


def start_marker(path: str, part: int, parts: int) -> str:
    return f"# === {path} (part {part} of {parts}) ==="


def end_marker(path: str, part: int) -> str:
    return f"# === end of {path} part {part} ==="


@dataclass(slots=True)
class Block:
    """One top-level piece of a file and the world items it defines."""

    text: str
    constants: list[int] = field(default_factory=list)
    functions: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Chunk:
    """A framed run of blocks of one file, ready to be an event's text."""

    path: str
    module: int | None
    text: str
    constants: list[int]
    functions: list[int]
    tokens: int = -1
    """``count_tokens(text)``, summed from its blocks and markers (-1: not known)."""


@dataclass(slots=True)
class SourceFile:
    path: str
    module: int | None
    blocks: list[Block]

    @property
    def source(self) -> str:
        """The whole file as it would sit on disk."""
        return "\n\n\n".join(b.text for b in self.blocks) + "\n"


def _function(
    rng: _random.Random,
    world: World,
    f: int,
    body_lines: int,
    pool: list[tuple[str, Family]],
    settings: int,
) -> str:
    """Function ``f``'s source, with ``settings`` local numeric settings named from ``pool``."""
    fn: Function = world.functions[f]
    arg = ARGS[int(rng.random() * len(ARGS))]
    lines = [
        f"def {fn.name}({arg}, options=None):",
        f'    """{fn.verb.capitalize()} the {fn.noun} described by {arg}."""',
        "    " + STARTS[int(rng.random() * len(STARTS))].format(a=arg),
    ]
    low = max(0, body_lines - 2)
    picked = sorted(rng.sample(range(len(BODY)), low + int(rng.random() * (body_lines - low + 1))))
    lines += ["    " + BODY[i].format(verb=fn.verb, noun=fn.noun) for i in picked]
    lines += _settings(rng, pool, settings)
    limit = None
    if fn.uses is not None:
        const = world.constants[fn.uses].name
        if rng.random() < 0.5:
            lines.append(f"    limit = {const}")
            limit = "limit"
        else:
            lines.append(f"    budget = {const} * len(data)")
    if fn.raises is not None:
        error = world.errors[fn.raises]
        cond = f"len(data) > {limit}" if limit and rng.random() < 0.7 else "not data"
        lines += [f"    if {cond}:", f'        raise {error}("cannot {fn.verb} this {fn.noun}")']
    for g in fn.calls:
        callee = world.functions[g].name
        style = int(rng.random() * 3)
        if style == 0:
            lines.append(f"    data = {callee}(data)")
        elif style == 1:
            lines.append(f"    data = [{callee}(item) for item in data]")
        else:
            lines += [
                "    merged = []",
                "    for item in data:",
                f"        merged.append({callee}(item))",
                "    data = merged",
            ]
    lines.append("    return data")
    return "\n".join(lines)


def _header(world: World, m: int) -> Block:
    """Module ``m``'s docstring and imports (its constants are blocks of their own)."""
    pkg = world.package
    funcs = [f for f, fn in enumerate(world.functions) if fn.module == m]
    errors = sorted(
        {world.errors[e] for f in funcs if (e := world.functions[f].raises) is not None}
    )
    imports: dict[int, list[str]] = {}
    for f in funcs:
        for g in world.functions[f].calls:
            callee = world.functions[g]
            if callee.module != m and callee.name not in imports.get(callee.module, []):
                imports.setdefault(callee.module, []).append(callee.name)
    lines = [f'"""The {world.modules[m]} module of {pkg}."""']
    if errors or imports:
        lines.append("")
    if errors:
        lines.append(f"from {pkg}.errors import {', '.join(errors)}")
    for other in sorted(imports, key=lambda o: world.modules[o]):
        lines.append(f"from {world.module_path(other)} import {', '.join(sorted(imports[other]))}")
    return Block("\n".join(lines))


def module_file(
    rng: _random.Random,
    world: World,
    m: int,
    body_lines: int = 0,
    reserved: Collection[str] = (),
) -> SourceFile:
    """The source of module ``m``: header block, then its functions in a random order with its
    constants spread evenly between them, one constant per block and none beside a function
    that reads it where another place is as empty (``_gaps``): no chunk holds a module's every
    constant, so no one event states the values of many questions, nor often both hops of a
    multi-hop question."""
    funcs = [f for f, fn in enumerate(world.functions) if fn.module == m]
    rng.shuffle(funcs)
    mine = [c for c, const in enumerate(world.constants) if const.module == m]
    rng.shuffle(mine)
    before = _gaps(rng, world, funcs, mine)
    pool = local_names(world, reserved)
    most = max(MOST_NUMBERS, -(-2 * len(mine) // len(funcs)))
    blocks = [_header(world, m)]
    for i, f in enumerate(funcs):
        for c in before[i]:
            const = world.constants[c]
            blocks.append(Block(f"{const.name} = {const.value!r}", constants=[c]))
        # the constants below this function, and for the first those above it too (in the
        # header's chunk, which it nearly always joins)
        after = (len(before[i + 1]) if i + 1 < len(funcs) else 0) + (
            len(before[0]) if i == 0 else 0
        )
        settings = max(0, 1 + int(rng.random() * most) - after)
        blocks.append(Block(_function(rng, world, f, body_lines, pool, settings), functions=[f]))
    return SourceFile(world.file_path(m), m, blocks)


def _gaps(rng: _random.Random, world: World, funcs: list[int], mine: list[int]) -> list[list[int]]:
    """For each function of ``funcs`` (in file order), the constants of ``mine`` defined just
    above it: each constant goes to the emptiest gap not next to a function that reads it
    (next to one only where every gap is), ties broken from a random start."""
    gaps: list[list[int]] = [[] for _ in funcs]
    start = int(rng.random() * len(funcs))
    order = [(start + k) % len(funcs) for k in range(len(funcs))]
    for c in mine:
        near = {
            i
            for i, f in enumerate(funcs)
            if world.functions[f].uses == c
            for i in (i, i + 1)
            if i < len(funcs)
        }
        far = [i for i in order if i not in near] or order
        gap = min(far, key=lambda i: len(gaps[i]))
        gaps[gap].append(c)
        order.remove(gap)
        order.append(gap)  # the next tie goes elsewhere
    return gaps


def errors_file(world: World) -> SourceFile:
    """``errors.py``: a base error and one subclass per error name."""
    base = "".join(w.capitalize() for w in world.package.split("_")) + "Error"
    blocks = [
        Block(
            f'"""Errors raised by {world.package}."""\n\n\nclass {base}(Exception):\n'
            f'    """Base class of every {world.package} error."""'
        )
    ]
    blocks += [
        Block(f'class {e}({base}):\n    """Raised on {_words(e[:-5])}."""') for e in world.errors
    ]
    return SourceFile(f"{world.package}/errors.py", None, blocks)


def chunks(source: SourceFile, chunk_tokens: int) -> list[Chunk]:
    """``source`` cut into framed chunks of whole blocks, each about ``chunk_tokens`` or less
    (a block larger than that is a chunk of its own)."""
    groups: list[list[Block]] = []
    sizes: list[int] = []
    for block in source.blocks:
        tokens = total_tokens((block.text,))  # one scan, not remembered: no text repeats it
        if groups and sizes[-1] + tokens <= chunk_tokens:
            groups[-1].append(block)
            sizes[-1] += tokens
        else:
            groups.append([block])
            sizes.append(tokens)
    out = []
    for i, (group, size) in enumerate(zip(groups, sizes), start=1):
        body = "\n\n\n".join(b.text for b in group)
        start, end = start_marker(source.path, i, len(groups)), end_marker(source.path, i)
        out.append(
            Chunk(
                source.path,
                source.module,
                f"{start}\n{body}\n{end}",
                [c for b in group for c in b.constants],
                [f for b in group for f in b.functions],
                # counts add up over lines, and the blank lines between blocks count nothing
                count_tokens(start) + size + count_tokens(end),
            )
        )
    return out
