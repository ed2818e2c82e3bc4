"""Agents that remember nothing or a bounded amount, playing the Gymnasium env through its
actions: the adversaries the env's reward must not pay (``python -m memgym.envs.baselines``
prints their returns per env id).

- ``Unknown``: skips every event and answers "unknown" to every question;
- ``Skipper``: skips everything, questions included (each an unanswered ``model_error``);
- ``Bounded(member)``: keeps what one member of the bounded-memory family keeps
  (``memgym.simulation.bounded_family``: last-K, first-K or reservoir-K events of a class, the
  last N tokens) and answers with the scripted reader over it;
- ``LearnedBounded(member, selector)``: the family's ``learned{N}`` member: scores each event
  as it arrives with validate's learned selector (``memgym.simulation.learned_selector``,
  trained on seeds disjoint from any judged one), keeps the top-scored events that fit in N
  tokens and answers with the scripted reader over them.

Like the expert (``memgym.envs.expert``) an agent sees each event's public text and, at a
question, the public question (its structured spec, never its answer).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from memgym.envs import tools as T
from memgym.envs.played import Played, parsed, parser, return_share
from memgym.query import ABSTAIN
from memgym.simulation.bounded import BOUNDED_SHARE
from memgym.simulation.bounded_family import Keeper, Member, Reader, family
from memgym.simulation.learned_selector import Selector, fitted
from memgym.simulation.learned_selector import available as learned_available
from memgym.tokens import count_tokens
from memgym.tracks import Track, get_track, stream_events
from memgym.types import Event, Question, Scenario

_NEXT = json.dumps({"name": T.NEXT, "arguments": {}})


class Agent:
    """Observes public events; answers public questions (``None``: skip the question)."""

    name = "agent"
    needs_length = False
    """Whether the agent is told the stream's length in tokens before it starts (``told``)."""

    def reset(self, seed: int) -> None:
        """Start a new episode of scenario ``seed``."""

    def told(self, stream_tokens: int) -> None:
        """The tokens of the episode's events that are not questions (``needs_length``)."""

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


class LearnedBounded(Bounded):
    """The ``learned{N}`` member (``member.rule == "learned"``): scores each event as it arrives
    with ``selector`` and keeps the top-scored events within ``member.size`` tokens (without a
    selector every score is 0 and it keeps the newest, as validate's member does). It is told
    the stream's length in tokens up front, as validate's member knows it (the selector's
    place feature: tokens before the event over the stream's), so it keeps exactly what
    validate's marking of the member keeps."""

    needs_length = True

    def __init__(self, member: Member, track: Track, selector: Selector | None) -> None:
        if member.rule != "learned":
            raise ValueError(f"LearnedBounded needs a learned member, got {member.name}")
        self.selector = selector
        self.stream_tokens = 0
        super().__init__(member, track)

    def told(self, stream_tokens: int) -> None:
        self.stream_tokens = stream_tokens

    def observe(self, event: Event) -> None:
        tokens = count_tokens(event.text)
        score = 0.0
        if self.selector is not None:
            place = self.seen / (self.stream_tokens or 1)
            score = self.selector.score(event.text, tokens, place)
        self.keeper.observe(event, score)
        self.seen += tokens


def stream_tokens(scenario: Scenario) -> int:
    """The tokens of ``scenario``'s events that are not questions, filler included."""
    return sum(count_tokens(e.text) for e in stream_events(scenario) if e.question is None)


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
    if agent.needs_length:
        agent.told(stream_tokens(episode.scenario))
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


def agents(
    track: Track, members: Sequence[Member] | None = None, selector: Selector | None = None
) -> list[Agent]:
    """The memoryless agents, then one bounded agent per member (default: the quick family's;
    its learned members only with a fitted ``selector``, which they score events with)."""
    if members is None:
        members = [m for m in family() if m.rule != "learned" or selector is not None]
    return [
        Unknown(),
        Skipper(),
        *(
            LearnedBounded(m, track, selector) if m.rule == "learned" else Bounded(m, track)
            for m in members
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m memgym.envs.baselines [--seeds 200-209] [--ids a,b] [--learned-only]``: per
    env id, the always-unknown agent's and the skip-all agent's return share, the worst of the
    bounded family's members that held at most ``BOUNDED_SHARE`` of the stream, as validate
    judges them, and each learned member's share and held share (with scikit-learn; one in
    parentheses holds more and is not judged). ``--learned-only``: of the family, only the
    learned members. Exit 1 when a judged agent is above 5 % of the maximum return."""
    from memgym.envs import make
    from memgym.envs.registration import env_specs

    p = parser(
        "python -m memgym.envs.baselines", "200-209", "comma-separated env ids (default: every one)"
    )
    p.add_argument(
        "--learned-only",
        action="store_true",
        help="of the bounded agents, play only the learned members (much faster)",
    )
    args = p.parse_args(argv)
    seeds, ids = parsed(args)
    specs = env_specs()
    ids = ids or list(specs)
    worst_all = 0.0
    for env_id in ids:
        track_name, tier = specs[env_id]
        env = make(env_id)
        selector = fitted(track_name, tier, ()) if learned_available() else None
        shares: dict[str, float] = {}
        learned: list[str] = []
        members = [m for m in family() if m.rule == "learned"] if args.learned_only else None
        for agent in agents(get_track(track_name), members, selector):
            runs = [play(env, agent, s) for s in seeds]
            share = return_share(runs)
            held = sum(r.held for r in runs) / len(runs)
            if isinstance(agent, LearnedBounded):
                text = f"{share:.3f} holds {held:.1%}"
                learned.append(f"{agent.name} " + (text if held <= BOUNDED_SHARE else f"({text})"))
            if held > BOUNDED_SHARE:
                continue  # holds too much of the stream to be a bounded memory (as in validate)
            shares[agent.name] = share
        env.close()
        bounded = [n for n in shares if n not in ("always-unknown", "skip-all")]
        fixed = [n for n in bounded if not n.startswith("learned")]
        worst = max(fixed, key=lambda n: shares[n], default=None)
        print(
            f"{env_id:32} unknown {shares['always-unknown']:.3f}  skip {shares['skip-all']:.3f}"
            + (f"  worst bounded {shares[worst]:.3f} ({worst})" if worst else "")
            + "".join(f"  {text}" for text in learned)
        )
        worst_all = max(worst_all, *shares.values())
    return 1 if worst_all > 0.05 else 0


if __name__ == "__main__":
    raise SystemExit(main())
