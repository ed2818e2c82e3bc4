"""Loading ``bench/`` and ``bench/studies/`` scripts in tests (bench scripts are not a package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "bench"
FOLDERS = (BENCH, BENCH / "studies")


def load_bench_script(name: str) -> ModuleType:
    """The module of ``bench/<name>.py`` or ``bench/studies/<name>.py``, registered in
    ``sys.modules`` so its dataclasses can look their module up."""
    path = next(folder / f"{name}.py" for folder in FOLDERS if (folder / f"{name}.py").exists())
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
