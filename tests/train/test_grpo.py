"""``memgym train grpo`` end to end on a tiny model folder: a two-stage curriculum (short, then
longer scenarios), one GRPO step each, the reward curve written and drawn; only LoRA adapters
train by default, in float32 on CPU; ``train heldout`` pairs two models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from safetensors import safe_open

pytest.importorskip("trl", reason="memgym train grpo needs the rl extra: pip install -e '.[rl]'")
pytest.importorskip("gymnasium", reason="needs the gym extra")

from memgym import envs
from memgym.cli import main
from memgym.train.grpo import GRPORun, _with_lora, grpo_config, parse_stage
from tests.tiny_lm import saved_episode_lm, tiny_lm


def test_a_stage_is_steps_and_track_parameters() -> None:
    stage = parse_stage("3:entities=8,questions=1,doc_style=kv", "memgym/entities-lite-v0")
    assert stage.steps == 3 and stage.params == {"entities": 8, "questions": 1, "doc_style": "kv"}
    for bad in ("x", "0", "2:entities"):
        with pytest.raises(ValueError, match="stage"):
            parse_stage(bad, "memgym/entities-lite-v0")


def test_grpo_runs_a_curriculum_and_draws_the_reward_curve(tmp_path: Path, capsys) -> None:
    base = saved_episode_lm(tmp_path / "base", 8, repeat=3)
    out = tmp_path / "out"
    code = main(
        ["train", "grpo", "--base", str(base), "--out", str(out),
         "--stage", "1:entities=8,questions=1", "--stage", "1:entities=12,questions=3",
         "--seeds", "0-3", "--generations", "2", "--max-turns", "2", "--max-new-tokens", "4"]
    )  # fmt: skip
    assert code == 0
    saved = json.loads((out / "rewards.json").read_text())
    assert [s["stage"] for s in saved["steps"]] == [0, 1]
    assert [s["params"] for s in saved["stages"]] == [
        {"entities": 8, "questions": 1},
        {"entities": 12, "questions": 3},
    ]
    page = (out / "report.html").read_text()
    assert page.count("<tr><td>") == 2 and "<polyline" in page
    points = page.split('points="')[1].split('"')[0].split()
    assert len(points) == 2
    assert (out / "model" / "config.json").is_file()
    assert (out / "adapter" / "adapter_config.json").is_file()
    with safe_open(str(out / "model" / "model.safetensors"), "pt") as merged:
        names = list(merged.keys())
    assert names and not any("lora" in n for n in names)  # merged: a plain model folder
    assert saved["lora_rank"] == 16 and len(saved["stage_cpu_seconds"]) == 2
    assert saved["peak_rss_mb"] > 0
    printed = capsys.readouterr().out
    assert "step   1 stage 0: mean reward" in printed and "step   2 stage 1" in printed


def test_bad_arguments_fail_in_one_line(tmp_path: Path, capsys) -> None:
    args = ["train", "grpo", "--base", str(tmp_path), "--out", str(tmp_path / "o")]
    assert main([*args, "--env", "memgym/nothing-v0"]) == 2
    assert "unknown memgym environment" in capsys.readouterr().err
    assert main([*args, "--stage", "x"]) == 2
    assert "a stage reads STEPS" in capsys.readouterr().err
    assert main([*args, "--seeds", "9-2"]) == 2
    assert "--seeds reads A-B" in capsys.readouterr().err
    assert main([*args, "--generations", "4", "--micro-batch", "3"]) == 2
    assert "--micro-batch must divide --generations (4), got 3" in capsys.readouterr().err
    a_file = tmp_path / "a-file"
    a_file.write_text("kept")
    for bad, message in (
        (["--stage", "4:nope=1"], "unknown parameter 'nope'"),
        (["--lr", "0"], "--lr must be above 0"),
        (["--out", str(a_file)], "it is a file (a folder is written)"),
        (["--out", str(tmp_path / "nodir" / "o")], "no folder"),
        ([], "no model in this folder (config.json is missing)"),
    ):
        assert main([*args, *bad]) == 2, bad
        assert message in " ".join(capsys.readouterr().err.split()), bad
    heldout = ["train", "heldout", "--before", "a", "--after", "b"]
    for bad, message in (
        (["--params", "x=1"], "unknown parameter 'x'"),
        (["--json", str(tmp_path / "nodir" / "h.json")], "cannot write --json"),
        (["--json", str(tmp_path)], "it is a folder"),
        (["--cache", str(a_file)], "is a file: give a folder"),
        ([], "--before a: no model folder there"),
        (["--before", str(tmp_path / "x.gguf")], "no GGUF file there"),
    ):
        assert main([*heldout, *bad]) == 2, bad
        assert message in " ".join(capsys.readouterr().err.split()), bad
    sft = ["train", "sft", "--data", str(a_file), "--base", "smollm2"]
    for bad, message in (
        (["--out", str(a_file)], "it is a file"),
        (["--out", str(tmp_path / "s"), "--save-every", "-1"], "--save-every must be 0 or more"),
        (["--out", str(tmp_path / "s"), "--base", str(tmp_path)], "config.json is missing"),
    ):
        assert main([*sft, *bad]) == 2, bad
        assert message in " ".join(capsys.readouterr().err.split()), bad
    demos = ["train", "demos", "--params", "entities=4,questions=1"]
    assert main([*demos, "--out", str(tmp_path / "nodir" / "d.jsonl")]) == 2
    assert "no folder" in capsys.readouterr().err and not (tmp_path / "nodir").exists()
    assert a_file.read_text() == "kept"


def test_lora_trains_only_the_adapters() -> None:
    _, model = tiny_lm(["a b c"])
    total = sum(p.numel() for p in model.parameters())
    adapted = _with_lora(model, 4)
    trainable = {n: p.numel() for n, p in adapted.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in n for n in trainable)
    # rank 4 on q, k, v, o of 2 layers of width 16: 2 layers x 4 modules x (16x4 + 4x16)
    assert sum(trainable.values()) == 2 * 4 * (16 * 4 + 4 * 16) < total / 10
    assert _with_lora(model, 0) is model


def test_top_layers_only_train_without_checkpointing() -> None:
    trl = pytest.importorskip("trl")
    tok, model = tiny_lm(["a b c d e f"])
    adapted = _with_lora(model, 4, layers=1)
    trainable = [n for n, p in adapted.named_parameters() if p.requires_grad]
    assert len(trainable) == 8 and all(".layers.1." in n for n in trainable)
    ids = torch_tensor(tok("a b c d e f")["input_ids"])
    adapted(input_ids=ids, labels=ids).loss.backward()
    assert all(p.grad is not None for p in adapted.parameters() if p.requires_grad)
    run = GRPORun(base="x", out="o", stages=[], seeds=[0], lora_layers=1)
    assert grpo_config(trl, run, 0, "o/stage-0", 1, cuda=False).gradient_checkpointing is False


def torch_tensor(ids: list[int]):
    import torch

    return torch.tensor([ids])


def test_cpu_runs_in_float32_with_checkpointing() -> None:
    trl = pytest.importorskip("trl")
    run = GRPORun(base="x", out="o", stages=[], seeds=[0], generations=2)
    cpu = grpo_config(trl, run, 1, "o/stage-1", 3, cuda=False)
    assert (cpu.bf16, cpu.gradient_checkpointing, cpu.use_cpu) == (False, True, True)
    assert (cpu.max_steps, cpu.num_generations, cpu.seed) == (3, 2, 1)


def test_a_group_is_one_optimizer_step_over_its_micro_batches() -> None:
    trl = pytest.importorskip("trl")
    for micro, passes in ((1, 4), (2, 2), (4, 1)):
        run = GRPORun(base="x", out="o", stages=[], seeds=[0], generations=4, micro_batch=micro)
        config = grpo_config(trl, run, 0, "o/stage-0", 3, cuda=False)
        assert (config.per_device_train_batch_size, config.gradient_accumulation_steps) == (
            micro,
            passes,
        )
        assert config.generation_batch_size == 4  # one group of rollouts per optimizer step
    for bad in (0, 3):
        with pytest.raises(ValueError, match="--micro-batch must divide"):
            GRPORun(base="x", out="o", stages=[], seeds=[0], generations=4, micro_batch=bad)


def test_heldout_pairs_two_models_on_the_same_seeds(tmp_path: Path, capsys) -> None:
    folders = [saved_episode_lm(tmp_path / f"m{seed}", 4, call=False, seed=seed) for seed in (0, 1)]
    figures = tmp_path / "heldout.json"
    code = main(
        ["train", "heldout", "--before", str(folders[0]), "--after", str(folders[1]),
         "--params", "entities=4,questions=1", "--seeds", "1000-1001", "--max-turns", "2",
         "--max-new-tokens", "4", "--batch", "2", "--json", str(figures)]
    )  # fmt: skip
    assert code == 0
    saved = json.loads(figures.read_text())
    assert saved["seeds"] == [1000, 1001] and saved["params"] == {"entities": 4, "questions": 1}
    before, after = saved["before"]["returns"], saved["after"]["returns"]
    assert len(before) == len(after) == 2
    assert saved["diff"]["mean"] == pytest.approx((sum(after) - sum(before)) / 2)
    printed = capsys.readouterr().out
    assert "over 2 paired seeds" in printed and "sign-flip p" in printed
    assert main(["train", "heldout", "--before", "a", "--after", "b", "--seeds", "5-1"]) == 2
    assert "--seeds reads A-B" in capsys.readouterr().err
    assert main(["train", "heldout", "--before", "a", "--after", "b", "--batch", "0"]) == 2
    assert "--batch must be at least 1" in capsys.readouterr().err


def test_heldout_reads_cached_episodes_back_until_the_model_changes(tmp_path: Path) -> None:
    from memgym.train.heldout import play_seeds

    env = envs.make("memgym/entities-lite-v0", entities=4, questions=1)
    obs, _ = env.reset(seed=0)
    env.close()
    tokenizer, model = tiny_lm([obs], seed=3)
    model.save_pretrained(tmp_path / "m")
    tokenizer.save_pretrained(tmp_path / "m")
    cache = tmp_path / "episodes"
    name, env_id, params = (
        str(tmp_path / "m"),
        "memgym/entities-lite-v0",
        {"entities": 4, "questions": 1},
    )

    def side(seeds: list[int]):
        return play_seeds(name, env_id, params, seeds, 2, 3, str(cache))

    played = side([1000, 1001])
    assert len(list(cache.iterdir())) == 2
    fresh = play_seeds(name, env_id, params, [1000, 1001], 2, 3)
    assert side([1000, 1001]) == played and played.returns == fresh.returns
    side([1001, 1002])  # one new episode, one read back
    assert len(list(cache.iterdir())) == 3
    for cut in cache.iterdir():  # files a kill cut (older memgym wrote them in place): replayed
        cut.write_text(cut.read_text()[:10])
    assert side([1000, 1001, 1002]).returns[:2] == played.returns  # played again
    assert all(json.loads(f.read_text())["return"] is not None for f in cache.iterdir())
    model.save_pretrained(tmp_path / "m")  # the same folder written again: a new stamp
    side([1000])
    assert len(list(cache.iterdir())) == 4
    with pytest.MonkeyPatch.context() as patch:  # under a salt a seed is another scenario
        patch.setenv("MEMGYM_SALT", "a secret of the held-out set")
        side([1000])
    assert len(list(cache.iterdir())) == 5


def test_max_minutes_counts_from_the_start_and_saves_what_it_has(tmp_path: Path, capsys) -> None:
    base = saved_episode_lm(tmp_path / "base", 8)
    out = tmp_path / "out"
    code = main(
        ["train", "grpo", "--base", str(base), "--out", str(out),
         "--stage", "3:entities=8,questions=1", "--stage", "2:entities=8,questions=1",
         "--seeds", "0-3", "--generations", "2", "--max-turns", "1", "--max-new-tokens", "2",
         "--temperature", "0.7", "--max-minutes", "0.0001"]
    )  # fmt: skip
    assert code == 0
    saved = json.loads((out / "rewards.json").read_text())
    # 6 ms: the bound passes while the model loads, so no step begins (a step it cuts short:
    # test_grpo_deadline.py); the model (the base, its adapters untrained) is saved all the same
    assert saved["steps"] == [] and saved["stage_cpu_seconds"] == []
    assert saved["stopped_at_max_minutes"] is True and saved["temperature"] == 0.7
    assert saved["seeds"] == [0, 3] and saved["generations"] == 2
    assert (out / "model" / "config.json").is_file()
    assert "stopped at --max-minutes after 0 of 5 steps" in capsys.readouterr().out
    assert main(["train", "grpo", "--base", "x", "--out", "o", "--temperature", "0"]) == 2
    assert "--temperature and --max-minutes must be above 0" in capsys.readouterr().err


def test_heldout_in_worker_processes_equals_one_process(tmp_path: Path) -> None:
    from memgym.train.heldout import play_seeds

    args = (str(saved_episode_lm(tmp_path / "m", 4, seed=5)), "memgym/entities-lite-v0", {"entities": 4, "questions": 1},
            [1000, 1001, 1002], 3, 4)  # fmt: skip
    one = play_seeds(*args)
    cache = tmp_path / "episodes"
    split = play_seeds(*args, cache=str(cache), processes=2)
    assert split.returns == one.returns and split.actions == pytest.approx(one.actions)
    assert len(list(cache.iterdir())) == 3  # each worker kept its episodes


def test_heldout_in_lock_step_batches_plays_and_keeps_every_seed(tmp_path: Path) -> None:
    """The batched path's plumbing (its episodes equal ``play``'s: test_play_lockstep.py)."""
    from memgym.train.heldout import play_seeds

    model = str(saved_episode_lm(tmp_path / "m", 4, seed=5))
    args = (model, "memgym/entities-lite-v0", {"entities": 4, "questions": 1},
            [1000, 1001, 1002, 1003, 1004], 3, 4)  # fmt: skip
    one = play_seeds(*args)
    cache = tmp_path / "episodes"
    for batched in (play_seeds(*args, batch=3, cache=str(cache)),
                    play_seeds(*args, processes=2, batch=2)):  # fmt: skip
        assert batched.returns == one.returns and batched.actions == pytest.approx(one.actions)
        assert batched.cpu_seconds > 0
    assert len(list(cache.iterdir())) == 5  # two batches (3 + 2), every episode kept
    assert play_seeds(*args, cache=str(cache)).cpu_seconds == pytest.approx(
        play_seeds(*args, batch=3, cache=str(cache)).cpu_seconds
    )  # read back, not played again
    with pytest.raises(ValueError, match="batch must be at least 1"):
        play_seeds(*args, batch=0)
