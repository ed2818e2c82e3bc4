"""Layering: a track is data generation and ground truth. ``memgym/tracks/`` imports nothing from
memory, reasoners, run or simulation (gates, audit and validate live above it), neither in its
source nor, transitively, when every track is imported and generates a scenario."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import memgym

FORBIDDEN = ("memgym.memory", "memgym.reasoners", "memgym.run", "memgym.simulation")
TRACKS = Path(memgym.__file__).parent / "tracks"


def imported_modules(path: Path) -> list[str]:
    """Every module an ``import`` or ``from ... import`` in ``path`` names (lazy ones too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
    return found


def forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


def test_the_rule_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f():\n    from memgym.run.episode import evaluate\n    import memgym.memory\n"
    )
    assert [m for m in imported_modules(bad) if forbidden(m)] == [
        "memgym.run.episode",
        "memgym.run.episode.evaluate",
        "memgym.memory",
    ]
    assert not forbidden("memgym.memoryless") and forbidden("memgym.simulation.gates")


def test_no_track_source_imports_an_upper_layer() -> None:
    files = sorted(TRACKS.rglob("*.py"))
    assert len(files) > 20
    offences = [
        f"{path.relative_to(TRACKS.parent)}: {module}"
        for path in files
        for module in imported_modules(path)
        if forbidden(module)
    ]
    assert offences == []


def test_generating_every_track_loads_no_upper_layer() -> None:
    code = (
        "import sys\n"
        "from memgym.tracks import get_track, track_names\n"
        "for name in track_names():\n"
        "    t = get_track(name)\n"
        "    if not t.interactive:\n"
        "        s = t.generate(0, 'lite')\n"
        "        t.read(s.events[0].text)\n"
        f"print(sorted(m for m in sys.modules if m.startswith({FORBIDDEN!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"
