"""The protocol's fingerprint keeps its version honest: the record shipped in the package equals
what the code computes now (a generator, memory, prompt or scorer change fails here until the
version is bumped and the fingerprint recorded again), it is the same in another process, each
part moves with what it covers, and recording refuses a change whose version was not bumped."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from memgym.protocol import fingerprint as fp
from memgym.protocol.spec import PROTOCOLS, SMOKE, TrackPlan
from tests.cli_process import env


@pytest.mark.parametrize("name", list(PROTOCOLS))
def test_the_recorded_fingerprint_is_the_codes(name):
    """If this fails, something the protocol measures changed: bump the protocol's version in
    memgym/protocol/spec.py and run `memgym eval --fingerprint --write`."""
    protocol = PROTOCOLS[name]
    current = fp.fingerprint(protocol)
    assert fp.problems(protocol, current) == []
    assert fp.recorded()[name]["fingerprint"] == current["fingerprint"]


def test_another_process_computes_the_same_fingerprint():
    code = (
        "from memgym.protocol.fingerprint import fingerprint\n"
        "from memgym.protocol.spec import SMOKE\n"
        "print(fingerprint(SMOKE)['fingerprint'])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env={**env(), "PYTHONHASHSEED": "123"},
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert out.stdout.strip() == fp.fingerprint(SMOKE)["fingerprint"]


def test_each_part_moves_with_what_it_covers(monkeypatch):
    base = fp.fingerprint(SMOKE)
    first = SMOKE.tracks[0]
    other_scenario = dataclasses.replace(
        SMOKE, tracks=(TrackPlan(first.track, first.tier, (1,), first.params), *SMOKE.tracks[1:])
    )
    moved = fp.fingerprint(other_scenario)
    assert moved["tracks"]["entities"]["scenario"] != base["tracks"]["entities"]["scenario"]
    assert moved["tracks"]["research"] == base["tracks"]["research"]
    other_memory = dataclasses.replace(SMOKE, strategies=("window:max_tokens=900",))
    moved = fp.fingerprint(other_memory)
    parts = moved["tracks"]["codeqa"]
    assert parts["scenario"] == base["tracks"]["codeqa"]["scenario"]
    assert parts["requests"] != base["tracks"]["codeqa"]["requests"]
    assert moved["protocol"] != base["protocol"]
    # a scorer that accepts anything: the verdicts on the test vectors change
    monkeypatch.setattr(fp, "is_correct", lambda question, text, names=None: True)
    lenient = fp.fingerprint(SMOKE)
    assert all(
        lenient["tracks"][t]["scorer"] != base["tracks"][t]["scorer"] for t in base["tracks"]
    )
    assert lenient["fingerprint"] != base["fingerprint"]


def test_recording_refuses_a_change_without_a_version_bump(tmp_path, monkeypatch):
    record = tmp_path / "fingerprints.json"
    monkeypatch.setattr(fp, "RECORD", record)
    current = {SMOKE.name: fp.fingerprint(SMOKE)}
    fp.write([SMOKE], current)
    assert fp.problems(SMOKE, current[SMOKE.name]) == []
    changed = {SMOKE.name: {**current[SMOKE.name], "fingerprint": "0" * 64}}
    (problem,) = fp.problems(SMOKE, changed[SMOKE.name])
    assert f"but is still version {SMOKE.version}: bump its version" in problem
    with pytest.raises(ValueError, match="bump its version"):
        fp.write([SMOKE], changed)
    assert json.loads(record.read_text())["smoke"]["fingerprint"] == current["smoke"]["fingerprint"]
    bumped = dataclasses.replace(SMOKE, version=SMOKE.version + 1)
    assert "run `memgym eval --fingerprint --write`" in fp.problems(bumped, changed["smoke"])[0]
    fp.write([bumped], changed)
    assert json.loads(record.read_text())["smoke"]["version"] == bumped.version
    assert fp.problems(bumped, changed["smoke"]) == []
