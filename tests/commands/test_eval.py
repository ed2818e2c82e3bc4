"""``memgym eval`` against ``memgym serve`` over real HTTP: the smoke protocol's stream tracks
(``--tracks``; every track, the interactive ones included: ``test_eval_all_tracks.py``) run,
write an entry the shipped JSON schema accepts and the report, and exits 0; its scores equal
``memgym compare``'s with the scripted reasoner in process (recomputed, not copied); the estimate
printed before the run is the measured token count; a run killed half-way (SIGKILL) and resumed
writes the same entry byte for byte; bad input is one line and exit 2."""

from __future__ import annotations

import json
import signal
import sqlite3

import jsonschema
import pytest

from memgym.cli import main
from memgym.commands.compare import run_comparison
from memgym.protocol.entry import SCHEMA_PATH, load_entry
from memgym.protocol.spec import SMOKE, STANDARD
from memgym.run.results import ResultsStore
from memgym.serve import running
from tests.cli_process import kill_once_stored, start, stored

SCHEMA = json.loads(SCHEMA_PATH.read_text())
STREAMS = tuple(plan.track for plan in SMOKE.tracks)
SESSIONS = tuple(plan.track for plan in SMOKE.sessions)


@pytest.fixture(scope="module")
def server():
    with running() as served:
        yield served


def eval_args(server, folder, *extra):
    return [
        "eval", "--model", "memgym-scripted", "--base-url", server.base_url,
        "--protocol", "smoke", "--results", str(folder / "r.sqlite"),
        "--entry", str(folder / "entry.json"), "--report", str(folder / "report.html"),
        "--tracks", *STREAMS, *extra,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def clean(server, tmp_path_factory):
    """One uninterrupted smoke evaluation: (folder, exit code, stderr)."""
    folder = tmp_path_factory.mktemp("clean")
    code = main(eval_args(server, folder))
    return folder, code


def test_eval_runs_every_track_and_writes_a_valid_entry_and_report(clean):
    folder, code = clean
    assert code == 0
    data = json.loads((folder / "entry.json").read_text())
    jsonschema.validate(data, SCHEMA)
    assert [t["track"] for t in data["tracks"]] == ["entities", "research", "codeqa", "dialogue"]
    assert data["left_out"] == list(SESSIONS) == ["tau2", "swe", "web"]
    assert data["complete"] and data["episodes"] == {"planned": 28, "done": 28, "infra_error": 0}
    assert data["protocol"]["name"] == "smoke" and data["model"] == "memgym-scripted"
    assert "base_url" not in data["reasoner"]
    for track in data["tracks"]:
        assert track["score"] is not None and track["ci_low"] <= track["score"] <= track["ci_high"]
        assert track["tokens"]["calls"] > 0 and track["tokens"]["prompt"] > 0
        assert [m["memory"] for m in track["memories"]] == list(SMOKE.memories[1:])
    # the agentic memory's store is searched with tools the model calls and memgym runs
    assert all(t["tokens"]["tool_calls_executed"] > 0 for t in data["tracks"])
    html = (folder / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "memgym-scripted" in html


def test_the_schema_rejects_a_broken_entry(clean):
    data = json.loads((clean[0] / "entry.json").read_text())
    for broken in (
        {**data, "tracks": [{**data["tracks"][0], "score": "high"}]},
        {**data, "protocol": {**data["protocol"], "fingerprint": "abc"}},
        {k: v for k, v in data.items() if k != "model"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA)


def test_scores_equal_compare_with_the_scripted_reasoner_in_process(clean):
    """The served model answers as the scripted reasoner does, so each track's score is the mean
    isolated score of the strategies that ``compare`` computes in process."""
    entry = load_entry(clean[0] / "entry.json")
    for plan, track in zip(SMOKE.tracks, entry.tracks, strict=True):
        comparison = run_comparison(
            plan.track, plan.tier, list(plan.seeds), SMOKE.strategies, fixed=plan.params,
            resamples=SMOKE.resamples,
        )  # fmt: skip
        expected = sum(comparison.scores[s].isolated for s in SMOKE.strategies) / 3
        assert track.score == pytest.approx(expected, abs=1e-4), plan.track
        isolated = {m.memory: m.isolated for m in track.memories}
        for strategy in SMOKE.strategies:
            assert isolated[strategy] == pytest.approx(comparison.scores[strategy].isolated, 1e-4)


def test_the_estimate_is_within_twenty_percent_of_the_measured_tokens(clean):
    entry = load_entry(clean[0] / "entry.json")
    for track in entry.tracks:
        measured = track.tokens.prompt + track.tokens.completion
        estimated = track.estimated.prompt + track.estimated.completion
        assert abs(measured - estimated) <= 0.2 * measured, track.track
        assert track.estimated.calls == track.tokens.calls


def test_killed_half_way_and_resumed_gives_the_same_entry_byte_for_byte(server, clean, tmp_path):
    child = start(*eval_args(server, tmp_path))
    results = tmp_path / "r.sqlite"
    kill_once_stored(child, results, 10, 180)
    assert child.returncode == -signal.SIGKILL
    kept = stored(results)
    assert 10 <= kept < 28 and not (tmp_path / "entry.json").exists()
    assert main(eval_args(server, tmp_path, "--resume")) == 0
    with ResultsStore.open_read(results) as store:
        # the run is the protocol's: its interactive tracks, left out here, are still to run
        assert len(store.runs()) == 1 and store.status(1).done == 28
        assert store.status(1).planned == SMOKE.episodes == 28 + 15
        assert len(list(store.episodes(1, compactions=False))) == 28
    assert (tmp_path / "entry.json").read_bytes() == (clean[0] / "entry.json").read_bytes()


def test_resume_goes_on_against_a_server_that_moved_and_with_another_timeout(
    server, clean, tmp_path, capsys
):
    """Where and how the model was reached is not what was measured: half the episodes run
    against one server, ``--resume`` against another (another URL) with another timeout runs
    only the rest, in the same run (review: it started over with no note), and the entry is
    the uninterrupted one byte for byte."""
    assert main(eval_args(server, tmp_path, "--shard", "1/2")) == 0
    results = tmp_path / "r.sqlite"
    half = stored(results)
    assert 0 < half < 28
    with running() as moved:
        assert moved.base_url != server.base_url
        args = eval_args(moved, tmp_path, "--resume", "--timeout", "30")
        capsys.readouterr()
        assert main(args) == 0
    err = capsys.readouterr().err
    assert f"{28 - half} episodes to run, {half} done before" in err and "no eval run" not in err
    assert (tmp_path / "entry.json").read_bytes() == (clean[0] / "entry.json").read_bytes()


def test_results_count_an_eval_runs_seeds_over_its_tracks(clean, capsys):
    """An eval run keeps its seeds per track (``tracks[].seeds``, ``sessions[].seeds``):
    `results` counted 0."""
    folder, _ = clean
    config = json.loads(sqlite3.connect(folder / "r.sqlite").execute(
        "SELECT config FROM runs").fetchone()[0])  # fmt: skip
    seeds = sum(len(t["seeds"]) for t in config["tracks"] + config["sessions"])
    assert seeds == 7 and "seeds" not in config  # the interactive tracks' seeds too
    assert config["session_memories"][:2] == ["none", "full"]
    capsys.readouterr()
    assert main(["results", str(folder / "r.sqlite"), "--run", "1"]) == 0
    assert f"/ smoke / {seeds} seed" in capsys.readouterr().out


def test_the_table_ranks_one_protocol_version_apart_from_another(clean, tmp_path, capsys):
    entry = load_entry(clean[0] / "entry.json")
    version = entry.protocol.version
    bumped = entry.model_copy(
        update={
            "protocol": entry.protocol.model_copy(update={"version": version + 1}),
            "model": "other",
        }
    )
    broken = entry.model_copy(update={"model": "half", "complete": False, "status": "incomplete"})
    paths = []
    for name, e in (("a", entry), ("b", bumped), ("c", broken)):
        paths.append(str(tmp_path / f"{name}.json"))
        (tmp_path / f"{name}.json").write_text(e.dumps())
    assert main(["eval", "--table", *paths, "--markdown"]) == 0
    out = capsys.readouterr().out
    tables = out.split("**protocol smoke v")
    assert len(tables) == 3  # the two versions apart
    current = next(t for t in tables if t.startswith(f"{version} "))
    assert "| 1 | memgym-scripted |" in current and "| - | half |" in current
    assert "other" not in current


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval"], "--model is required"),
        (["eval", "--model", "m", "--protocol", "huge"], "unknown protocol 'huge'"),
        (["eval", "--write"], "--write needs --fingerprint"),
        (["eval", "--model", "m", "--shard", "3/2"], "bad --shard '3/2'"),
        (["eval", "--estimate-only", "--shard", "3/2"], "bad --shard '3/2'"),
        (["eval", "--estimate-only", "--timeout", "0"], "--timeout must be positive"),
        (["eval", "--estimate-only", "--context-window", "0"], "--context-window must be at"),
        (["eval", "--model", "m", "--entry", "/no/such/dir/e.json"], "cannot write"),
        (["eval", "--model", "m", "--throughput", "0"], "--throughput must be above 0"),
        (["eval", "--model", "m", "--entry", "."], "cannot write --entry .: it is a folder"),
        (["eval", "--model", "m", "--entry", "memgym-results.sqlite"], "is also --results"),
        (["eval", "--model", "m", "--cache", "nodir/c.sqlite"], "cannot write --cache"),
        (["eval", "--model", "m", "--base-url", "http://127.0.0.1:9/v1"], "127.0.0.1:9"),
        (["eval", "--model", "m", "--protocol", "smoke", "--tracks", "nope"], "runs no track nope"),
        (
            ["eval", "--model", "m", "--tracks", "tau2"],
            f"protocol standard v{STANDARD.version} runs no track tau2",
        ),
        (["eval", "--table", "e.json", "--tracks", "web"], "--tracks chooses what an evaluation"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
    assert not (tmp_path / "memgym-results.sqlite").exists()


def test_a_results_file_that_is_not_one_is_refused_before_any_work(tmp_path, capsys):
    text = tmp_path / "text.sqlite"
    text.write_text("notes, not a results file\n")
    argv = ["eval", "--model", "m", "--results", str(text), "--entry", str(tmp_path / "e.json"),
            "--report", str(tmp_path / "r.html")]  # fmt: skip
    assert main(argv) == 2
    assert "not a memgym results file" in capsys.readouterr().err
    assert text.read_text() == "notes, not a results file\n"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["text.sqlite"]


def test_a_file_that_is_not_an_entry_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "memgym-eval-entry/1"}')
    assert main(["eval", "--table", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is not a memgym eval entry" in err, err


def test_two_shards_then_resume_give_the_same_entry(server, clean, tmp_path, capsys):
    assert main(eval_args(server, tmp_path, "--shard", "1/2")) == 0
    assert not (tmp_path / "entry.json").exists()  # half the episodes: no entry yet
    assert stored(tmp_path / "r.sqlite") == 14
    assert main(eval_args(server, tmp_path, "--shard", "2/2")) == 0
    capsys.readouterr()
    assert main(eval_args(server, tmp_path, "--resume")) == 0  # nothing left to run
    err = capsys.readouterr().err
    assert "nothing left to run" in err and "tokens/s" not in err, err  # no time, no probe
    assert stored(tmp_path / "r.sqlite") == 28
    assert (tmp_path / "entry.json").read_bytes() == (clean[0] / "entry.json").read_bytes()


def test_an_evaluation_missing_an_episode_is_flagged_incomplete(clean):
    from memgym.protocol import runs
    from memgym.protocol.entry import build_entry
    from memgym.protocol.estimate import estimate
    from memgym.protocol.work import items, run_config

    entry = load_entry(clean[0] / "entry.json")
    spec = f"llm:model=memgym-scripted,base_url={entry_base_url(clean[0])}"
    with ResultsStore.open_read(clean[0] / "r.sqlite") as store:
        episodes = runs.episodes_of(store, runs.matching_runs(store, run_config(SMOKE, spec)))
    assert len(episodes) == 28
    dropped = episodes.pop(next(iter(episodes)))
    status = runs.status(SMOKE.episodes_of(STREAMS), episodes)
    keys = (item.key for item in items(SMOKE, spec, STREAMS))
    partial = build_entry(
        SMOKE, entry.protocol.fingerprint, entry.model, entry.reasoner,
        runs.ordered(episodes, keys), status, estimate(SMOKE), STREAMS,
    )  # fmt: skip
    assert not partial.complete and partial.status == "incomplete: 1 not run"
    assert partial.episodes.done == 27
    assert {t.track: t.episodes for t in partial.tracks}[dropped.track] == 6


def entry_base_url(folder):
    """The base URL the clean run's reasoner used, read from its run config."""
    with ResultsStore.open_read(folder / "r.sqlite") as store:
        (run,) = store.runs()
    spec = run["config"]["reasoner"]
    return spec.split("base_url=")[1].split(",")[0]


def test_the_table_ranks_on_the_stream_tracks_and_groups_by_the_tracks_left_out(clean):
    """An interactive track (ceiling full) is on another scale: shown, never in the mean; an
    entry covering other tracks (--tracks) is ranked apart."""
    from memgym.protocol import table

    entry = load_entry(clean[0] / "entry.json")
    streams = [t.score for t in entry.tracks]
    session = entry.tracks[0].model_copy(update={"track": "web", "ceiling": "full", "score": 0.0})
    whole = entry.model_copy(
        update={"model": "whole", "left_out": [], "tracks": [*entry.tracks, session]}
    )
    groups = table.group([("part", entry), ("whole", whole)])
    assert [g.left_out for g in groups] == [tuple(SESSIONS), ()]
    assert groups[1].tracks == [*STREAMS, "web"] and "without tau2, swe, web" in groups[0].title
    (row,) = groups[1].rows
    assert row.rank == 1 and row.mean == pytest.approx(sum(streams) / len(streams))


def test_estimate_only_names_a_track_whose_engine_is_missing(capsys):
    """--estimate-only estimates what it can here and names, one line each, what it cannot."""
    from memgym.protocol.engines import missing

    lacking = missing(["tau2"])
    if not lacking:
        pytest.skip("τ²-bench is installed in this venv")
    capsys.readouterr()
    assert (
        main(["eval", "--estimate-only", "--protocol", "smoke", "--tracks", "entities", "tau2"])
        == 0
    )
    err = " ".join(capsys.readouterr().err.split())
    from memgym.protocol.estimate import estimate

    (cost,) = estimate(SMOKE, tracks=["entities"])
    assert f"entities {cost.episodes} episodes {cost.calls} calls" in err
    assert f"tau2 not estimated: {lacking[0]}" in err
