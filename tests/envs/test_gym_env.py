"""The Gymnasium environment: registered ids, check_env, determinism, resume, bad actions."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import pytest

gymnasium = pytest.importorskip("gymnasium", reason="needs the gym extra")

from gymnasium.utils.env_checker import check_env

import memgym
from memgym import envs
from memgym.envs.expert import run_expert
from memgym.envs.registration import env_specs
from memgym.envs.tools import tool_schemas
from memgym.tracks import get_track, track_names


def _action(name: str, **args: object) -> str:
    return json.dumps({"name": name, "arguments": args})


def _expert_actions(seed: int, policy: str = "strategic", tier: str = "lite") -> list[str]:
    track = get_track("entities")
    ep = run_expert(track.generate(seed, tier), policy, tier=tier, track=track)
    return [json.dumps({"name": s.name, "arguments": s.args}) for s in ep.steps]


def test_an_id_for_every_question_stream_track_and_tier() -> None:
    expected = {
        f"memgym/{name}-{tier}-v0"
        for name in track_names()
        if not get_track(name).interactive
        for tier in get_track(name).tiers
    }
    assert set(env_specs()) == expected
    assert not any(id.startswith("memgym/web-") for id in env_specs())  # an agent session
    envs.register_envs()
    assert expected <= set(gymnasium.envs.registration.registry)
    env = gymnasium.make("memgym/entities-lite-v0")  # plain gymnasium.make works too
    assert env.unwrapped.track.name == "entities" and env.unwrapped.tier == "lite"


@pytest.mark.parametrize("env_id", list(env_specs()))
def test_check_env_passes(env_id: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a checker warning is a failure too
        check_env(envs.make(env_id).unwrapped)


@pytest.mark.parametrize("order", ["memgym, gymnasium", "gymnasium, memgym"])
def test_gymnasium_make_finds_the_ids_in_either_import_order(order: str) -> None:
    code = (
        f"import {order}, sys\n"
        "env = gymnasium.make('memgym/research-lite-v0')\n"
        "print(env.unwrapped.track.name, env.unwrapped.tier)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-1500:]
    assert done.stdout.split() == ["research", "lite"]


def test_import_memgym_does_not_import_gymnasium() -> None:
    code = "import memgym, sys; print('gymnasium' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "False", done.stderr[-1500:]


def test_memgym_make_is_exported_and_seeds_the_first_scenario() -> None:
    env = memgym.make("memgym/entities-lite-v0", seed=7)
    _, info = env.reset()
    assert info["state"]["seed"] == 7
    assert info["scenario_hash"] == get_track("entities").generate(7, "lite").hash
    with pytest.raises(ValueError, match="unknown memgym environment"):
        memgym.make("memgym/nope-lite-v0")


def test_reset_and_step_are_deterministic() -> None:
    actions = _expert_actions(2)[:40] + ["not json", _action("memory_read", id=99)]

    def rollout() -> list[object]:
        env = envs.make("memgym/entities-lite-v0", seed=2)
        out: list[object] = [env.reset()]
        out += [env.step(a) for a in actions]
        out += [env.reset()[0], env.reset()[0]]  # the seed sequence after the first scenario
        return out

    first, second = rollout(), rollout()
    assert first == second
    assert first[-1] != first[-2]  # later resets draw new scenarios


def test_expert_actions_reach_memgym_scores_and_rewards() -> None:
    env = envs.make("memgym/entities-lite-v0")
    env.reset(seed=4)
    rewards = 0.0
    for action in _expert_actions(4):
        _, reward, terminated, truncated, info = env.step(action)
        rewards += reward
    assert terminated and not truncated
    track = get_track("entities")
    scenario = track.generate(4, "lite")
    result = memgym.evaluate(
        scenario,
        memgym.make_memory("agentic:policy=strategic", track),
        memgym.make_reasoner("scripted", track),
    )
    assert info["scores"]["composite"] == result.composite
    assert info["scores"]["axes"] == result.axes
    # one per right answer to a scored question: abstention is reported apart, never paid
    assert rewards == sum(a.correct for a in result.answers if a.axis != "abstention")
    assert info["scores"]["max_return"] == sum(a.axis != "abstention" for a in result.answers)


@pytest.mark.parametrize("shaping", [0.0, 1.0])
def test_resume_from_info_state_continues_exactly(shaping: float) -> None:
    actions = _expert_actions(5)
    cut = len(actions) // 2
    env = envs.make("memgym/entities-lite-v0", shaping=shaping)
    env.reset(seed=5)
    trace = [env.step(a) for a in actions]
    state = json.loads(json.dumps(trace[cut - 1][4]["state"]))  # survives JSON
    other = envs.make("memgym/entities-lite-v0", seed=11, shaping=shaping)
    obs, _ = other.reset(options={"state": state})
    assert obs == trace[cut - 1][0].split("\n\n[result")[0]
    resumed = [other.step(a) for a in actions[cut:]]
    assert [t[:4] for t in resumed] == [t[:4] for t in trace[cut:]]
    assert resumed[-1][4]["scores"] == trace[-1][4]["scores"]
    assert resumed[-1][4]["state"] == trace[-1][4]["state"]


def test_resume_rejects_a_state_of_another_scenario() -> None:
    env = envs.make("memgym/entities-lite-v0")
    _, info = env.reset(seed=1)
    state = dict(info["state"], scenario_hash="0" * 64)
    with pytest.raises(ValueError, match="scenario_hash"):
        env.reset(options={"state": state})


def test_bad_actions_are_refused_and_change_nothing() -> None:
    env = envs.make("memgym/entities-lite-v0")
    _, before = env.reset(seed=3)
    for action in (
        "{oops",
        json.dumps([1, 2]),
        _action("memory_format_disk"),
        _action("memory_write"),
        _action("memory_write", text="x", extra=1),
        _action("memory_edit", id=1, text="nothing there yet"),
        _action("memory_search", query="a", k=0),
        _action("submit_answer", answer="42"),  # no question is pending at event 0
        json.dumps({"name": "memory_write", "arguments": "{not json"}),
    ):
        obs, reward, terminated, truncated, info = env.step(action)
        assert not info["ok"] and reward == 0.0 and not terminated and not truncated
        assert '"error": ' in obs.split("[result of")[1]
        assert info["state"]["entries"] == [] and info["state"]["index"] == 0
    assert info["state"]["writes_used"] == before["state"]["writes_used"] == 0


def test_arguments_may_be_a_json_string_as_openai_sends_them() -> None:
    env = envs.make("memgym/entities-lite-v0")
    env.reset(seed=3)
    *_, info = env.step(json.dumps({"name": "memory_write", "arguments": '{"text": "a b"}'}))
    assert info["ok"] and info["state"]["entries"] == [[1, "a b"]]


def test_an_agent_that_never_moves_is_truncated() -> None:
    env = envs.make("memgym/entities-lite-v0", max_calls_per_event=5)
    env.reset(seed=3)
    outs = [env.step(_action("memory_search", query="x")) for _ in range(6)]
    assert [o[3] for o in outs] == [False] * 5 + [True]
    scores = outs[-1][4]["scores"]
    whole = env.unwrapped.episode.scenario.questions
    assert scores["questions"] == sum(q.axis != "abstention" for q in whole) > 0
    assert scores["correct"] == 0 and scores["composite"] == 0.0


def test_truncating_after_a_right_answer_scores_every_question_it_never_reached() -> None:
    """An agent that answers the first question right, then floods calls until the episode is
    truncated, is scored on the whole scenario (the rest wrong), as ``memgym run`` would score
    a model that stopped: stopping early must not turn one right answer into a composite of 1."""
    env = envs.make("memgym/entities-lite-v0", max_calls_per_event=8)
    env.reset(seed=3)
    earned = 0.0
    for action in _expert_actions(3):
        _, reward, terminated, truncated, info = env.step(action)
        earned += reward
        if earned:
            break
    assert earned == 1.0 and not terminated and not truncated  # one question, answered right
    while not truncated:
        _, _, terminated, truncated, info = env.step(_action("memory_search", query="x"))
    scores = info["scores"]
    expert = run_expert(get_track("entities").generate(3, "lite"), "strategic", tier="lite")
    assert scores["questions"] == expert.scores["questions"] > 1  # the whole scenario's
    assert scores["correct"] == 1
    assert scores["accuracy"] == pytest.approx(1 / scores["questions"])
    assert scores["composite"] < expert.scores["composite"] / 2  # the expert goes on: 0.383


def test_budget_is_enforced_with_the_tracks_write_budget() -> None:
    env = envs.make("memgym/entities-lite-v0")
    env.reset(seed=3)
    budget = get_track("entities").params("lite")["write_budget"]
    oks = [env.step(_action("memory_write", text=f"note {i}"))[4]["ok"] for i in range(budget + 1)]
    assert oks == [True] * budget + [False]


def test_without_gymnasium_the_error_names_the_extra(monkeypatch) -> None:
    import sys

    from memgym.envs.registration import register_envs

    monkeypatch.setitem(sys.modules, "gymnasium", None)  # as if not installed
    with pytest.raises(ImportError, match=r"pip install -e '\.\[gym\]'"):
        register_envs()
    assert envs.env_ids()  # the ids themselves need no gymnasium


def test_an_unanswered_question_is_a_model_error_as_in_memgym_run(track):
    """next_event at a question, or an empty answer: status model_error with its reason."""
    from memgym.envs.episode import Episode

    episode = Episode(track.generate(0, "lite"))
    reasons = []
    while not episode.done:
        if episode.question is None:
            episode.call("next_event", {})
            continue
        if len(reasons) % 2:
            episode.call("submit_answer", {"answer": " "})
        else:
            episode.call("next_event", {})
        reasons.append(episode.answers[-1].error)
        assert episode.answers[-1].status == "model_error" and not episode.answers[-1].correct
    assert set(reasons) == {"no_answer", "empty_answer"}
    restored = Episode.restore(episode.state())
    assert [a.model_dump() for a in restored.answers] == [a.model_dump() for a in episode.answers]


def test_the_first_observation_holds_the_system_prompt_and_the_tool_schemas() -> None:
    from memgym.envs.prompts import system_prompt

    env = envs.make("memgym/research-lite-v0")
    obs, _ = env.reset(seed=4)
    brief = get_track("research").generate(4, "lite").brief
    system, tools, event = obs.split("\n\n[", 2)
    assert system == "[system]\n" + system_prompt(brief)
    assert json.loads(tools.removeprefix("tools]\n")) == tool_schemas()
    assert {t["function"]["name"] for t in tool_schemas()} >= {"memory_write", "next_event"}
    assert event.startswith("event 0]")


def test_every_episode_ends_within_max_episode_steps() -> None:
    """The bound is events x (calls per event + 1): an agent that never moves is truncated on
    the first event, one that always moves ends after exactly the events."""
    env = envs.make("memgym/entities-lite-v0", max_calls_per_event=3)
    _, info = env.reset(seed=1)
    events = len(get_track("entities").generate(1, "lite").events)
    assert info["max_episode_steps"] == events * 4
    steps, done = 0, False
    while not done:
        _, _, terminated, truncated, info = env.step(_action("next_event"))
        steps += 1
        done = terminated or truncated
    assert terminated and steps == events <= info["max_episode_steps"]
