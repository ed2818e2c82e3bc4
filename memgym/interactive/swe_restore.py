"""The script ``swe-prior`` runs in the sandbox: put a module back as its original has it.

Standalone (standard library only; its text is sent as a command, never imported there). It
reads the original source (``ORIGINAL``, zlib + base64) and the module in the working directory,
aligns their syntax trees (classes and functions by name where the name is shared, every other
statement by position) and learns how the module renamed the original's identifiers: by vote,
per enclosing function for variables and parameters, module-wide for attributes, definitions
and strings. Every node that still differs (an operator, a constant, a condition, an argument
order, a name the vote does not explain) is replaced by the original's, renamed by the vote,
and the module is written back in ``ast.unparse``'s layout. It prints how many it replaced.
"""

from __future__ import annotations

import ast
import base64
import copy
import glob
import zlib
from collections import Counter, defaultdict
from pathlib import Path

ORIGINAL = ""
"""The original source, zlib-compressed and base64-encoded (filled in by the sender)."""
SCOPED = {ast.Name: "id", ast.arg: "arg", ast.ExceptHandler: "name"}
GLOBAL = {
    ast.Attribute: "attr",
    ast.FunctionDef: "name",
    ast.AsyncFunctionDef: "name",
    ast.ClassDef: "name",
    ast.alias: "asname",
    ast.keyword: "arg",
}
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)

Scope = tuple[int, ...]
votes: dict[tuple[Scope, str], Counter[str]] = defaultdict(Counter)
claims: dict[tuple[Scope, str], Counter[str]] = {}


def identifier(node: ast.AST, field: str) -> bool:
    return SCOPED.get(type(node)) == field or GLOBAL.get(type(node)) == field


def renamed(scope: Scope, name: str, local: bool) -> str:
    """The module's name for the original's ``name`` at ``scope``: the innermost vote, unless
    another original name claims the same name there at least as often (two names swapped:
    then every scope's vote together)."""
    chain = [scope[:k] for k in range(len(scope), -1, -1)] if local else [()]
    for s in chain:
        if votes.get((s, name)):
            top, n = votes[(s, name)].most_common(1)[0]
            rivals = claims.get((s, top), Counter())
            if not local or all(c < n for o, c in rivals.items() if o != name):
                return top
            break
    together: Counter[str] = Counter()
    for (_, original), counts in votes.items():
        if original == name:
            together.update(counts)
    return together.most_common(1)[0][0] if together else name


def tally() -> None:
    """Index the votes by the module's name: which original names claim it, per scope."""
    claims.clear()
    for (s, original), counts in votes.items():
        for name, n in counts.items():
            claims.setdefault((s, name), Counter())[original] += n


def pairs(o: list[ast.AST], d: list[ast.AST]) -> list[tuple[int, int]] | None:
    """Which statement of ``d`` stands for which of ``o``: definitions by name, the rest in
    order (None: they cannot be paired)."""
    named = {
        getattr(s, "name", None): i
        for i, s in enumerate(o)
        if isinstance(s, FUNCTIONS[:2] + (ast.ClassDef,))
    }
    taken, found = set(), []
    for j, s in enumerate(d):
        i = (
            named.get(getattr(s, "name", None))
            if isinstance(s, FUNCTIONS[:2] + (ast.ClassDef,))
            else None
        )
        if i is not None and i not in taken:
            taken.add(i)
            found.append((i, j))
    rest_o = [i for i in range(len(o)) if i not in taken]
    rest_d = [j for j in range(len(d)) if j not in {b for _, b in found}]
    if len(rest_o) != len(rest_d):
        return None
    return found + list(zip(rest_o, rest_d))


def walk(o: ast.AST, d: ast.AST, scope: Scope, fix: bool) -> bool:
    """Pair ``o`` (original) with ``d`` (module): vote on names, or (``fix``) replace the
    children of ``d`` that differ. False: ``d`` itself differs from ``o`` here."""
    inner = scope + (id(d),) if isinstance(d, FUNCTIONS) else scope
    for field in o._fields:
        ov, dv = getattr(o, field, None), getattr(d, field, None)
        if isinstance(ov, list) and isinstance(dv, list):
            lined = (
                pairs(ov, dv)
                if field == "body" and isinstance(o, ast.Module | ast.ClassDef)
                else (list(zip(range(len(ov)), range(len(dv)))) if len(ov) == len(dv) else None)
            )
            if lined is None:
                return False
            for i, j in lined:
                if isinstance(ov[i], ast.AST):
                    child(ov, dv, i, j, inner, fix)
                elif ov[i] != dv[j] and not (
                    isinstance(ov[i], str) and names(ov[i], dv[j], inner, fix)
                ):
                    return False
        elif isinstance(ov, ast.AST):
            if not isinstance(dv, ast.AST):
                return False
            child_field(d, field, ov, dv, inner, fix)
        elif identifier(o, field) and isinstance(ov, str) and isinstance(dv, str):
            if not names(ov, dv, scope if type(o) in SCOPED else (), fix, local=type(o) in SCOPED):
                return False
        elif isinstance(o, ast.Constant) and isinstance(ov, str) and isinstance(dv, str):
            if ov != dv and not names(ov, dv, (), fix, local=False):
                return False
        elif ov != dv:
            return False
    return True


def names(ov: str, dv: str, scope: Scope, fix: bool, local: bool = True) -> bool:
    """Vote that the original's ``ov`` is the module's ``dv``; when fixing, whether the vote
    says so."""
    if not fix:
        votes[(scope, ov)][dv] += 1
        return True
    return renamed(scope, ov, local) == dv


def child(ov: list, dv: list, i: int, j: int, scope: Scope, fix: bool) -> None:
    if type(ov[i]) is type(dv[j]) and walk(ov[i], dv[j], scope, fix):
        return
    if fix:
        dv[j] = rename(copy.deepcopy(ov[i]), scope)
        replaced.append(1)


def child_field(d: ast.AST, field: str, o: ast.AST, c: ast.AST, scope: Scope, fix: bool) -> None:
    if type(o) is type(c) and walk(o, c, scope, fix):
        return
    if fix:
        setattr(d, field, rename(copy.deepcopy(o), scope))
        replaced.append(1)


def rename(node: ast.AST, scope: Scope) -> ast.AST:
    """``node`` (the original's) in the module's names."""
    for n in ast.walk(node):
        for cls, field in {**SCOPED, **GLOBAL}.items():
            if isinstance(n, cls) and isinstance(getattr(n, field, None), str):
                setattr(n, field, renamed(scope, getattr(n, field), cls in SCOPED))
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            n.value = renamed((), n.value, False)
    return node


replaced: list[int] = []
if __name__ == "__main__":
    original = ast.parse(zlib.decompress(base64.b64decode(ORIGINAL)).decode())
    for path in sorted(glob.glob("*.py")):
        module = ast.parse(Path(path).read_text())
        votes.clear()
        walk(original, module, (), False)
        tally()
        del replaced[:]
        walk(original, module, (), True)
        if replaced:
            Path(path).write_text(ast.unparse(module) + "\n")
        print(f"{path}: {len(replaced)} parts put back as the original has them")
