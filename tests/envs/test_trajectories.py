"""Expert episodes, chat trajectories, their replay and the segmented form."""

from __future__ import annotations

import itertools
import json

import pytest

import memgym
from memgym.cli import main
from memgym.envs import tools as T
from memgym.envs.episode import Episode
from memgym.envs.expert import Recorder, run_expert
from memgym.envs.trajectories import chat_record, replay, segment_records, tool_calls
from memgym.tracks import get_track, stream_track_names


@pytest.mark.parametrize("policy", ["perfect", "strategic", "priority", "naive"])
def test_expert_through_tool_calls_scores_as_memgym_run(track, policy: str) -> None:
    for seed in (0, 1):
        scenario = track.generate(seed, "lite")
        expert = run_expert(scenario, policy, tier="lite", track=track)
        result = memgym.evaluate(
            scenario,
            memgym.make_memory(f"agentic:policy={policy}", track),
            memgym.make_reasoner("scripted", track),
        )
        assert expert.scores["composite"] == result.composite
        assert expert.scores["writes_used"] == result.writes_used
        assert [s.args["answer"] for s in expert.steps if s.name == T.ANSWER] == [
            a.answer for a in result.answers
        ]


@pytest.mark.parametrize("policy", ["perfect", "strategic"])
def test_replaying_an_exported_trajectory_reproduces_store_and_score(track, policy) -> None:
    scenario = track.generate(3, "lite", doc_style="kv")
    expert = run_expert(scenario, policy, tier="lite", overrides={"doc_style": "kv"}, track=track)
    record = json.loads(json.dumps(chat_record(expert)))  # what the JSONL file holds
    episode = replay(record)
    assert episode.done
    assert episode.scores() == record["memgym"]["scores"] == expert.scores
    assert [[i, t] for i, t in episode.entries.items()] == record["memgym"]["entries"]
    assert [[e.id, e.text] for e in episode.store.entries()] == record["memgym"]["entries"]
    if policy == "perfect":
        assert expert.scores["composite"] == 1.0


def test_chat_record_is_openai_format_with_valid_tool_calls(track) -> None:
    expert = run_expert(track.generate(2, "lite"), "strategic", tier="lite", track=track)
    record = chat_record(expert)
    messages = record["messages"]
    assert [m["role"] for m in messages[:2]] == ["system", "user"]
    assert expert.scenario.brief in messages[0]["content"]
    names = {t["function"]["name"] for t in record["tools"]}
    for call, result in zip(messages[2::2], messages[3::2], strict=True):
        assert call["role"] == "assistant" and len(call["tool_calls"]) == 1
        tool_call = call["tool_calls"][0]
        assert tool_call["function"]["name"] in names
        args = json.loads(tool_call["function"]["arguments"])
        assert T.parse_call(tool_call["function"]["name"], args)[1] is None
        assert result == {
            "role": "tool",
            "tool_call_id": tool_call["id"],
            "content": result["content"],
        }
    # every call's arguments are valid against the store: the only refusal is the budget's
    errors = {json.loads(s.result).get("error") for s in expert.steps} - {None}
    limit = expert.scenario.params["write_budget"]
    budget = f"write refused: budget of {limit} writes used; edit an existing entry instead"
    assert all(e.startswith(budget) for e in errors)
    assert sum(1 for _ in tool_calls(record)) == len(expert.steps)
    paid = [a.correct for a in replay(record).answers if a.axis != "abstention"]
    assert sum(record["memgym"]["rewards"]) == sum(paid)  # abstention is reported apart


def test_replay_refuses_a_record_whose_scenario_changed(track) -> None:
    record = chat_record(run_expert(track.generate(2, "lite"), "naive", track=track))
    record["memgym"]["scenario_hash"] = "f" * 64
    with pytest.raises(ValueError, match="another hash"):
        replay(record)
    with pytest.raises(ValueError, match="metadata"):
        replay({"messages": []})


def test_segments_split_at_memory_actions_with_returns(track) -> None:
    expert = run_expert(track.generate(1, "lite"), "strategic", tier="lite", track=track)
    segments = list(segment_records(expert))
    rewards = [s.reward for s in expert.steps]
    assert sum(seg["reward"] for seg in segments) == sum(rewards)
    assert segments[0]["return"] == sum(rewards)
    for seg, nxt in itertools.pairwise(segments):
        assert seg["return"] == seg["reward"] + nxt["return"]
    for seg in segments:
        a, b = seg["memgym"]["steps"]
        calls = [m for m in seg["messages"] if m["role"] == "assistant"]
        assert len(calls) == b - a
        memory = [c for c in calls if c["tool_calls"][0]["function"]["name"] in T.MEMORY_ACTIONS]
        assert len(memory) <= 1 and (not memory or memory[0] is calls[0] or a == 0)
        assert seg["messages"][1] == {"role": "user", "content": expert.steps[a].before}
    assert sum(seg["memgym"]["steps"][1] - seg["memgym"]["steps"][0] for seg in segments) == len(
        expert.steps
    )


def test_shaping_rewards_keeping_stated_facts_and_sums_to_at_most_w(track) -> None:
    scenario = track.generate(1, "lite")
    totals = {}
    for policy in ("perfect", "nothing"):
        episode = Episode(scenario, track=track, waive_budget=policy == "perfect", shaping=2.0)
        run_expert(scenario, policy, track=track, recorder=Recorder(episode))
        paid = sum(a.correct for a in episode.answers if a.axis != "abstention")
        totals[policy] = episode.reward_total - paid
    assert totals["perfect"] == pytest.approx(2.0)
    assert totals["nothing"] == 0.0


def test_trajectories_cli_writes_replayable_files(tmp_path, capsys) -> None:
    out, seg = tmp_path / "t.jsonl", tmp_path / "s.jsonl"
    code = main(
        [
            "trajectories",
            "--tier",
            "lite",
            "--seeds",
            "2",
            "--out",
            str(out),
            "--segments",
            str(seg),
        ]
    )
    assert code == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["memgym"]["seed"], r["memgym"]["policy"]) for r in records] == [
        (0, "perfect"),
        (0, "strategic"),
        (1, "perfect"),
        (1, "strategic"),
    ]
    for record in records:
        assert replay(record).scores() == record["memgym"]["scores"]
    hashes = {json.loads(line)["memgym"]["scenario_hash"] for line in seg.read_text().splitlines()}
    assert hashes == {r["memgym"]["scenario_hash"] for r in records}
    assert main(["trajectories", "--policies", "guesser", "--out", str(out)]) == 2
    assert "unknown expert policy" in capsys.readouterr().err
    missing = tmp_path / "no" / "such" / "dir.jsonl"
    assert main(["trajectories", "--seeds", "1", "--out", str(missing)]) == 2
    assert "cannot write --out" in capsys.readouterr().err


@pytest.mark.parametrize(
    "bad",
    [["--tier", "nope"], ["--param", "entities=abc"], ["--segments", "{d}/missing/s.jsonl"]],
    ids=["tier", "param", "segments-folder"],
)
def test_bad_input_leaves_an_existing_out_file_as_it_was(tmp_path, capsys, bad) -> None:
    out = tmp_path / "t.jsonl"
    out.write_text('{"kept": true}\n')
    args = [a.format(d=tmp_path) for a in bad]
    assert main(["trajectories", "--seeds", "1", "--out", str(out), *args]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert out.read_text() == '{"kept": true}\n' and not (tmp_path / "missing").exists()


def test_a_stopped_export_leaves_the_previous_files(tmp_path, capsys, monkeypatch) -> None:
    """Ctrl-C (or a full disk) part way: neither file holds part of a new export."""
    from memgym.envs import expert

    out, seg = tmp_path / "t.jsonl", tmp_path / "s.jsonl"
    out.write_text('{"kept": true}\n')
    ran = []

    def stopped(*args, **kwargs):
        ran.append(1)
        if len(ran) == 3:
            raise KeyboardInterrupt
        return run_expert(*args, **kwargs)

    monkeypatch.setattr(expert, "run_expert", stopped)
    args = ["trajectories", "--seeds", "2", "--out", str(out), "--segments", str(seg)]
    assert main(args) == 130
    assert out.read_text() == '{"kept": true}\n' and not seg.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.jsonl"]  # no temporary file left


# memgym's own tracks (a toy track another test module registered is not one of them)
OWN_STREAM_TRACKS = [
    name for name in stream_track_names() if type(get_track(name)).__module__.startswith("memgym.")
]


@pytest.mark.parametrize("name", OWN_STREAM_TRACKS)
def test_every_track_expert_matches_memgym_run_and_replays(name: str) -> None:
    track = get_track(name)
    tier = "lite" if "lite" in track.tiers else track.default_tier
    scenario = track.generate(1, tier)
    expert = run_expert(scenario, "strategic", tier=tier, track=track)
    result = memgym.evaluate(
        scenario,
        memgym.make_memory("agentic:policy=strategic", track),
        memgym.make_reasoner("scripted", track),
    )
    assert expert.scores["composite"] == result.composite
    assert replay(chat_record(expert)).scores() == expert.scores


def test_trajectories_of_an_interactive_track_are_refused_in_one_line(tmp_path, capsys) -> None:
    from memgym.cli import main

    out = tmp_path / "t.jsonl"
    assert main(["trajectories", "--track", "swe", "--seeds", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "swe is interactive" in err and "entities" in err and not out.exists()
