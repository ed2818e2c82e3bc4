"""One flow downhill: memgym's rooms (top-level packages and modules) import each other without a
cycle, lazy and type-only imports included, and no two files import each other (nor any longer
circle of files). There is no allow-list: the graph is drawn from every file as it stands.
``python -m tests.import_graph`` draws the floors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.import_graph import cycles, file_graph, floors, imports_of, room, room_graph


@pytest.fixture(scope="module")
def files() -> dict[str, set[str]]:
    """The file graph, read once for this module (tests build new graphs from it, never change it)."""
    return file_graph()


def test_the_graph_reads_every_room_and_resolves_lazy_and_relative_imports(
    tmp_path: Path, files: dict[str, set[str]]
) -> None:
    rooms = room_graph(files)
    assert {"tracks", "memory", "run", "interactive", "proxy", "rm", "rmdata", "commands"} <= set(
        rooms
    )
    assert "memory" in rooms["proxy"] and "tracks" in rooms["memory"]
    assert "rm" in rooms["memory"] and {"rm", "memory", "run"} <= rooms["rmdata"]
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import json\n"
        "def f():\n"
        "    from memgym.rm.rows import Row\n"
        "    from ..tracks import base\n"
        "    from . import episode\n"
        "if TYPE_CHECKING:\n"
        "    from memgym.tracks.entities.draft import Draft\n"
    )
    found = imports_of(probe, files, name="memgym.run.probe")
    assert found == {
        "memgym.rm.rows",
        "memgym.tracks.base",
        "memgym.run.episode",
        "memgym.tracks.entities.draft",
    }


def test_cycles_and_floors_on_a_small_graph() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": set(), "d": {"e"}, "e": {"d"}}
    assert cycles(graph) == [["d", "e"]]
    del graph["e"], graph["d"]
    assert floors(graph) == [["c"], ["b"], ["a"]]
    assert room("memgym.run.episode") == "run" and room("memgym.types") == "types"


def test_no_room_imports_one_that_imports_it_back(files: dict[str, set[str]]) -> None:
    assert cycles(room_graph(files)) == []


def test_no_two_files_import_each_other(files: dict[str, set[str]]) -> None:
    assert cycles(files) == []
