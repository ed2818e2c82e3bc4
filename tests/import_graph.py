"""memgym's import graph, drawn from its source: every ``import`` and ``from ... import`` of every
file, lazy ones (inside functions) included, relative ones resolved.

``python -m tests.import_graph`` prints the rooms (the top-level packages and modules of
``memgym/``) floor by floor, lowest first, each with the rooms it imports; then every import that
runs back up (a cycle between rooms) and every circle between files. The layering test
(``tests/test_import_graph.py``) asserts there are none.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "memgym"


def module_name(path: Path) -> str:
    """``memgym/run/episode.py`` -> ``memgym.run.episode``; a package's ``__init__.py`` -> the package."""
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of memgym by its dotted name."""
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def imports_of(path: Path, known: Iterable[str], name: str | None = None) -> set[str]:
    """The memgym modules ``path`` (module ``name``, by default its place under memgym/) imports,
    lazy imports included, each resolved to the longest known module its name starts with
    (``from memgym.run import episode`` -> ``memgym.run.episode``)."""
    names = set(known)
    here = name or module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()

    def resolve(name: str) -> str | None:
        while name and name not in names:
            name = name.rpartition(".")[0]
        return name or None

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] or [base]
        else:
            continue
        for target in targets:
            if target == "memgym" or target.startswith("memgym."):
                resolved = resolve(target)
                if resolved and resolved != here:
                    found.add(resolved)
    return found


def file_graph() -> dict[str, set[str]]:
    """Module -> the memgym modules it imports. A package's ``__init__`` that only re-exports is a
    node like any other file."""
    mods = modules()
    return {name: imports_of(path, mods) for name, path in mods.items()}


def room(module: str) -> str:
    """The room a module lives in: ``memgym.run.episode`` -> ``run``; ``memgym.types`` -> ``types``;
    the root ``memgym/__init__.py`` (the public API re-exporting every room) -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def room_graph(files: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """Room -> the rooms it imports (its own excluded)."""
    files = file_graph() if files is None else files
    graph: dict[str, set[str]] = {room(m): set() for m in files}
    for source, targets in files.items():
        for target in targets:
            if room(target) != room(source):
                graph[room(source)].add(room(target))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def floors(graph: dict[str, set[str]]) -> list[list[str]]:
    """Rooms by floor: floor 0 imports no room; a room stands one floor above the highest room it
    imports (rooms in a cycle share the floor of the first of them reached)."""
    level: dict[str, int] = {}

    def height(node: str, seen: frozenset[str]) -> int:
        if node in level:
            return level[node]
        below = [height(n, seen | {node}) for n in graph.get(node, ()) if n not in seen | {node}]
        level[node] = 1 + max(below) if below else 0
        return level[node]

    for node in sorted(graph):
        height(node, frozenset())
    out: list[list[str]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for node, floor in level.items():
        out[floor].append(node)
    return [sorted(f) for f in out]


def main() -> None:
    files = file_graph()
    rooms = room_graph(files)
    for number, names in enumerate(floors(rooms)):
        for name in names:
            print(f"floor {number:2d}  {name:12s} -> {', '.join(sorted(rooms[name])) or '-'}")
    room_cycles = cycles(rooms)
    file_cycles = cycles(files)
    print(f"{len(rooms)} rooms; room cycles: {len(room_cycles)}; file circles: {len(file_cycles)}")
    for cycle in room_cycles + file_cycles:
        print("  cycle: " + " <-> ".join(cycle))


if __name__ == "__main__":
    main()
