"""Seeded AST mutations of a real module: the bugs of the swe track (the SWE-smith approach).

Every mutation changes one expression (or one statement) inside one function, on one source line,
so line numbers never move and the rest of the file (comments, layout) is untouched: the node is
changed in the AST, ``ast.unparse``-d, spliced into its line's column span, and the spliced file
is parsed back and must give exactly the mutated AST (otherwise the site is dropped).

Kinds: ``compare`` (``<`` to ``<=``, ``==`` to ``!=``, ``in`` to ``not in``, ...), ``operator``
(``+`` to ``-``, ``*`` to ``//``, ...), ``boolean`` (``and`` to ``or``), ``off_by_one`` (an integer
constant plus or minus one), ``default`` (a parameter's default: a flipped bool, an integer plus
one), ``negate`` (an ``if`` test negated) and ``drop_branch`` (the one-line body of an ``if``
replaced by ``pass``).
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
SIMPLE = (ast.Return, ast.Assign, ast.AugAssign, ast.Expr, ast.Raise, ast.Break, ast.Continue)


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
            elif isinstance(child, ast.If):
                out.append(("negate", name, child, "test"))
                body = child.body
                if not child.orelse and len(body) == 1 and isinstance(body[0], SIMPLE):
                    out.append(("drop_branch", name, child, "body"))
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


def _change(kind: str, node: ast.AST, rng: random.Random) -> tuple[ast.AST, ast.AST]:
    """Mutate ``node`` in place; return (the node whose span is rewritten, its new form).
    Comparisons are changed by ``mutate`` (which knows the operator's index)."""
    if kind == "operator" and isinstance(node, ast.BinOp):
        node.op = OPERATOR_SWAPS[type(node.op)]()
        return node, node
    if kind == "boolean" and isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        return node, node
    if kind in ("off_by_one", "default") and isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            node.value = not value
        elif isinstance(value, int):
            node.value = value + 1 if value <= 0 or rng.random() < 0.5 else value - 1
        return node, node
    if kind == "negate" and isinstance(node, ast.If):
        node.test = ast.UnaryOp(ast.Not(), node.test)
        return node.test.operand, node.test
    if kind == "drop_branch" and isinstance(node, ast.If):
        old = node.body[0]
        node.body = [ast.Pass()]
        return old, node.body[0]
    raise ValueError(f"cannot apply {kind} to {type(node).__name__}")


def mutate(source: str, site: Site, rng: random.Random) -> Mutation | None:
    """The mutation of ``source`` at ``site``; None when it cannot be made on one line."""
    tree = ast.parse(source)
    kind, _, node, detail = _targets(tree)[site.index]
    if kind == "compare" and isinstance(node, ast.Compare):
        i = int(detail)
        node.ops[i] = COMPARE_SWAPS[type(node.ops[i])]()
        span: ast.AST = node
        new: ast.AST = node
    else:
        span, new = _change(kind, node, rng)
    line, end = getattr(span, "lineno", 0), getattr(span, "end_lineno", -1)
    if line != end:
        return None
    lines = source.split("\n")
    raw = lines[line - 1].encode()
    start, stop = getattr(span, "col_offset", 0), getattr(span, "end_col_offset", 0)
    bug = (raw[:start] + ast.unparse(new).encode() + raw[stop:]).decode()
    if bug == lines[line - 1]:
        return None
    mutated = [*lines[: line - 1], bug, *lines[line:]]
    try:
        reparsed = ast.parse("\n".join(mutated))
    except SyntaxError:
        return None
    if ast.dump(reparsed) != ast.dump(tree):
        return None
    return Mutation(Site(site.index, kind, site.function, line, detail), lines[line - 1], bug)


def apply_all(source: str, mutations: list[Mutation]) -> str:
    """``source`` with every mutation's bug in place."""
    lines = source.split("\n")
    for m in mutations:
        m.apply(lines)
    return "\n".join(lines)
