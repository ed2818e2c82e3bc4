"""What ``--plugin`` names: a module (``my_memory``, ``pkg.memories``) or a file path
(``./my_memory.py``, a package folder), found on the host without importing it.

A module is looked for on ``sys.path`` and in the current folder (so ``--plugin my_memory`` finds
``./my_memory.py`` without ``PYTHONPATH``). A file path names the module of its stem, a folder
holding ``__init__.py`` the package of its name. ``Plugin.top`` is what the worker's sandbox binds
read-only (the module's file, or the folder of its top-level package) and ``Plugin.root`` the
folder that holds it (what a plain worker process puts on its path).
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Plugin:
    """A plugin located on the host: the module the worker imports and where its code lies."""

    given: str
    """What ``--plugin`` said."""
    module: str
    """The module name the worker imports."""
    top: Path
    """The module's file, or its top-level package's folder (real, absolute)."""

    @property
    def root(self) -> Path:
        """The folder holding ``top`` (what goes on the worker's module path)."""
        return self.top.parent


def _is_path(text: str) -> bool:
    return text.endswith(".py") or os.sep in text or "/" in text or Path(text).is_dir()


def _from_path(text: str) -> Plugin:
    path = Path(text).expanduser()
    if path.is_file() and path.suffix == ".py":
        name = path.stem
    elif path.is_dir() and (path / "__init__.py").is_file():
        name = path.name
    else:
        raise ValueError(f"--plugin {text}: no Python file or package folder at that path")
    if not name.isidentifier():
        raise ValueError(f"--plugin {text}: {name!r} is not a module name")
    return Plugin(text, name, Path(os.path.realpath(path)))


def _search_path() -> list[str]:
    """``sys.path`` with the current folder added (a console script's path lacks it)."""
    cwd = os.getcwd()
    paths = [p or cwd for p in sys.path]
    return paths if cwd in paths else [*paths, cwd]


def _top_of(name: str) -> Path | None:
    """The file or package folder of the top-level module ``name`` on the search path."""
    spec = importlib.machinery.PathFinder.find_spec(name, _search_path())
    if spec is None:
        return None
    if spec.submodule_search_locations:  # a package (or a namespace package)
        return Path(os.path.realpath(next(iter(spec.submodule_search_locations))))
    if spec.origin and spec.has_location:
        return Path(os.path.realpath(spec.origin))
    return None


def _from_module(text: str) -> Plugin:
    if not all(part.isidentifier() for part in text.split(".")):
        raise ValueError(f"--plugin {text}: not a module name or a path to a .py file")
    top = _top_of(text.split(".")[0])
    if top is None or not _submodule_exists(top, text.split(".")[1:]):
        raise ValueError(
            f"--plugin {text}: no module of that name can be imported (from the current "
            "folder or sys.path); give a file path (./my_memory.py) or set PYTHONPATH"
        )
    return Plugin(text, text, top)


def _submodule_exists(top: Path, parts: list[str]) -> bool:
    """Whether the dotted ``parts`` below the top-level package ``top`` name a module file."""
    if not parts:
        return True
    if not top.is_dir():
        return False
    *folders, leaf = parts
    base = top.joinpath(*folders)
    return (base / f"{leaf}.py").is_file() or (base / leaf / "__init__.py").is_file()


def locate(text: str) -> Plugin:
    """The plugin ``text`` names (``ValueError``, one line, when there is none)."""
    if not text.strip():
        raise ValueError("--plugin: empty module name")
    return _from_path(text) if _is_path(text) else _from_module(text)


def canonical(text: str) -> str:
    """``text`` as every process of a run can find it: a file path made absolute (a child
    process may start elsewhere), a module name as it is."""
    plugin = locate(text)
    return str(plugin.top) if _is_path(text) else plugin.module


def locate_all(texts: Sequence[str]) -> tuple[Plugin, ...]:
    """Every plugin located, each once; ``ValueError`` when two different files or folders
    claim one top-level module name."""
    found: dict[str, Plugin] = {}
    plugins = [locate(text) for text in dict.fromkeys(texts)]
    for plugin in plugins:
        top = plugin.module.split(".")[0]
        other = found.setdefault(top, plugin)
        if other.top != plugin.top:
            raise ValueError(
                f"--plugin {plugin.given}: its module {plugin.module!r} clashes with "
                f"--plugin {other.given}"
            )
    return tuple(plugins)
