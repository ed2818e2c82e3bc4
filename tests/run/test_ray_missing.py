"""Without ray installed, `--executor ray` is one clear line naming the extra."""

from __future__ import annotations

import sys

from memgym.cli import main


def test_missing_ray_names_the_extra(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` sees when it is absent
    argv = ["run", "--tier", "lite", "--seeds", "1", "--executor", "ray"]
    assert main([*argv, "--results", str(tmp_path / "r.sqlite")]) == 2
    assert "pip install -e '.[ray]'" in " ".join(capsys.readouterr().err.split())
