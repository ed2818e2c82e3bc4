"""Reference agents playing the interactive envs (``SessionEnv``) through their actions: the
memoryless adversary the reward must not pay, and the ceilings that show the reward is there.

- ``noop``: says it is done at once (the floor);
- ``forgetful``: the ``context`` probe (``memgym.interactive.agents``) seeing only the current
  observation: it makes a gold step whenever the values the step needs are in what it sees now,
  so it earns exactly what needs no memory;
- ``recall``: the same probe seeing every observation of the episode (everything remembered);
- ``gold``: replays the gold plan (the ceiling).

``python -m memgym.envs.session_baselines [--seeds 0-2] [--ids a,b]`` prints each one's return as
a share of the maximum, per id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from memgym.envs.played import Played, return_share, seeds_and_ids
from memgym.interactive.registry import make_agent
from memgym.tracks.agent import Agent, PlanCursor
from memgym.tracks.session import AgentTurn, ChatMessage

AGENTS = ("noop", "forgetful", "recall", "gold")


def action(turn: AgentTurn) -> str:
    """The env action of ``turn`` (its first tool call, else its text)."""
    if turn.tool_calls:
        call = turn.tool_calls[0]
        return json.dumps({"name": call.name, "arguments": call.arguments})
    return json.dumps({"content": turn.content})


def play(env: Any, name: str, seed: int) -> Played:
    """Play one episode of ``env`` (a ``SessionEnv``, possibly wrapped) as agent ``name``."""
    obs, _ = env.reset(seed=seed)
    base = env.unwrapped
    spec = {"forgetful": "context", "recall": "context"}.get(name, name)
    agent: Agent = make_agent(spec, base.track)
    agent.reset(PlanCursor(base.session.oracle) if agent.needs_oracle else None)
    seen: list[ChatMessage] = []
    earned = 0.0
    while True:
        now = {"role": "user", "content": obs}
        seen = [*seen, now] if name == "recall" else [now]
        turn = agent.act(seen, base.session.tools)
        obs, reward, terminated, truncated, info = env.step(action(turn))
        earned += float(reward)
        if terminated or truncated:
            agent.close()
            return Played(name, seed, earned, float(info["scores"]["max_return"]))


def main(argv: Sequence[str] | None = None) -> int:
    """Print each agent's return share per interactive env id (exit 1 when ``forgetful`` or
    ``noop`` earns above 5 % of the maximum return)."""
    from memgym.envs import make
    from memgym.envs.registration import session_env_specs

    seeds, ids = seeds_and_ids(
        "python -m memgym.envs.session_baselines",
        "0-2",
        "comma-separated env ids (default: every interactive one)",
        argv,
    )
    ids = ids or list(session_env_specs())
    worst = 0.0
    for env_id in ids:
        env = make(env_id)
        shares = {}
        for name in AGENTS:
            runs = [play(env, name, s) for s in seeds]
            shares[name] = return_share(runs)
        env.close()
        print(f"{env_id:28} " + "  ".join(f"{n} {shares[n]:.3f}" for n in AGENTS))
        worst = max(worst, shares["noop"], shares["forgetful"])
    return 1 if worst > 0.05 else 0


if __name__ == "__main__":
    raise SystemExit(main())
