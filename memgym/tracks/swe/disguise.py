"""A code base rewritten per seed, so that no copy on any machine matches it.

From the standard-library source, a seed makes a variant: the module gets another name, every
function's local variables and the module's own private names (``_helper``, ``self._cache``,
``__slots__`` entries) are renamed consistently to words drawn by the seed, and the text is
normalised through ``ast`` (comments dropped, one layout for every statement). The public API
(what the probes call: functions, classes, methods, parameters) keeps its names. Because the
layout is ``ast.unparse``'s everywhere, a bug spliced into one line reads like every other line.
"""

from __future__ import annotations

import ast
import builtins
import random
import sys
from dataclasses import dataclass
from functools import cache

from memgym.tracks.swe.codebases import CodeBase, cached_source, get_codebase

MODULE_NAMES = (
    "toolkit", "helpers", "corelib", "support", "utilities", "primitives", "basics", "common",
    "engine", "kernel", "library", "routines", "shared", "services", "tools", "foundation",
)  # fmt: skip
WORDS = (
    "acc", "item", "node", "part", "piece", "val", "cur", "buf", "res", "tmp", "key", "pos",
    "num", "seq", "elem", "chunk", "entry", "head", "tail", "span", "word", "mark", "step",
    "unit", "slot", "cell", "frag", "token", "field", "block", "bit", "total", "count", "size",
    "limit", "offset", "index", "prev", "nxt", "first", "last", "left", "right", "low", "high",
    "start", "stop", "end", "width", "depth", "level", "base", "top", "row", "col", "line",
    "text", "name", "label", "tag", "kind", "mode", "flag", "state", "data", "info", "spec",
    "arg", "args2", "out", "outs", "ins", "src", "dst", "target", "source", "result", "answer",
    "found", "match", "hit", "miss", "pair", "triple", "group", "bucket", "pool", "stack",
    "queue", "heap", "table", "cache", "memo", "seen", "done", "todo", "pending", "ready",
    "delta", "diff", "ratio", "scale", "factor", "weight", "score", "rank", "order", "sign",
    "numer", "denom", "quot", "rem", "whole", "frac", "power", "root", "norm", "avg", "mid",
    "lo", "hi", "lhs", "rhs", "acc2", "it", "obj", "thing", "elt", "member", "leaf", "branch",
)  # fmt: skip
DYNAMIC = {"locals", "vars", "eval", "exec", "globals"}
"""Calls that read names as text: a function making one keeps its locals."""


@dataclass(frozen=True)
class Variant:
    """One seed's rewrite of a code base: the module name the agent sees and its source."""

    codebase: CodeBase
    module: str
    source: str

    @property
    def filename(self) -> str:
        return f"{self.module}.py"


def normalise(source: str) -> str:
    """``source`` in ``ast.unparse``'s layout (a fixed point: normalising again changes
    nothing)."""
    return ast.unparse(ast.parse(source)) + "\n"


@cache
def variant(name: str, seed: int) -> Variant:
    """Code base ``name`` as seed ``seed`` rewrites it."""
    codebase = get_codebase(name)
    rng = random.Random(f"swe-disguise|{name}|{seed}")
    tree = ast.parse(cached_source(name))
    taken = _identifiers(tree) | set(dir(builtins)) | set(sys.stdlib_module_names)
    _rename_private(tree, rng, taken)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            _rename_locals(node, rng, taken)
    modules = [m for m in MODULE_NAMES if m not in sys.stdlib_module_names]
    return Variant(codebase, rng.choice(modules), normalise(ast.unparse(tree)))


def _identifiers(tree: ast.AST) -> set[str]:
    """Every name, attribute, parameter and definition name in ``tree``."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(node.name)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name.split(".")[0])
    return found


def _fresh(rng: random.Random, taken: set[str], prefix: str = "") -> str:
    """A word no identifier of the module uses yet (then taken)."""
    for word in rng.sample(WORDS, len(WORDS)):
        if prefix + word not in taken:
            taken.add(prefix + word)
            return prefix + word
    n = 2
    while f"{prefix}{WORDS[0]}{n}" in taken:
        n += 1
    taken.add(f"{prefix}{WORDS[0]}{n}")
    return f"{prefix}{WORDS[0]}{n}"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and len(name) > 1


def _rename_private(tree: ast.Module, rng: random.Random, taken: set[str]) -> None:
    """Rename the private names the module defines (functions, classes, assigned names and
    attributes), everywhere they occur, string constants equal to them included."""
    defined: set[str] = set()
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            defined.add(node.attr)
        elif isinstance(node, ast.alias):
            imported.add(node.name.split(".")[-1])
            if node.asname:
                defined.add(node.asname)
        elif isinstance(node, ast.arg):
            imported.add(node.arg)  # parameters keep their names (keyword calls)
    names = sorted(n for n in defined - imported if _private(n))
    mapping = {n: _fresh(rng, taken, "_") for n in names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in mapping:
            node.id = mapping[node.id]
        elif isinstance(node, ast.Attribute) and node.attr in mapping:
            node.attr = mapping[node.attr]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            node.name = mapping.get(node.name, node.name)
        elif isinstance(node, ast.alias) and node.asname in mapping:
            node.asname = mapping[node.asname]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = mapping.get(node.value, node.value)


def _scope_nodes(function: ast.AST) -> list[ast.AST]:
    """The nodes of ``function``'s body, nested functions included, classes left out."""
    found: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ClassDef):
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _rename_locals(function: ast.FunctionDef | ast.AsyncFunctionDef, rng: random.Random,
                   taken: set[str]) -> None:  # fmt: skip
    """Rename the variables ``function`` assigns (not its parameters, nor any name a nested
    function takes as a parameter or declares global/nonlocal) in its body."""
    nodes = _scope_nodes(function)
    if any(isinstance(n, ast.Match) for n in nodes) or any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in DYNAMIC
        for n in nodes
    ):
        return
    keep = {a.arg for a in ast.walk(function) if isinstance(a, ast.arg)}
    for n in nodes:
        if isinstance(n, ast.Global | ast.Nonlocal):
            keep.update(n.names)
    stored = {
        n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store | ast.Del)
    } | {n.name for n in nodes if isinstance(n, ast.ExceptHandler) and n.name}
    names = sorted(n for n in stored - keep if not n.startswith("__"))
    used = taken | _identifiers(function)  # words are reused across functions, never within
    mapping = {n: _fresh(rng, used) for n in names}
    for n in nodes:
        if isinstance(n, ast.Name) and n.id in mapping:
            n.id = mapping[n.id]
        elif isinstance(n, ast.ExceptHandler) and n.name in mapping:
            n.name = mapping[n.name]
