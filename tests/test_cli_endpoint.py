"""The model endpoint is checked before a run, and a run whose episodes fail for infrastructure
cannot pass for a complete one.

- An unreachable endpoint fails in well under 10 s with one line and exit 2, and records no run.
- An endpoint that refuses the API key fails the same way.
- ``memgym serve --fail-questions R`` fails a fixed, seeded set of questions on every request; the
  episodes holding one fail however often they are retried. The run is incomplete, and says so in
  every view: ``run`` (table caption, stderr, exit 1, ``--json``), ``results`` (list, run summary,
  ``--json``), the leaderboard (left out; flagged with ``--include-incomplete``; ``--json``) and
  the HTML report.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from memgym.cli import main
from memgym.run.results import ResultsStore
from memgym.serve import Faults, running
from memgym.tracks import get_track
from tests.cli_process import memgym

SEEDS = 8
SHARE = 0.03


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_endpoint_fails_fast_with_one_line_and_no_run(tmp_path):
    path = tmp_path / "r.sqlite"
    url = f"http://127.0.0.1:{closed_port()}/v1"
    start = time.monotonic()
    done = memgym("run", "--seeds", "3", "--model", "m", "--base-url", url, "--results", str(path))
    took = time.monotonic() - start
    assert done.returncode == 2
    assert took < 10, f"{took:.1f} s"
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the model endpoint" in lines[0], done.stderr
    assert url in lines[0] and "nothing was run" in lines[0]
    assert not path.exists()  # checked before the results file is even opened
    cmp = memgym("compare", "--seeds", "2", "--reasoner", f"llm:base_url={url}",
                 "--results", str(path))  # fmt: skip
    assert cmp.returncode == 2 and len(cmp.stderr.strip().splitlines()) == 1
    assert not path.exists()


@pytest.mark.parametrize("memory", ["agentic-llm", "summary:summarizer=llm,max_tokens=2000"])
def test_a_memory_that_calls_a_model_is_checked_too(tmp_path, monkeypatch, capsys, memory):
    """A memory that calls the default endpoint (no base_url of its own) is checked as the llm
    reasoner is: before, the run retried for over a minute and stored infra_error episodes."""
    path = tmp_path / "r.sqlite"
    url = f"http://127.0.0.1:{closed_port()}/v1"
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    start = time.monotonic()
    code = main(["run", "--seeds", "1", "--memory", memory, "--results", str(path)])
    assert code == 2 and time.monotonic() - start < 10
    err = capsys.readouterr().err
    assert "cannot reach the model endpoint" in err and url in err
    assert not path.exists()


def test_an_unreachable_endpoint_goes_on_only_with_a_cache_that_holds_calls(tmp_path):
    cache, path = tmp_path / "calls.sqlite", tmp_path / "r.sqlite"
    dead = f"http://127.0.0.1:{closed_port()}/v1"
    argv = ["run", "--tier", "lite", "--seeds", "1", "--model", "m", "--cache", str(cache)]
    empty = memgym(*argv, "--base-url", dead, "--results", str(path))
    assert empty.returncode == 2, empty.stderr  # a new cache answers nothing: no run, no hang
    assert "cannot reach the model endpoint" in empty.stderr
    assert not cache.exists() and not path.exists()
    with running() as server:
        assert memgym(*argv, "--base-url", server.base_url, "--results", str(path)).returncode == 0
    replayed = memgym(*argv, "--base-url", dead, "--results", str(path))
    assert replayed.returncode == 0, replayed.stderr  # every call answered by the cache
    warning = " ".join(replayed.stderr.split())
    assert f"going on, as the call cache {cache} may answer every call" in warning
    assert "nothing was run" not in warning
    with ResultsStore.open_read(path) as store:
        first, second = (list(store.episodes(r["id"])) for r in store.runs())
    assert [e.composite for e in second] == [e.composite for e in first]


@pytest.mark.parametrize("cache", [False, True], ids=["plain", "with-cache"])
@pytest.mark.parametrize("url", ["http://127.0.0.1:abc/v1", "http://[::1"])
def test_a_malformed_base_url_is_one_line_and_no_run(tmp_path, url, cache):
    path = tmp_path / "r.sqlite"
    argv = ["run", "--seeds", "1", "--model", "m", "--base-url", url, "--results", str(path)]
    done = memgym(*argv, *(["--cache", str(tmp_path / "c.sqlite")] if cache else []))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: bad model endpoint URL {url} (")
    assert not path.exists()


class _Refuses(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_an_endpoint_refusing_the_key_fails_fast(tmp_path, capsys):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        argv = ["run", "--seeds", "1", "--model", "m", "--base-url", url]
        assert main([*argv, "--results", str(tmp_path / "r.sqlite")]) == 2
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    assert "refused the API key (HTTP 401)" in err and len(err.strip().splitlines()) == 1


def failing_episodes(faults: Faults) -> int:
    """Recomputed from the scenarios: episodes with a question the server always fails (the
    spec header is the question's spec as the llm reasoner sends it)."""
    track = get_track("entities")
    count = 0
    for seed in range(SEEDS):
        scenario = track.generate(seed, "lite")
        specs = [
            json.dumps(q.spec, sort_keys=True, separators=(",", ":")) for q in scenario.questions
        ]
        count += any(faults.always_fails(s) for s in specs)
    return count


@pytest.fixture(scope="module")
def incomplete(tmp_path_factory):
    """A run against an endpoint failing a fixed share of questions, plus a complete scripted
    run in the same file; what `run` printed."""
    folder = tmp_path_factory.mktemp("incomplete")
    path = folder / "r.sqlite"
    faults = Faults(fail_questions=SHARE, seed=0)
    expected = failing_episodes(faults)
    assert 0 < expected < SEEDS, "pick a share that fails some episodes, not all"
    with running(faults=faults) as server:
        reasoner = f"llm:base_url={server.base_url},max_retries=1,backoff=0.001"
        argv = ["run", "--tier", "lite", "--seeds", str(SEEDS), "--memory", "window:max_tokens=1500",
                "--reasoner", reasoner, "--results", str(path)]  # fmt: skip
        done = memgym(*argv)
        as_json = memgym(*argv, "--json", "--resume")  # the same run, its failures retried again
        failed_requests = server.stats["failed_question"]
    assert memgym("run", "--tier", "lite", "--seeds", str(SEEDS), "--policies", "strategic",
                  "--results", str(path)).returncode == 0  # fmt: skip
    return path, expected, done, as_json, failed_requests


def test_the_run_is_incomplete_with_exit_1_and_says_so(incomplete):
    path, expected, done, as_json, failed_requests = incomplete
    assert done.returncode == 1, done.stderr
    status = f"incomplete: {expected} infra_error"
    assert f"run 1 is {status}" in " ".join(done.stdout.split())  # the table's caption
    assert f"run 1 is {status}" in " ".join(done.stderr.split())
    with ResultsStore.open_read(path) as store:
        assert store.status(1).describe() == status
        failed = [r for r in store.episodes(1) if r.status == "infra_error"]
    assert len(failed) == expected and failed_requests > 0
    # each failing episode ran 3 times in the run (2 episode retries) and 3 more on --resume
    assert all(r.usage["episode_retries"] == 2 for r in failed)
    printed = json.loads(as_json.stdout)
    assert as_json.returncode == 1
    assert (printed["complete"], printed["status"], printed["infra_error"]) == (
        False,
        status,
        expected,
    )
    assert sum(e["status"] == "infra_error" for e in printed["episodes"]) == expected


def test_results_and_leaderboard_flag_the_incomplete_run(incomplete, capsys):
    path, expected, *_ = incomplete
    status = f"incomplete: {expected} infra_error"
    assert main(["results", str(path)]) == 0
    listing = " ".join(capsys.readouterr().out.split())
    assert status in listing and "complete" in listing.replace(status, "")
    assert main(["results", str(path), "--run", "1"]) == 0
    assert f"run 1 is {status}" in " ".join(capsys.readouterr().out.split())
    assert main(["results", str(path), "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [(r["id"], r["complete"], r["status"]) for r in runs] == [
        (1, False, status),
        (2, True, "complete"),
    ]
    assert main(["results", str(path), "--leaderboard"]) == 0
    board = " ".join(capsys.readouterr().out.split())
    assert "strategic" in board and "window" not in board.split("not ranked")[0]
    assert f"not ranked, incomplete: run 1 ({status})" in board
    assert main(["results", str(path), "--leaderboard", "--include-incomplete"]) == 0
    assert "(incomplete)" in capsys.readouterr().out
    assert main(["results", str(path), "--leaderboard", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["policy"] for r in data["rows"]] == ["strategic"]
    assert data["incomplete_runs_left_out"] == [{"run": 1, "status": status}]
    assert main(["results", str(path), "--leaderboard", "--json", "--include-incomplete"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert {(r["memory"], r["complete"]) for r in rows} == {
        ("window:max_tokens=1500", False),
        ("agentic:policy=strategic", True),
    }


def test_the_report_flags_the_incomplete_run(incomplete, tmp_path):
    path, expected, *_ = incomplete
    out = tmp_path / "report.html"
    assert main(["report", str(path), "-o", str(out)]) == 0
    html = out.read_text()
    assert f"Incomplete runs: run 1 (incomplete: {expected} infra_error)" in html
    assert "the leaderboard leaves them out" in html
    board = html.split("<h2>Leaderboard</h2>")[1].split("<h2>")[0]
    assert "window:max_tokens=1500" not in board and "agentic:policy=strategic" in board
    assert main(["report", str(path), "-o", str(out), "--include-incomplete"]) == 0
    board = out.read_text().split("<h2>Leaderboard</h2>")[1].split("<h2>")[0]
    assert "window:max_tokens=1500" in board and "incomplete" in board


def test_no_run_is_left_behind_by_a_run_that_fails_validation(tmp_path):
    path = tmp_path / "r.sqlite"
    assert main(["run", "--seeds", "1", "--results", str(path)]) == 0
    before = path.read_bytes()
    for bad in (["--memory", "window:max_tokens=oops"], ["--param", "entities=-3"],
                ["--reasoner", "nope"], ["--memory", "nope"]):  # fmt: skip
        assert main(["run", "--seeds", "1", "--results", str(path), *bad]) == 2
    assert path.read_bytes() == before
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone() == (1,)


@pytest.mark.parametrize(
    ("url", "hint"),
    [("localhost:9999/v1", "add http:// (http://localhost:9999/v1)"),
     ("ftp://localhost:9999/v1", "use http:// or https://")],
)  # fmt: skip
def test_a_base_url_without_http_says_to_add_it(tmp_path, url, hint):
    path = tmp_path / "r.sqlite"
    done = memgym("run", "--seeds", "1", "--model", "m", "--base-url", url, "--results", str(path))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0] == (
        f"error: bad model endpoint URL {url}: no http:// or https:// before the host; {hint}; "
        "nothing was run"
    )
    assert not path.exists()


def test_an_endpoint_that_takes_the_connection_and_answers_late_is_a_warning(monkeypatch):
    """A llama.cpp server busy with another client's request accepts the connection and answers
    GET /models only when that request is done (a minute on a CPU). It is reachable: the run goes
    on with a warning instead of 'cannot reach ... check --base-url'. A closed port still fails."""
    from memgym.commands import endpoints

    with socket.socket() as listening:  # the kernel completes the connection; nothing answers
        listening.bind(("127.0.0.1", 0))
        listening.listen(4)
        url = f"http://127.0.0.1:{listening.getsockname()[1]}/v1"
        monkeypatch.setattr(endpoints, "TIMEOUT_S", 0.3)
        lines: list[str] = []
        endpoints.preflight([f"llm:base_url={url}"], lines.append)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"warning: the model endpoint {url} took the connection")
    assert "busy with another" in lines[0] and "0.3 s" in lines[0]
    dead = f"http://127.0.0.1:{closed_port()}/v1"
    with pytest.raises(ValueError, match="cannot reach the model endpoint"):
        endpoints.preflight([f"llm:base_url={dead}"], lines.append)
