"""Agents that remember nothing or a bounded amount, playing the Gymnasium env through its
actions: the adversaries the env's reward must not pay (``python -m memgym.envs.baselines``
prints their returns per env id).

- ``Unknown``: skips every event and answers "unknown" to every question;
- ``Skipper``: skips everything, questions included (each an unanswered ``model_error``);
- ``Bounded(member)``: keeps what one member of the bounded-memory family keeps
  (``memgym.simulation.bounded_family``: last-K, first-K or reservoir-K events of a class, the
  last N tokens) and answers with the scripted reader over it.

Like the expert (``memgym.envs.expert``) an agent sees each event's public text and, at a
question, the public question (its structured spec, never its answer).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from memgym.envs import tools as T
from memgym.envs.played import Played, return_share, seeds_and_ids
from memgym.query import ABSTAIN
from memgym.simulation.bounded import BOUNDED_SHARE
from memgym.simulation.bounded_family import Keeper, Member, Reader, family
from memgym.tokens import count_tokens
from memgym.tracks import Track, get_track
from memgym.types import Event, Question

_NEXT = json.dumps({"name": T.NEXT, "arguments": {}})


class Agent:
    """Observes public events; answers public questions (``None``: skip the question)."""

    name = "agent"

    def reset(self, seed: int) -> None:
        """Start a new episode of scenario ``seed``."""

    def observe(self, event: Event) -> None:
        """Live through one event that is not a question."""

    def answer(self, question: Question) -> str | None:
        return ABSTAIN


class Unknown(Agent):
    """Remembers nothing; answers "unknown" to every question."""

    name = "always-unknown"


class Skipper(Agent):
    """Remembers nothing; skips every question (``next_event`` on it)."""

    name = "skip-all"

    def answer(self, question: Question) -> str | None:
        return None


class Bounded(Agent):
    """Keeps what ``member`` keeps and answers with the scripted reader over it."""

    def __init__(self, member: Member, track: Track) -> None:
        self.member = member
        self.track = track
        self.name = member.name
        self.reset(0)

    def reset(self, seed: int) -> None:
        self.keeper = Keeper([self.member], seed)
        self.reader = Reader(self.track)
        self.seen = 0
        self.held: list[float] = []
        """At each question: the share of the tokens seen so far that the agent held."""

    def observe(self, event: Event) -> None:
        self.keeper.observe(event)
        self.seen += count_tokens(event.text)

    def answer(self, question: Question) -> str | None:
        kept = self.keeper.kept(self.member)
        self.held.append(sum(map(count_tokens, kept)) / self.seen if self.seen else 0.0)
        return self.reader.answer(kept, question)


@dataclass(frozen=True)
class ScoredPlay(Played):
    """One episode of an agent: the return it earned, the most it could and memgym's scores."""

    scores: dict[str, Any]
    held: float = 0.0
    """The mean share of the stream the agent held at the questions (0: it keeps nothing)."""


def play(env: Any, agent: Agent, seed: int) -> ScoredPlay:
    """Play one episode of ``env`` (a ``MemgymEnv``, possibly wrapped) with ``agent``."""
    env.reset(seed=seed)
    episode = env.unwrapped.episode
    agent.reset(seed)
    earned = 0.0
    while True:
        event = episode.event
        action = _NEXT
        if event.question is None:
            # the adversary is told each event's true kind, as validate's family is (a memory
            # is not: Event.public), so the return it earns bounds what a memory could
            agent.observe(event.public().model_copy(update={"kind": event.kind}))
        else:
            text = agent.answer(event.question.public())
            if text is not None:
                action = json.dumps({"name": T.ANSWER, "arguments": {"answer": text}})
        _, reward, terminated, truncated, info = env.step(action)
        earned += float(reward)
        if terminated or truncated:
            scores = info["scores"]
            kept = getattr(agent, "held", None) or [0.0]
            held = sum(kept) / len(kept)
            return ScoredPlay(agent.name, seed, earned, float(scores["max_return"]), scores, held)


def agents(track: Track, members: Sequence[Member] | None = None) -> list[Agent]:
    """The memoryless agents, then one bounded agent per member (the quick family's, but for
    the learned members: an agent here has no fitted selector, so it would keep the newest
    events as ``tokens{N}`` does)."""
    chosen = [m for m in family() if m.rule != "learned"] if members is None else members
    return [Unknown(), Skipper(), *(Bounded(m, track) for m in chosen)]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m memgym.envs.baselines [--seeds 200-209] [--ids a,b]``: per env id, the
    always-unknown agent's and the skip-all agent's return share, and the worst of the bounded
    family's members that held at most ``BOUNDED_SHARE`` of the stream, as validate judges them
    (exit 1 when any is above 5 % of the maximum return)."""
    from memgym.envs import make
    from memgym.envs.registration import env_specs

    seeds, ids = seeds_and_ids(
        "python -m memgym.envs.baselines",
        "200-209",
        "comma-separated env ids (default: every one)",
        argv,
    )
    specs = env_specs()
    ids = ids or list(specs)
    worst_all = 0.0
    for env_id in ids:
        env = make(env_id)
        shares: dict[str, float] = {}
        for agent in agents(get_track(specs[env_id][0])):
            runs = [play(env, agent, s) for s in seeds]
            if sum(r.held for r in runs) / len(runs) > BOUNDED_SHARE:
                continue  # holds too much of the stream to be a bounded memory (as in validate)
            shares[agent.name] = return_share(runs)
        env.close()
        bounded = [n for n in shares if n not in ("always-unknown", "skip-all")]
        worst = max(bounded, key=lambda n: shares[n], default=None)
        print(
            f"{env_id:32} unknown {shares['always-unknown']:.3f}  skip {shares['skip-all']:.3f}"
            + (f"  worst bounded {shares[worst]:.3f} ({worst})" if worst else "")
        )
        worst_all = max(worst_all, *shares.values())
    return 1 if worst_all > 0.05 else 0


if __name__ == "__main__":
    raise SystemExit(main())
