"""The interactive tracks draw salted seeds too: under ``MEMGYM_SALT``, ``memgym compare`` and
``memgym run`` on web play the world of the salted seed (another one than the public seed's),
and results keep the public seed and the salt's digest, as on the question streams; tau2's
shift (its tasks and its renamed world) is the salted seed's too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memgym.cli import main
from memgym.salt import SALT_ENV, SALT_FILE_ENV, evaluation_seed, salt_digest
from memgym.tracks import get_track
from tests.engines import needs


@pytest.fixture(autouse=True)
def unsalted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SALT_ENV, raising=False)
    monkeypatch.delenv(SALT_FILE_ENV, raising=False)


def episodes(db: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["results", db, "--json"]) == 0
    found: list[dict[str, object]] = json.loads(capsys.readouterr().out)["episodes"]
    return found


@needs("web")
def test_compare_and_run_on_web_draw_salted_seeds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "r.db")
    track = get_track("web")
    public = track.generate(0, "lite").hash
    monkeypatch.setenv(SALT_ENV, "k-interactive")
    digest = salt_digest()
    drawn = track.generate(evaluation_seed("web", 0), "lite").hash
    assert drawn != public
    compare = ["compare", "--track", "web", "--tier", "lite", "--seeds", "1",
               "--memories", "full", "--results", db]  # fmt: skip
    assert main(compare) == 0
    run = ["run", "--track", "web", "--tier", "lite", "--seeds", "1", "--memory", "none",
           "--results", db]  # fmt: skip
    assert main(run) == 0
    salted = episodes(db, capsys)  # compare's memories (full and its baselines), then run's
    assert {e["memory"] for e in salted} == {"full", "none"}
    assert {(e["seed"], e["salt"], e["scenario_hash"]) for e in salted} == {(0, digest, drawn)}
    monkeypatch.delenv(SALT_ENV)
    assert main([*run, "--memory", "full"]) == 0
    plain = [e for e in episodes(db, capsys) if e["salt"] == ""]
    assert plain and {(e["seed"], e["scenario_hash"]) for e in plain} == {(0, public)}


@needs("tau2")
def test_a_salted_tau2_shift_serves_the_salted_seeds_renamed_world(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from memgym.run.runner import run_item
    from memgym.run.work import WorkItem

    track = get_track("tau2")
    public = track.generate(0, None, domain="airline")
    monkeypatch.setenv(SALT_ENV, "k-tau2")
    drawn = evaluation_seed("tau2", 0)
    salted = track.generate(drawn, None, domain="airline")
    assert json.loads(salted.brief.splitlines()[-1])["rename"] == drawn
    assert salted.hash != public.hash and track.check(salted) == []
    result = run_item(WorkItem("tau2", None, 0, (("domain", "airline"),), "full", "gold"))
    assert (result.seed, result.salt, result.scenario_hash) == (0, salt_digest(), salted.hash)
    assert result.status == "ok" and result.composite == 1.0  # the gold plan, renamed, still solves
