"""`memgym report`: writes one HTML file; bad input is one clear line and exit code 2."""

from __future__ import annotations

from memgym.cli import main


def test_report_command_writes_the_page(stored, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(stored.path), "-o", str(out), "--resamples", "50"]) == 0
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and 'id="leaderboard"' in html
    assert "report written to" in capsys.readouterr().err


def test_report_command_errors(stored, tmp_path, capsys):
    cases = [
        ([str(tmp_path / "missing.sqlite")], "no results file"),
        ([str(stored.path), "--run", "42"], "no run 42"),
        ([str(stored.path), "-o", str(tmp_path / "nope" / "r.html")], "no folder"),
        ([str(stored.path), "--resamples", "0"], "--resamples must be at least 1"),
    ]
    for argv, message in cases:
        assert main(["report", *argv]) == 2
        assert message in " ".join(capsys.readouterr().err.split())


def test_report_draws_grpo_reward_curves(stored, tmp_path, capsys):
    import json

    steps = [{"stage": 0, "step": 1, "reward": 0.25, "reward_std": 0.5},
             {"stage": 0, "step": 2, "reward": 0.75, "reward_std": 0.5},
             {"stage": 1, "step": 3, "reward": 0.0, "reward_std": 0.0}]  # fmt: skip
    stages = [{"env": "memgym/entities-lite-v0", "steps": 2, "params": {"entities": 6}},
              {"env": "memgym/entities-lite-v0", "steps": 1, "params": {"entities": 8}}]  # fmt: skip
    run = tmp_path / "grpo-a"
    run.mkdir()
    (run / "rewards.json").write_text(json.dumps({
        "stages": stages, "steps": steps, "generations": 4,
        "stopped_at_max_minutes": True}))  # fmt: skip
    out = tmp_path / "r.html"
    argv = ["report", str(stored.path), "-o", str(out), "--resamples", "50"]
    assert main([*argv, "--grpo", str(run / "rewards.json")]) == 0
    html = out.read_text()
    assert "<h2>Training: GRPO reward per step</h2>" in html and 'id="grpo-reward"' in html
    section = html.split("Training: GRPO reward per step")[1]
    assert section.count("<circle") == 3  # one marker per step
    for step in steps:
        assert f"<td>{step['reward']:.3f}</td>" in section
    assert "4 rollouts a step" in section and "stopped at --max-minutes after 3 steps" in section
    (tmp_path / "bad.json").write_text("{}")
    bad_stages = tmp_path / "stages.json"  # stages not a list of objects
    bad_stages.write_text(json.dumps({"stages": "x", "steps": steps}))
    no_env = tmp_path / "no-env.json"
    no_env.write_text(json.dumps({"stages": [{"steps": 1}], "steps": steps}))
    nan = tmp_path / "nan.json"
    nan.write_text(json.dumps({"stages": stages, "steps": [{**steps[0], "reward": "nan"}]}))
    for path, message in ((tmp_path / "bad.json", "not a `memgym train grpo` rewards.json"),
                          (bad_stages, "not a `memgym train grpo` rewards.json (TypeError"),
                          (no_env, "rewards.json (KeyError: 'env')"),
                          (nan, "reward is not a finite number"),
                          (tmp_path / "none.json", "no such file")):  # fmt: skip
        assert main([*argv, "--grpo", str(path)]) == 2
        assert message in " ".join(capsys.readouterr().err.split())
    assert main(argv) == 0 and "Training: GRPO" not in out.read_text()  # none asked: none drawn
