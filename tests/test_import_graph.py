"""One flow downhill: memgym's rooms (top-level packages and modules) import each other without a
cycle, lazy imports included, and no two files import each other. ``python -m tests.import_graph``
draws the floors. The few imports that still run back up are listed below by file, each with what
removes it; the test fails on any other, and on a listed one that is gone (strike it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.import_graph import cycles, file_graph, floors, imports_of, room, room_graph

KNOWN_UPHILL = {
    # The gated memory scores with MemRM's model, and MemRM's pipeline (replay, dataset, rank)
    # runs memories: splitting the model (features, lite, trees, models, rows) below memory/
    # removes these.
    ("memgym.memory.gated", "memgym.rm.features"),
    ("memgym.memory.gated", "memgym.rm.lite"),
    ("memgym.memory.gated", "memgym.rm.models"),
    ("memgym.memory.gated", "memgym.rm.rows"),
    # Type-only (``if TYPE_CHECKING``) back references inside two generators, left until the
    # generator work on them (#42) has merged: the draft and block types move to their own files.
    ("memgym.tracks.entities.guard", "memgym.tracks.entities.questions"),
    ("memgym.tracks.research.blind", "memgym.tracks.research.assemble"),
}


@pytest.fixture(scope="module")
def files() -> dict[str, set[str]]:
    """The file graph, read once for this module (tests build new graphs from it, never change it)."""
    return file_graph()


def downhill(files: dict[str, set[str]]) -> dict[str, set[str]]:
    """The file graph without the listed uphill imports (a new graph)."""
    return {m: {t for t in ts if (m, t) not in KNOWN_UPHILL} for m, ts in files.items()}


def test_the_graph_reads_every_room_and_resolves_lazy_and_relative_imports(
    tmp_path: Path, files: dict[str, set[str]]
) -> None:
    rooms = room_graph(files)
    assert {"tracks", "memory", "run", "interactive", "proxy", "rm", "commands"} <= set(rooms)
    assert "memory" in rooms["proxy"] and "tracks" in rooms["memory"]
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import json\n"
        "def f():\n"
        "    from memgym.rm.rows import Row\n"
        "    from ..tracks import base\n"
        "    from . import episode\n"
    )
    found = imports_of(probe, files, name="memgym.run.probe")
    assert found == {"memgym.rm.rows", "memgym.tracks.base", "memgym.run.episode"}


def test_cycles_and_floors_on_a_small_graph() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": set(), "d": {"e"}, "e": {"d"}}
    assert cycles(graph) == [["d", "e"]]
    del graph["e"], graph["d"]
    assert floors(graph) == [["c"], ["b"], ["a"]]
    assert room("memgym.run.episode") == "run" and room("memgym.types") == "types"


def test_no_room_imports_one_that_imports_it_back(files: dict[str, set[str]]) -> None:
    assert cycles(room_graph(downhill(files))) == []


def test_no_two_files_import_each_other(files: dict[str, set[str]]) -> None:
    assert cycles(downhill(files)) == []


def test_every_listed_uphill_import_still_exists(files: dict[str, set[str]]) -> None:
    gone = sorted(edge for edge in KNOWN_UPHILL if edge[1] not in files.get(edge[0], set()))
    assert gone == [], f"these no longer run uphill: strike them from KNOWN_UPHILL: {gone}"
