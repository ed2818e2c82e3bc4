"""The sealed split: held-out data no development decision reads, opened once at the end.

``memgym rm build --sealed-seeds N`` runs the held-out track on a seed range of its own and
writes ``sealed.jsonl``; the manifest records its track, seeds, strategies and sha256 but no
label count. Nothing reads it by default: training reads ``train``/``val``, ``eval`` the other
test splits. ``eval --split sealed`` refuses without ``--open-sealed``; with it, the file's hash
is checked against the manifest and the opening (time, model hash) is logged there, so a second
look at the sealed figures is on the record.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from memgym.files import write_atomic
from memgym.rmdata.dataset import SEALED, file_sha256

__all__ = ["SEALED", "check_request", "open_sealed"]


def check_request(splits: list[str] | None, open_sealed: bool) -> None:
    """``ValueError`` when the sealed split is asked for without ``--open-sealed``."""
    if splits and SEALED in splits and not open_sealed:
        raise ValueError(
            "the sealed split is read once, with the final model: add --open-sealed"
            " (the opening is logged in the manifest)"
        )


def open_sealed(folder: str | Path, model: str | Path) -> list[dict[str, Any]]:
    """Check the sealed file against the manifest and log this opening; the earlier openings.
    ``ValueError`` when the dataset has no sealed split or its file changed."""
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise ValueError(f"no dataset manifest in {folder}")
    manifest = json.loads(manifest_path.read_text())
    record = manifest.get(SEALED)
    if record is None:
        raise ValueError(f"{folder} has no sealed split (build with --sealed-seeds N)")
    if file_sha256(folder / record["file"]) != record["sha256"]:
        raise ValueError(f"{folder / record['file']} differs from the file the build sealed")
    earlier = list(record.get("opened", []))
    model_path = Path(model)
    model_hash = file_sha256(model_path) if model_path.is_file() else str(model_path)
    record["opened"] = [
        *earlier,
        {"utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "model_sha256": model_hash},
    ]
    write_atomic(manifest_path, json.dumps(manifest, indent=2) + "\n")
    return earlier
