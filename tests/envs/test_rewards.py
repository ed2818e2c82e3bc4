"""The env's reward agrees with the score: agents that remember nothing earn nothing on any env
id, abstention is reported apart, and a bounded agent earns exactly what the bounded family's
marking says it answers (so validate's bounded gate bounds the return too)."""

from __future__ import annotations

import pytest

pytest.importorskip("gymnasium", reason="needs the gym extra")

from memgym.envs import make
from memgym.envs.baselines import Bounded, Skipper, Unknown, main, play
from memgym.envs.registration import env_specs
from memgym.scoring import is_correct
from memgym.scoring.reading import answer_names
from memgym.simulation.bounded_family import Member, mark
from memgym.tracks import get_track

IDS = list(env_specs())
ISSUE_SHAPES = [
    Member("last", 4, "correction"),
    Member("last", 4, "change"),
    Member("first", 3, "page"),
    Member("tokens", 500),
]
"""The bounded memories issue #42 found paid: the last corrections, the last change-looking
events, the first three pages, a fixed window of tokens."""


@pytest.mark.parametrize("env_id", IDS)
def test_a_memory_that_remembers_nothing_earns_nothing(env_id: str) -> None:
    track, tier = env_specs()[env_id]
    env = make(env_id)
    for seed in (0, 3):
        scenario = get_track(track).generate(seed, tier)
        scored = [q for q in scenario.questions if q.axis != "abstention"]
        abstaining = [q for q in scenario.questions if q.axis == "abstention"]
        for agent in (Unknown(), Skipper()):
            played = play(env, agent, seed)
            assert played.max_return == len(scored)
            assert played.earned <= 0.05 * played.max_return
            assert played.scores["composite"] == 0.0
        # "unknown" is right on every abstention question: reported apart, never paid
        unknown = play(env, Unknown(), seed)
        names = answer_names(scenario)
        if abstaining:
            assert all(is_correct(q, "unknown", names) for q in abstaining)
            assert unknown.scores["abstention"] == 1.0 and unknown.earned == 0.0
    env.close()


@pytest.mark.parametrize("env_id", IDS)
def test_a_bounded_agent_earns_what_the_family_marks(env_id: str) -> None:
    track_name, tier = env_specs()[env_id]
    track = get_track(track_name)
    env = make(env_id)
    seed = 201
    scenario = track.generate(seed, tier)
    marked = mark(track, scenario, ISSUE_SHAPES)
    for j, member in enumerate(ISSUE_SHAPES):
        played = play(env, Bounded(member, track), seed)
        right = sum(
            row[j] for axis, row in zip(marked.axes, marked.correct) if axis != "abstention"
        )
        assert played.earned == right, member.name
        assert played.share == right / played.max_return
    env.close()


def test_the_reward_counts_shaping_in_the_maximum() -> None:
    env = make("memgym/entities-lite-v0", shaping=0.5)
    played = play(env, Unknown(), 0)
    scored = sum(
        q.axis != "abstention" for q in get_track("entities").generate(0, "lite").questions
    )
    assert played.max_return == scored + 0.5 and played.earned == 0.0


def test_the_command_line_prints_each_id(capsys) -> None:
    code = main(["--seeds", "0", "--ids", "memgym/research-lite-v0"])
    out = capsys.readouterr().out
    assert out.startswith("memgym/research-lite-v0") and "unknown 0.000  skip 0.000" in out
    worst = float(out.split("worst bounded ")[1].split()[0])
    assert code == (1 if worst > 0.05 else 0)
