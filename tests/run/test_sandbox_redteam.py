"""The worker's sandbox holds: plugins (``tests/run/redteam_sandbox_plugins.py``) that hunt for
results, cache and salt files, write into memgym's package, the checkout and outside their
scratch, read the environment for keys and open a socket find nothing, are refused, and score
at most 0.05 under a salt; a results file of the same salted seed, read in the evaluator's
process, would have given every answer (so the test can fail)."""

from __future__ import annotations

import importlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run import sandbox
from memgym.run.episode import evaluate
from memgym.run.runner import run_item
from memgym.run.sandbox import SANDBOX, _bwrap
from memgym.run.work import WorkItem
from memgym.salt import SALT_ENV, SALT_FILE_ENV, evaluation_seed
from memgym.tracks import get_track
from memgym.types import EpisodeResult

pytestmark = pytest.mark.skipif(_bwrap() is None, reason="needs bubblewrap (the sandbox)")

PLUGIN = "tests.run.redteam_sandbox_plugins"
REPO = Path(__file__).resolve().parents[2]
SECRET_KEY = "sk-red-team-not-a-real-key"
CEILING = 0.05


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A salt file, an honest salted results file of seed 0 and a call cache, on the host."""
    folder = tmp_path_factory.mktemp("host")
    paths = {"salt": folder / "salt.txt", "results": folder / "results.db",
             "cache": folder / "calls.db"}  # fmt: skip
    paths["salt"].write_text("red team sandbox salt")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SALT_FILE_ENV, str(paths["salt"]))
        mp.delenv(SALT_ENV, raising=False)
        from memgym.cli import main
        from memgym.llm.cache import CallCache

        argv = ["run", "--track", "entities", "--tier", "lite", "--seeds", "1", "--memory",
                "full", "--reasoner", "scripted", "--results", str(paths["results"])]  # fmt: skip
        assert main(argv) == 0
        CallCache(str(paths["cache"])).close()
        yield paths


@pytest.fixture
def salted(host: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.setenv(SALT_FILE_ENV, str(host["salt"]))
    monkeypatch.delenv(SALT_ENV, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET_KEY)
    monkeypatch.setenv("MY_TOKEN", "token-for-the-plugin")
    return host


def probe(host: dict[str, Path]) -> str:
    """What an attacker guesses: the host's files, home and checkout."""
    return ";".join(str(p) for p in (*host.values(), Path.home(), REPO))


def official(reasoner: str, seed: int = 0) -> EpisodeResult:
    item = WorkItem("entities", "lite", seed, (), "full", reasoner, plugins=(PLUGIN,))
    return run_item(item)


def inventory(spec: str) -> dict[str, Any]:
    result = official(spec)
    assert result.boundary == SANDBOX and result.status == "ok", result
    report: dict[str, Any] = json.loads(result.answers[0].answer)
    return report


def test_a_results_file_of_the_same_salted_seed_gives_every_answer_in_process(
    salted: dict[str, Path],
) -> None:
    importlib.import_module(PLUGIN)
    track = get_track("entities")
    scenario = track.generate(evaluation_seed("entities", 0), "lite")
    hunter = make_reasoner(f"hunter:probe={salted['results']},walk=false", track)
    result = evaluate(scenario, make_memory("full", track), hunter)
    assert result.composite > 0.9  # the attack is real where the file can be read


def test_the_hunter_scores_nothing_in_the_sandbox(salted: dict[str, Path]) -> None:
    result = official(f"hunter:probe={probe(salted)}")
    assert result.boundary == SANDBOX and result.salt and result.questions > 0
    assert result.composite <= CEILING


def test_no_results_cache_salt_home_or_checkout_is_visible(salted: dict[str, Path]) -> None:
    report = inventory(f"inventory:probe={probe(salted)}")
    assert report["results"] == []
    hidden = {str(p) for p in salted.values()}
    assert hidden.isdisjoint(report["readable"])
    # what it can read is the read-only runtime (memgym's salt.py, tzdata's Salta, ...) only
    runtime = ("/opt/", "/usr/", "/lib/", "/etc/")
    assert [p for p in report["readable"] if not p.startswith(runtime)] == []


def test_writes_land_only_in_the_scratch(salted: dict[str, Path]) -> None:
    folders = (REPO, REPO / "memgym", salted["results"].parent, Path.home(), Path("/tmp"))
    report = inventory(f"inventory:write={';'.join(map(str, folders))}")
    writable = {path for path, outcome in report["writes"].items() if outcome == "ok"}
    assert report["home"] == report["cwd"] == "/scratch"
    assert writable == {"/scratch", "/tmp"}  # both private tmpfs folders of the sandbox
    for folder in folders:  # and nothing was left on the host
        assert not list(folder.glob("redteam-*.txt"))


def test_the_environment_holds_no_key_and_the_user_is_unprivileged(
    salted: dict[str, Path],
) -> None:
    report = inventory("inventory")
    env = report["env"]
    assert report["ssl"] == "ok"  # the sandbox's own runtime loads, TLS included
    assert report["uid"] != 0
    assert SECRET_KEY not in json.dumps(env) and "MY_TOKEN" not in env
    assert not any("SALT" in name for name in env)
    assert set(env) <= {"HOME", "TMPDIR", "LANG", "PATH", "PYTHONDONTWRITEBYTECODE",
                        "PYTHONHASHSEED", "PYTHONPATH", "PWD", "LD_LIBRARY_PATH"}  # fmt: skip


def test_pass_env_passes_the_named_variable_only(
    salted: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(sandbox.PASS_ENV, "MY_TOKEN")
    env = inventory("inventory")["env"]
    assert env["MY_TOKEN"] == "token-for-the-plugin" and "OPENAI_API_KEY" not in env
    monkeypatch.setenv(sandbox.PASS_ENV, SALT_FILE_ENV)
    with pytest.raises(ValueError, match="the salt never reaches evaluated code"):
        official("inventory")


@pytest.fixture
def listener() -> Iterator[int]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield int(server.getsockname()[1])


def test_no_socket_unless_an_llm_endpoint_is_named(salted: dict[str, Path], listener: int) -> None:
    report = inventory(f"inventory:port={listener}")
    assert report["socket"] != "ok"
    # a component naming an endpoint shares the network and gets its API key variable
    report = inventory(f"inventory:port={listener},base_url=http://127.0.0.1:{listener}/v1")
    assert report["socket"] == "ok" and report["env"]["OPENAI_API_KEY"] == SECRET_KEY


@pytest.mark.usefixtures("unsandboxed")
def test_a_salted_run_refuses_a_worker_without_the_sandbox(salted: dict[str, Path]) -> None:
    with pytest.raises(ValueError, match="a salted run needs the worker's sandbox"):
        official("inventory")
