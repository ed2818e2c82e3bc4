"""Secret evaluation seeds: a salt draws other scenarios from the same public seeds, results keep
its digest (never the salt), and the salt is read from a variable or a file with clear errors."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from memgym.cli import main
from memgym.salt import (
    SALT_ENV,
    SALT_FILE_ENV,
    SALTED_SEED_BASE,
    current_salt,
    evaluation_seed,
    salt_digest,
)
from memgym.tracks import get_track


@pytest.fixture(autouse=True)
def unsalted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SALT_ENV, raising=False)
    monkeypatch.delenv(SALT_FILE_ENV, raising=False)


def test_unsalted_seeds_are_the_public_ones() -> None:
    assert current_salt() is None and salt_digest() == ""
    assert evaluation_seed("entities", 7) == 7


def test_a_salted_seed_is_the_hmac_of_track_and_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SALT_ENV, "k1")
    mac = hmac.new(b"k1", b"memgym seed\0entities\0" + b"7", hashlib.sha256).digest()
    assert evaluation_seed("entities", 7) == SALTED_SEED_BASE + int.from_bytes(mac[:8], "big")
    seeds = {evaluation_seed(t, s) for t in ("entities", "codeqa") for s in range(50)}
    assert len(seeds) == 100 and min(seeds) >= SALTED_SEED_BASE
    other = evaluation_seed("entities", 7, b"k2")
    assert other != evaluation_seed("entities", 7)


def test_the_digest_names_the_salt_without_revealing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SALT_ENV, "a long secret salt")
    digest = salt_digest()
    assert len(digest) == 16 and "secret" not in digest
    assert digest == salt_digest(b"a long secret salt") != salt_digest(b"another")


def test_a_salt_file_is_read_and_bad_salts_are_one_line_errors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "salt"
    path.write_text("from a file\n")
    monkeypatch.setenv(SALT_FILE_ENV, str(path))
    assert current_salt() == b"from a file"
    monkeypatch.setenv(SALT_ENV, "x")
    with pytest.raises(ValueError, match="not both"):
        current_salt()
    monkeypatch.delenv(SALT_ENV)
    path.write_text("  \n")
    with pytest.raises(ValueError, match="empty"):
        current_salt()
    monkeypatch.setenv(SALT_FILE_ENV, str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="cannot read"):
        current_salt()


def test_salted_scenarios_differ_from_every_public_one(monkeypatch: pytest.MonkeyPatch) -> None:
    track = get_track("entities")
    public = {track.generate(s, "lite").hash for s in range(3)}
    monkeypatch.setenv(SALT_ENV, "k1")
    salted = [track.generate(evaluation_seed("entities", s), "lite") for s in range(3)]
    assert public.isdisjoint(s.hash for s in salted)
    again = track.generate(evaluation_seed("entities", 0), "lite")
    assert again.hash == salted[0].hash  # deterministic under the same salt


def test_a_salted_run_shows_its_digest_and_public_seeds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "r.db")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv(SALT_ENV, "k1")
    digest = salt_digest()
    base = ["run", "--track", "entities", "--tier", "lite", "--seeds", "2", "--memory", "full"]
    assert main([*base, "--results", db]) == 0
    monkeypatch.delenv(SALT_ENV)
    assert main([*base, "--results", db]) == 0
    capsys.readouterr()
    assert main(["results", db]) == 0
    listed = capsys.readouterr().out
    assert f"salted {digest[:8]}" in listed and "public seeds" in listed
    assert "k1" not in listed
    assert main(["results", db, "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert [r["salt"] for r in data["runs"]] == [[digest], [""]]
    assert {e["seed"] for e in data["episodes"]} == {0, 1}
    salted, public = data["episodes"][:2], data["episodes"][2:]
    assert {e["scenario_hash"] for e in salted}.isdisjoint(e["scenario_hash"] for e in public)
