"""A kernel without Landlock scopes is said once, not skipped in silence (issue #68's limit)."""

from __future__ import annotations

import shutil

import pytest

from memgym.run import sandbox


@pytest.fixture(autouse=True)
def _fresh_note():
    sandbox.note_unscoped.cache_clear()
    yield
    sandbox.note_unscoped.cache_clear()


def test_old_kernel_is_said_once(monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "landlock_abi", lambda: sandbox.SCOPED_ABI - 1)
    assert sandbox.note_unscoped() is True
    assert sandbox.note_unscoped() is True  # cached: said once
    err = capsys.readouterr().err
    assert err.count("no Landlock scopes") == 1
    assert "abstract Unix sockets" in err


def test_scoped_kernel_says_nothing(monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "landlock_abi", lambda: sandbox.SCOPED_ABI)
    assert sandbox.note_unscoped() is False
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
@pytest.mark.parametrize("network", [True, False])
def test_sandbox_launch_says_it_only_when_sharing_the_network(
    network, monkeypatch, capsys, tmp_path
):
    monkeypatch.delenv(sandbox.SANDBOX_ENV, raising=False)
    monkeypatch.setattr(sandbox, "landlock_abi", lambda: 0)
    specs = ["llm:model=m,base_url=http://127.0.0.1:9/v1"] if network else ["scripted"]
    launched = sandbox.launch(sandbox.worker_spec((), specs), str(tmp_path))
    assert launched.boundary == sandbox.SANDBOX
    assert ("--unshare-net" in launched.argv) is not network
    assert ("no Landlock scopes" in capsys.readouterr().err) is network
