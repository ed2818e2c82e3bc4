"""``memgym eval --plugin FILE --memories SPEC`` against ``memgym serve`` over real HTTP, on a
stream track (entities) and an interactive one (swe): the example plugin's memory runs beside
the protocol's own, behind the boundary (``sandbox`` where bubblewrap is installed), and its
rows in the entry are what ``memgym compare`` scores for the same memory, model and seeds
(recomputed here through ``compare``, not copied); the protocol's part of the entry is what it
is without the plugin (the recorded fingerprint, compare's scores of the strategies)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from memgym.cli import main
from memgym.commands.compare import run_comparison
from memgym.commands.eval import print_entry
from memgym.protocol.entry import SCHEMA_PATH, build_entry, load_entry
from memgym.protocol.estimate import TrackCost
from memgym.protocol.fingerprint import RECORD
from memgym.protocol.spec import SMOKE
from memgym.run.results import ResultsStore, RunStatus
from memgym.run.sandbox import PROCESS, SANDBOX, sandboxed
from memgym.serve import running
from tests.engines import missing

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = "examples/plugins/keep_numbers.py"
SPEC = "keep-numbers:max_tokens=3000"
TRACKS = ("entities", "swe")

pytestmark = pytest.mark.skipif(bool(missing("swe")), reason=missing("swe") or "")


@pytest.fixture(scope="module")
def server():
    with running() as served:
        yield served


@pytest.fixture(scope="module")
def evaluated(server, tmp_path_factory):
    """One smoke evaluation of entities and swe with the example plugin's memory: (folder,
    exit code)."""
    folder = tmp_path_factory.mktemp("plugin")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)  # the plugin named as an author would: relative to the checkout
        code = main([
            "eval", "--model", "memgym-scripted", "--base-url", server.base_url,
            "--protocol", "smoke", "--tracks", *TRACKS, "--results", str(folder / "r.sqlite"),
            "--entry", str(folder / "entry.json"), "--report", str(folder / "report.html"),
            "--plugin", EXAMPLE, "--memories", SPEC,
        ])  # fmt: skip
    return folder, code


def _compare(server, track: str, folder: Path, capsys) -> dict:
    """``memgym compare`` of the plugin's memory with the served model on the protocol's plan
    of ``track``, as JSON."""
    plan = next(p for p in SMOKE.plans if p.track == track)
    params = [f"--param={k}={v}" for k, v in plan.params.items()]
    capsys.readouterr()
    assert main([
        "compare", "--track", track, "--tier", plan.tier, *params,
        "--seed", str(plan.seeds[0]), "--seeds", str(len(plan.seeds)),
        "--reasoner", f"llm:model=memgym-scripted,base_url={server.base_url}",
        "--plugin", str(REPO / EXAMPLE), "--memories", SPEC,
        "--resamples", str(SMOKE.resamples), "--results", str(folder / f"{track}.sqlite"), "--json",
    ]) == 0  # fmt: skip
    return json.loads(capsys.readouterr().out)


def test_the_plugin_memory_is_scored_beside_the_protocol_behind_the_boundary(
    server, evaluated, capsys
):
    folder, code = evaluated
    assert code == 0
    data = json.loads((folder / "entry.json").read_text())
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text()))
    boundary = SANDBOX if sandboxed() else PROCESS
    assert data["plugins"] == ["keep_numbers"] and data["complete"]
    seeds = sum(len(p.seeds) for p in SMOKE.plans if p.track in TRACKS)
    assert data["episodes"]["done"] == SMOKE.episodes_of(TRACKS) + seeds
    with ResultsStore.open_read(folder / "r.sqlite") as store:
        ours = [e for e in store.episodes(compactions=False) if e.memory == SPEC]
    assert sorted(e.track for e in ours) == sorted(TRACKS)
    assert {(e.boundary, e.status) for e in ours} == {(boundary, "ok")}
    for track in data["tracks"]:
        (row,) = track["plugin_memories"]
        assert (row["memory"], row["boundary"]) == (SPEC, boundary)
        assert {m["boundary"] for m in track["memories"]} == {"in-process"}
        assert SPEC not in [m["memory"] for m in track["memories"]]
        expected = next(m for m in _compare(server, track["track"], folder, capsys)["memories"]
                        if m["memory"] == SPEC)  # fmt: skip
        for key in ("accuracy", "isolated", "ci_low", "ci_high", "oracle_right"):
            want = expected[key]
            assert row[key] == (None if want is None else pytest.approx(want, abs=1e-4)), key
    entities = data["tracks"][0]["plugin_memories"][0]
    assert entities["accuracy"] > 0  # the stream track's plugin row answered questions
    capsys.readouterr()
    print_entry(load_entry(folder / "entry.json"))
    printed = capsys.readouterr().out
    assert "plugin memories (keep_numbers)" in printed and printed.count(boundary) == len(TRACKS)


def test_the_protocols_part_is_what_it_is_without_the_plugin(evaluated):
    """The recorded fingerprint of the built-in part, and its score: the mean isolated score of
    the strategies that ``compare`` computes in process (the served model is the scripted
    reasoner), over the protocol's memories only."""
    entry = load_entry(evaluated[0] / "entry.json")
    recorded = json.loads(RECORD.read_text())["smoke"]["fingerprint"]
    assert entry.protocol.fingerprint == recorded
    track = entry.tracks[0]
    plan = SMOKE.tracks[0]
    comparison = run_comparison(
        plan.track, plan.tier, list(plan.seeds), SMOKE.strategies, fixed=plan.params,
        resamples=SMOKE.resamples,
    )  # fmt: skip
    expected = sum(comparison.scores[s].isolated for s in SMOKE.strategies) / 3
    assert track.score == pytest.approx(expected, abs=1e-4)
    assert [m.memory for m in track.memories] == list(SMOKE.memories[1:])
    assert track.episodes == len(plan.seeds) * len(SMOKE.memories)


def test_a_plugin_answering_fewer_questions_changes_nothing_of_the_protocols_part(evaluated):
    """Rebuilt from the stored episodes: with the plugin's entities episode cut to one answer
    (the protocol's rows still count every question all of them answered) and without the
    plugin's episodes at all, the tracks are the same but for ``plugin_memories``."""
    with ResultsStore.open_read(evaluated[0] / "r.sqlite") as store:
        stored = list(store.episodes(compactions=False))
    costs = [TrackCost(p.track, 0, 0, 0, 0) for p in SMOKE.tracks]

    def tracks(results):
        entry = build_entry(SMOKE, "0" * 64, "m", "llm", results, RunStatus(1, 1, 0), costs, TRACKS)
        return [t.model_dump(exclude={"plugin_memories"}) for t in entry.tracks], entry

    cut = [
        e.model_copy(update={"answers": e.answers[:1]})
        if e.memory == SPEC and e.track == "entities" else e
        for e in stored
    ]  # fmt: skip
    assert len(next(e for e in cut if e.memory == SPEC and e.track == "entities").answers) == 1
    without, _ = tracks([e for e in stored if e.memory != SPEC])
    with_cut, entry = tracks(cut)
    assert with_cut == without
    assert entry.tracks[0].plugin_memories[0].memory == SPEC
    assert without[0]["questions"] > 1  # the cut plugin row did not narrow the protocol's


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--memories", SPEC], "--plugin and --memories go together"),
        (["--plugin", EXAMPLE], "--plugin and --memories go together"),
        (["--plugin", EXAMPLE, "--memories", "window"], "--memories window: memgym's own memory"),
        (["--plugin", EXAMPLE, "--memories", SPEC, SPEC], "a memory is named twice"),
        (["--plugin", "nowhere.py", "--memories", SPEC], "nowhere.py"),
        (["--plugin", EXAMPLE, "--memories", SPEC, "--isolate"], "--isolate: eval runs"),
    ],
)
def test_bad_plugin_flags_are_one_line_and_exit_2(extra, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    argv = ["eval", "--model", "m", "--results", str(tmp_path / "r.sqlite"), *extra]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
    assert not (tmp_path / "r.sqlite").exists()
