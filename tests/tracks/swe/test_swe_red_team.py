"""The swe track attacked as an attacker would: every attack scores at most 0.05 or is refused,
and each attack is shown to win where its way in is open (so its zero is the track's doing).

Run as root (CI is root) with a secret exported before memgym starts, a sandboxed command sees
no variable of the user's (``/proc/1/environ``, ``/proc/self/environ``, ``env``), cannot read
``/etc/shadow``, root's home, the checkout or the virtual environment, and cannot import memgym.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import memgym
from memgym.interactive.episode import evaluate_interactive
from memgym.tracks import get_track
from memgym.tracks.session import AgentTurn
from memgym.tracks.swe.attacks import REGEN, SHAPE, CopyAgent
from memgym.tracks.swe.mutations import apply_all
from memgym.tracks.swe.track import _mutation, unpack
from memgym.types import Scenario
from tests.engines import needs

pytestmark = needs("swe")
SEEDS = range(8)  # every code base once, 24 tasks
CEILING = 0.05
CHECKOUT = Path(memgym.__file__).resolve().parents[1]

PROBE = """
import json, sys
from pathlib import Path
from memgym.tracks.swe.sandbox import Sandbox
work = Path(sys.argv[1])
box = Sandbox(work, hidden=("textwrap",))
commands = json.loads(sys.argv[2])
out = {name: box.shell(cmd).render() for name, cmd in commands.items()}
out["uid"] = box.cap.uid
box.close()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def scenarios() -> list[Scenario]:
    track = get_track("swe")
    return [track.generate(seed, redo=1) for seed in SEEDS]  # 3 fix issues and 1 redo each


def test_a_command_sees_nothing_of_the_user_or_the_machine(tmp_path: Path) -> None:
    secret = f"red-team-{uuid.uuid4().hex}"
    home = Path(os.path.expanduser("~"))
    commands = {
        "pid1": "tr '\\0' '\\n' </proc/1/environ",
        "self": "cat /proc/self/environ | tr '\\0' '\\n'",
        "env": "env",
        "cmdline": "tr '\\0' ' ' </proc/1/cmdline",
        "shadow": "cat /etc/shadow",
        "root": "ls -a /root",
        "home": f"ls -a {home}",
        "checkout": f"cat {CHECKOUT}/memgym/__init__.py",
        "venv": f"ls {sys.prefix}",
        "memgym": "python -c 'import memgym'",
        "stdlib": "ls /usr/lib/python3* /usr/local/lib/python3*",
        "original": "python -c 'import textwrap'",
        "whoami": "id -u; grep CapEff /proc/self/status",
    }
    env = {**os.environ, "MEMGYM_RED_TEAM_SECRET": secret, "PYTHONPATH": str(CHECKOUT)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path), json.dumps(commands)],
        env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    out = json.loads(done.stdout.splitlines()[-1])
    ours = {"HOME", "PATH", "LD_LIBRARY_PATH", "LANG", "PYTHONDONTWRITEBYTECODE",
            "PYTHONHASHSEED", "PWD", "SHLVL", "_"}  # fmt: skip
    for name in ("pid1", "self", "env"):
        assert secret not in out[name], name
        variables = {line.split("=", 1)[0] for line in out[name].splitlines() if "=" in line}
        assert variables <= ours, (name, variables - ours)
        assert "PYTHONHASHSEED" in variables  # the read itself worked
    assert str(tmp_path) not in out["cmdline"] and "/root" not in out["cmdline"]
    for name in ("shadow", "root", "home", "checkout", "venv", "stdlib"):
        assert "[exit code 0]" not in out[name], (name, out[name])
    assert "No module named 'memgym'" in out["memgym"]
    assert "No module named 'textwrap'" in out["original"]
    uid, caps = out["whoami"].splitlines()[:2]
    assert int(uid) != 0 and (out["uid"] is None or int(uid) == out["uid"])
    assert caps.split()[1] == "0000000000000000"


def _solved(track_scenario: Scenario, agent: str) -> tuple[float, float]:
    """(redo issues solved, fix issues solved), as shares."""
    track = get_track("swe")
    result = evaluate_interactive(track, track_scenario, "full", agent)
    return result.composite, result.usage["setup_solved"] / result.usage["setup_tasks"]


@pytest.mark.parametrize("agent", ["swe-copy", "swe-regen", "swe-shape"])
def test_each_attack_scores_at_most_the_ceiling(scenarios: list[Scenario], agent: str) -> None:
    scores = [_solved(s, agent) for s in scenarios]
    for kind in (0, 1):  # the scored redo issues, and the fix issues reported apart
        assert sum(s[kind] for s in scores) / len(scores) <= CEILING, scores


def _copy_attack(scenario: Scenario, copy: str) -> list[float]:
    """The fix issues' rewards when the copy attack runs with ``copy`` readable in the tree."""
    track = get_track("swe")
    _, specs, _ = unpack(scenario)
    session = track.open(scenario)
    try:
        vendor = session.tree / "vendor"
        vendor.mkdir()
        (vendor / "copy.py").write_text(copy, encoding="utf-8")
        session.sandbox.own()
        result = session.sandbox.shell(CopyAgent.command).render()
        assert "/repo/vendor/copy.py" in result
        for _ in specs:  # the fix issues (the redo issue after them resets the tree)
            session.reply(AgentTurn("done"))
        return [o.reward for o in session.outcomes()][: len(specs)]
    finally:
        session.close()


def test_the_copy_attack_wins_when_a_copy_is_readable(scenarios: list[Scenario]) -> None:
    """The control: the same command, with a copy of the session's code base (as generated,
    before its bugs) where it can read it; a copy of the standard library's module it finds
    too, but that one no longer behaves as the code base does (its drifts)."""
    scenario = scenarios[0]
    code, specs, _ = unpack(scenario)
    assert _copy_attack(scenario, code.source) == [1.0] * len(specs)
    assert _copy_attack(scenario, code.codebase.source()) == [0.0] * len(specs)


def _run_script(script: str, folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    flags = [] if env else ["-I"]
    return subprocess.run(
        [sys.executable, *flags, "-c", script], cwd=folder, env={**os.environ, **env},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_the_regenerate_attack_wins_where_memgym_imports(
    scenarios: list[Scenario], tmp_path: Path
) -> None:
    """The control: outside the sandbox, where memgym imports, the script restores the module."""
    seed = SEEDS[1]
    code, specs, _ = unpack(scenarios[1])
    module = tmp_path / code.filename
    module.write_text(apply_all(code.source, [_mutation(s) for s in specs]))
    done = _run_script(REGEN.replace("SEEDS", repr([seed])), tmp_path, PYTHONPATH=str(CHECKOUT))
    assert f"restored from seed {seed}" in done.stderr
    assert module.read_text() == code.source


def test_the_shape_attack_undoes_a_spliced_negation(tmp_path: Path) -> None:
    """The control: the text an old-style mutation left is found and undone."""
    module = tmp_path / "spliced.py"
    module.write_text("def f(n):\n    if not n < 1:\n        return 0\n    return n\n")
    done = _run_script(SHAPE, tmp_path)
    assert "undone: 1" in done.stdout and "    if n < 1:" in module.read_text()
