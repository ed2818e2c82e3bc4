"""The swe track's scenarios cached on disk: generated once per (code base, seed, parameters).

Generating a swe scenario searches for bugs by running probes in subprocesses (most of an
audit's time); its result depends only on the seed, the resolved parameters, the code base's
source, this Python (the probes run on it) and the swe track's own code. Those are hashed into
the entry's key (``key``), so a change to any of them misses the cache and regenerates.

Each entry is one JSON file ``<key>.json`` holding the scenario and the sha256 of its text; an
entry that cannot be read, does not parse, fails its digest or names another key is
regenerated and written again, never used. Writes go to a temporary file renamed into place,
so a reader never sees half an entry.

Where: ``$MEMGYM_SWE_CACHE`` (a folder), else ``$XDG_CACHE_HOME/memgym/swe``, else
``~/.cache/memgym/swe``. ``MEMGYM_SWE_CACHE=off`` (or ``--no-cache`` on ``memgym audit``) turns
it off. Salted scenarios (``MEMGYM_SALT``) are never cached: they must not be written anywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from memgym.files import write_atomic
from memgym.salt import current_salt
from memgym.types import Scenario

CACHE_ENV = "MEMGYM_SWE_CACHE"
"""A folder for the cache, or ``off`` to generate every scenario afresh."""
OFF = ("off", "0", "no", "false")
VERSION = 1
"""The layout of an entry; part of the key."""


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off (``MEMGYM_SWE_CACHE=off``, or a salt set)."""
    value = os.environ.get(CACHE_ENV, "").strip()
    if value.lower() in OFF or current_salt() is not None:
        return None
    if value:
        return Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "memgym" / "swe"


@cache
def code_digest() -> str:
    """sha256 over the swe track's modules and the memgym modules its scenarios are built with."""
    root = Path(__file__).resolve().parents[2]
    files = sorted(Path(__file__).parent.glob("*.py")) + [root / "tokens.py", root / "types.py"]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def key(seed: int, params: dict[str, Any], codebase: str, codebase_sha: str) -> str:
    """The entry's name: a hash of every input of generation."""
    inputs = {
        "version": VERSION, "seed": seed, "params": params, "codebase": codebase,
        "codebase_sha": codebase_sha, "python": sys.version, "code": code_digest(),
    }  # fmt: skip
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def read(folder: Path, name: str) -> Scenario | None:
    """The entry ``name`` when it is whole and its own; None otherwise (missing or corrupt)."""
    try:
        entry = json.loads((folder / f"{name}.json").read_text())
        text = entry["scenario"]
        if entry.get("key") != name or hashlib.sha256(text.encode()).hexdigest() != entry["sha256"]:
            return None
        return Scenario.model_validate_json(text)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(folder: Path, name: str, scenario: Scenario) -> None:
    """Store ``scenario`` as entry ``name`` (atomically; a folder that cannot be written is
    skipped: the cache only saves time)."""
    text = scenario.model_dump_json()
    entry = {"key": name, "sha256": hashlib.sha256(text.encode()).hexdigest(), "scenario": text}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / f"{name}.json", json.dumps(entry))
    except OSError:
        return


def cached(name: str, make: Callable[[], Scenario]) -> Scenario:
    """The scenario of entry ``name``: read from the cache, or made by ``make`` and stored."""
    folder = cache_dir()
    if folder is None:
        return make()
    hit = read(folder, name)
    if hit is not None:
        return hit
    scenario = make()
    write(folder, name, scenario)
    return scenario
