"""Seeded AST mutations of a module: the bugs of the swe track (the SWE-smith approach), made to
read like a person's mistakes.

The module is in ``ast.unparse``'s layout (``disguise``), so a mutation is made on the AST and the
whole file unparsed again: the bug's line has the layout of every other line, and a mutation is
kept only when exactly one line changes and the file stays a fixed point of the layout (nothing
in its text singles it out).

Kinds: ``compare`` (``<`` to ``<=``, ``==`` to ``!=``, ``in`` to ``not in``, ...), ``operator``
(``+`` to ``-``, ``*`` to ``//``, ...), ``boolean`` (``and`` to ``or``), ``off_by_one`` (an integer
constant plus or minus one), ``default`` (a parameter's default: a flipped bool, an integer plus
one), ``negate`` (an ``if`` condition inverted: ``<`` to ``>=``, ``x`` to ``not x``, ``not x`` to
``x``), ``drop_condition`` (one operand of an ``and``/``or`` left out: a missed case) and
``swap_args`` (the two arguments of a call swapped).
"""

from __future__ import annotations

import ast
import random
from dataclasses import dataclass

COMPARE_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}  # fmt: skip
OPERATOR_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv, ast.LShift: ast.RShift, ast.RShift: ast.LShift, ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
}  # fmt: skip
INVERSE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}  # fmt: skip


@dataclass(frozen=True)
class Site:
    """A place a mutation can be made: the function, the line and how to change it."""

    index: int
    kind: str
    function: str
    line: int
    detail: str


@dataclass(frozen=True)
class Mutation:
    """A mutation made: the site, and the line before (gold) and after (bug)."""

    site: Site
    gold_line: str
    bug_line: str

    def apply(self, lines: list[str]) -> None:
        """Put the bug into ``lines`` (the file's lines, no line ends) in place."""
        lines[self.site.line - 1] = self.bug_line


@dataclass(frozen=True)
class Function:
    """A function (or method) of the module: qualified name, first and last line."""

    name: str
    start: int
    end: int


def functions(source: str) -> dict[str, Function]:
    """Every function and method of ``source`` by qualified name (``Class.method``)."""
    found: dict[str, Function] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = prefix + child.name
                found.setdefault(name, Function(name, child.lineno, child.end_lineno or 0))
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")

    visit(ast.parse(source), "")
    return found


def _targets(tree: ast.Module) -> list[tuple[str, str, ast.AST, str]]:
    """(kind, function, node, detail) for every mutable node, in a fixed walk order."""
    out: list[tuple[str, str, ast.AST, str]] = []

    def in_function(node: ast.AST, name: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if isinstance(default, ast.Constant) and type(default.value) in (bool, int):
                    out.append(("default", name, default, repr(default.value)))
        for child in ast.walk(node):
            if isinstance(child, ast.Compare):
                for i, op in enumerate(child.ops):
                    if type(op) in COMPARE_SWAPS:
                        out.append(("compare", name, child, str(i)))
            elif isinstance(child, ast.BinOp) and type(child.op) in OPERATOR_SWAPS:
                out.append(("operator", name, child, type(child.op).__name__))
            elif isinstance(child, ast.BoolOp):
                out.append(("boolean", name, child, type(child.op).__name__))
                out.append(("drop_condition", name, child, str(len(child.values) - 1)))
            elif isinstance(child, ast.If) and not isinstance(child.test, ast.BoolOp):
                test = child.test
                if not isinstance(test, ast.Compare) or len(test.ops) == 1:
                    out.append(("negate", name, child, "test"))
            elif (
                isinstance(child, ast.Call)
                and len(child.args) == 2
                and not child.keywords
                and not any(isinstance(a, ast.Starred) for a in child.args)
            ):
                out.append(("swap_args", name, child, "args"))
            elif (
                isinstance(child, ast.Constant)
                and type(child.value) is int
                and not _is_default(node, child)
            ):
                out.append(("off_by_one", name, child, repr(child.value)))

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                in_function(child, prefix + child.name)  # nested functions: their enclosing one
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")

    visit(tree, "")
    return out


def _is_default(function: ast.AST, node: ast.AST) -> bool:
    if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    return any(node is d for d in [*function.args.defaults, *function.args.kw_defaults])


def sites(source: str) -> list[Site]:
    """Every mutation site of ``source``, in walk order."""
    return [
        Site(i, kind, function, getattr(node, "lineno", 0), detail)
        for i, (kind, function, node, detail) in enumerate(_targets(ast.parse(source)))
    ]


def _change(kind: str, node: ast.AST, detail: str, rng: random.Random) -> None:
    """Mutate ``node`` in place."""
    if kind == "compare" and isinstance(node, ast.Compare):
        i = int(detail)
        node.ops[i] = COMPARE_SWAPS[type(node.ops[i])]()
    elif kind == "operator" and isinstance(node, ast.BinOp):
        node.op = OPERATOR_SWAPS[type(node.op)]()
    elif kind == "boolean" and isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "drop_condition" and isinstance(node, ast.BoolOp):
        del node.values[rng.randrange(len(node.values))]
    elif kind == "swap_args" and isinstance(node, ast.Call):
        node.args.reverse()
    elif kind in ("off_by_one", "default") and isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            node.value = not value
        elif isinstance(value, int):
            node.value = value + 1 if value <= 0 or rng.random() < 0.5 else value - 1
    elif kind == "negate" and isinstance(node, ast.If):
        test = node.test
        if isinstance(test, ast.Compare):
            test.ops[0] = INVERSE[type(test.ops[0])]()
        elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            node.test = test.operand
        else:
            node.test = ast.UnaryOp(ast.Not(), test)
    else:
        raise ValueError(f"cannot apply {kind} to {type(node).__name__}")


def mutate(source: str, site: Site, rng: random.Random) -> Mutation | None:
    """The mutation of ``source`` (in ``ast.unparse``'s layout) at ``site``; None when it
    changes more or less than one line, or leaves a line no ``ast.unparse`` would write."""
    tree = ast.parse(source)
    kind, _, node, detail = _targets(tree)[site.index]
    _change(kind, node, detail, rng)
    lines = source.split("\n")
    try:
        text = ast.unparse(ast.fix_missing_locations(tree))
        mutated = (ast.unparse(ast.parse(text)) + "\n").split("\n")  # e.g. ``(x)`` left by a drop
    except (ValueError, TypeError, SyntaxError):
        return None
    if len(mutated) != len(lines):
        return None
    changed = [i for i, (a, b) in enumerate(zip(lines, mutated, strict=True)) if a != b]
    if len(changed) != 1:
        return None
    line = changed[0] + 1
    return Mutation(Site(site.index, kind, site.function, line, detail), lines[line - 1],
                    mutated[line - 1])  # fmt: skip


def apply_all(source: str, mutations: list[Mutation]) -> str:
    """``source`` with every mutation's bug in place."""
    lines = source.split("\n")
    for m in mutations:
        m.apply(lines)
    return "\n".join(lines)
