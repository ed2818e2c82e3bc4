"""A small MemRM dataset, built once per test session (real episodes, real replay)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from memgym.rmdata.dataset import build, quick_config

QUICK = quick_config()


@pytest.fixture(scope="session")
def quick_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The quick dataset's folder and manifest."""
    folder = tmp_path_factory.mktemp("rm-data")
    manifest = build(QUICK, folder)
    return folder, manifest


@pytest.fixture(scope="session")
def lite_model(
    quick_data: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Any]:
    """A lite model trained on the quick train split, saved; (path, model)."""
    from memgym.rm.lite import train_lite
    from memgym.rm.rows import read_jsonl

    folder, _ = quick_data
    model = train_lite(list(read_jsonl(folder / "train.jsonl")))
    path = tmp_path_factory.mktemp("rm-model") / "lite.pkl"
    model.save(path)
    return path, model
