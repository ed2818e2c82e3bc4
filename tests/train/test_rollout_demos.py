"""Expert demonstrations laid out as GRPO rollouts (``memgym train demos``): the expert's actions
replayed in the env earn its reward, the tokens are those ``play`` builds (recomputed here from the
tokenizer), the labels cover the actions only, and ``train sft`` learns from the rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("gymnasium", reason="needs the gym extra")
pytest.importorskip("transformers", reason="needs the train extra")

from memgym import envs
from memgym.cli import main
from memgym.train.dataset import read_rows
from memgym.train.rollout_demos import IGNORE, demonstration, encode_rollout
from tests.tiny_lm import tiny_lm

PARAMS = {"entities": 6, "questions": 1, "corrections": 1, "updates": 1, "doc_style": "kv",
          "distractor_rate": 0}  # fmt: skip


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    env = envs.make("memgym/entities-lite-v0", **PARAMS)
    try:
        return [demonstration(env, seed, 40, writes=w) for seed in (0, 1) for w in (False, True)]
    finally:
        env.close()


def test_the_replayed_expert_earns_its_reward(rows: list[dict]) -> None:
    for row in rows:
        names = [json.loads(action)["name"] for action, _ in row["turns"]]
        assert row["memgym"]["return"] == 1.0 and row["memgym"]["correct"]
        assert names.count("submit_answer") == 1 and row["turns"][-1][1] is None
        if row["memgym"]["writes"]:
            assert "memory_write" in names
        else:
            assert set(names) == {"next_event", "submit_answer"}
    # the observations are the env's own: replaying the actions shows the same texts
    env = envs.make("memgym/entities-lite-v0", **PARAMS)
    first, _ = env.reset(seed=rows[0]["memgym"]["seed"])
    assert first == rows[0]["first"]
    for action, shown in rows[0]["turns"][:-1]:
        assert env.step(action)[0] == shown
    env.close()


def test_too_few_turns_earn_nothing() -> None:
    env = envs.make("memgym/entities-lite-v0", **PARAMS)
    row = demonstration(env, 0, 3)
    env.close()
    assert len(row["turns"]) == 3 and not row["memgym"]["correct"]


def test_tokens_are_laid_out_as_a_rollout(rows: list[dict]) -> None:
    row = rows[0]
    texts = [row["first"], *(t for pair in row["turns"] for t in pair if t)]
    tok, _ = tiny_lm(texts)
    ids, labels = encode_rollout(tok, row)
    want = list(tok.apply_chat_template([{"role": "user", "content": row["first"]}],
                                        add_generation_prompt=True, return_dict=False))  # fmt: skip
    want_labels = [IGNORE] * len(want)
    for action, shown in row["turns"]:
        said = tok(action, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        want += said
        want_labels += said
        if shown is not None:
            more = tok(f"\n{shown}\n", add_special_tokens=False)["input_ids"]
            want += more
            want_labels += [IGNORE] * len(more)
    assert ids == want and labels == want_labels
    learnt = tok.decode([t for t in labels if t != IGNORE], skip_special_tokens=True)
    assert learnt == "".join(action for action, _ in row["turns"])


def test_train_demos_then_sft_learns_the_rows(tmp_path: Path, capsys) -> None:
    demos = tmp_path / "demos.jsonl"
    params = ",".join(f"{k}={v}" for k, v in PARAMS.items())
    assert main(["train", "demos", "--out", str(demos), "--params", params, "--seeds", "2-3"]) == 0
    assert "2 episodes (2 earning a reward, 9.0 actions each)" in capsys.readouterr().out
    read = list(read_rows(demos.read_text().splitlines()))
    assert [r["memgym"]["seed"] for r in read] == [2, 3]
    texts = [r["first"] for r in read] + [t for r in read for p in r["turns"] for t in p if t]
    tok, model = tiny_lm(texts)
    folder = tmp_path / "tiny"
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    out = tmp_path / "sft"
    code = main(["train", "sft", "--data", str(demos), "--base", str(folder), "--out", str(out),
                 "--steps", "2", "--max-length", "8192"])  # fmt: skip
    assert code == 0
    summary = json.loads((out / "train.json").read_text())
    assert summary["rows_used"] == 2 and len(summary["losses"]) == 2
    assert (out / "model" / "config.json").is_file()
    assert main(["train", "demos", "--out", str(demos), "--policy", "oracle"]) == 2
    assert "--policy is one of" in capsys.readouterr().err


def test_an_expert_that_writes_past_the_budget_is_refused_in_one_line(capsys) -> None:
    """``perfect`` lifts the write budget the env keeps: with --writes its demonstrations would
    teach calls the env refuses (review: 89 of 192 were refused and the row said correct)."""
    code = main(["train", "demos", "--params", "entities=30,questions=3", "--policy", "perfect",
                 "--writes", "--seeds", "0-0", "--max-turns", "2000", "--out", "/dev/null"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "--policy perfect writes past the write budget" in err


def test_a_refused_expert_action_stops_the_demonstration() -> None:
    """Every replayed call must be one the env carried out: one it refuses (here: the env is
    made with a write budget of 1, below what the expert writes) is an error, not a turn."""
    env = envs.make("memgym/entities-lite-v0", **PARAMS, write_budget=1)
    try:
        with pytest.raises(ValueError, match="action [0-9]+ was refused by the env"):
            demonstration(env, 0, 200, writes=True)
    finally:
        env.close()
