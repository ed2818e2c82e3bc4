"""A tiny length-controlled track for the gate and audit tests, with knobs that break the gates.

Each entity gets one document, the canonical note line ``Name | level=N``, spread evenly over the
stream; questions (at the end) ask for one entity's level. Filler is lazily generated lowercase
prose that states nothing.
Knobs, each drawn per seed so that only some seeds misbehave:

- ``leak_rate``: chance that distractors restate every asked level (fails the distractors gate);
- ``guess_rate``: chance that every question is about an absent entity (gold "unknown" as text,
  so the ``none`` memory answers it, failing the none gate);
- ``wrong_rate``: chance that every gold answer is off by one (fails the oracle gate).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any, ClassVar

from memgym.claims import Claim, parse_notes
from memgym.query import ABSTAIN
from memgym.tokens import count_tokens
from memgym.tracks.base import Track, fill_gaps
from memgym.tracks.registry import register_track
from memgym.types import Event, Fact, GoldQuestion, Scenario

NAME = "toy-gates"
WORDS = (
    "quiet",
    "river",
    "stone",
    "amber",
    "cloud",
    "maple",
    "lantern",
    "orbit",
    "velvet",
    "harbor",
)
DEFAULTS: dict[str, Any] = {
    "entities": 6,
    "questions": 4,
    "target_tokens": 2000,
    "leak_rate": 0.0,
    "guess_rate": 0.0,
    "wrong_rate": 0.0,
}


def _filler_text(seed: int, step: int) -> str:
    rng = random.Random(seed * 7_919 + step)
    return " ".join(rng.choice(WORDS) for _ in range(40)) + "."


FILLER_TOKENS = 41  # 40 short words and a period, whatever the draw


@register_track(NAME)
class ToyGatesTrack(Track):
    tiers: ClassVar[dict[str, dict[str, Any]]] = {"lite": {}, "standard": {"entities": 10}}
    default_tier: ClassVar[str] = "lite"

    def params(self, tier: str | None = None, **overrides: Any) -> dict[str, Any]:
        tier = tier or self.default_tier
        if tier not in self.tiers:
            raise ValueError(f"unknown tier {tier!r}")
        unknown = set(overrides) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown parameter {min(unknown)!r}")
        return {"tier": tier, **DEFAULTS, **self.tiers[tier], **overrides}

    def generate(self, seed: int, tier: str | None = None, **overrides: Any) -> Scenario:
        p = self.params(tier, **overrides)
        rng = random.Random(seed)
        leak, guess, wrong = (
            rng.random() < p[k] for k in ("leak_rate", "guess_rate", "wrong_rate")
        )
        names = [f"Unit {n}" for n in rng.sample(range(100, 1000), p["entities"])]
        facts = [
            Fact(id=f"f{i}", entity=n, attribute="level", value=rng.randrange(10, 99), step=i)
            for i, n in enumerate(names)
        ]
        core: list[tuple[str, str, list[str], GoldQuestion | None]] = [
            ("document", f"{f.entity} | level={f.value}", [f.id], None) for f in facts
        ]
        asked = rng.sample(facts, p["questions"])
        if leak:
            core += [("distractor", f"{f.entity} | level={f.value}", [], None) for f in asked]
        for i, f in enumerate(asked):
            entity = "Unit 7" if guess else f.entity
            answer: Any = ABSTAIN if guess else f.value + (1 if wrong else 0)
            question = GoldQuestion(
                id=f"q{i}",
                kind="retrieval",
                axis="breadth",
                text=f"What is the level of {entity}?",
                spec={"op": "value", "entity": entity, "attribute": "level"},
                answer=answer,
                answer_type="text" if guess else "int",
                evidence=[] if guess else [f.id],
            )
            core.append(("question", question.text, [], question))
        core_tokens = sum(count_tokens(text) for _, text, _, _ in core)
        fillers = max(0, round((p["target_tokens"] - core_tokens) / FILLER_TOKENS))
        total = len(core) + fillers
        docs = len(facts)
        # documents spread evenly over the stream, distractors and questions at the end
        stride = (docs + fillers) // docs
        steps = [i * stride for i in range(docs)] + list(range(docs + fillers, total))
        events = [
            Event(step=s, kind=k, text=t, facts=fs, question=q)  # type: ignore[arg-type]
            for s, (k, t, fs, q) in zip(steps, core, strict=True)
        ]
        return Scenario(
            track=NAME,
            seed=seed,
            params=p,
            brief="Remember every unit's level.",
            facts=facts,
            events=events,
            filler={"total_steps": total, "seed": seed} if fillers else {},
        )

    def stream(self, scenario: Scenario) -> Iterator[Event]:
        seed = scenario.filler["seed"]
        return fill_gaps(
            scenario.events,
            scenario.filler["total_steps"],
            lambda step: Event(step=step, kind="distractor", text=_filler_text(seed, step)),
        )

    def read(self, text: str) -> list[Claim]:
        return parse_notes(text)


@register_track(NAME + "-subseed")
class ToySubseedTrack(ToyGatesTrack):
    """The toy track with a ``subseed`` parameter: an independent scenario for the same seed."""

    def params(self, tier: str | None = None, **overrides: Any) -> dict[str, Any]:
        subseed = overrides.pop("subseed", 0)
        return {**super().params(tier, **overrides), "subseed": subseed}

    def generate(self, seed: int, tier: str | None = None, **overrides: Any) -> Scenario:
        subseed = self.params(tier, **overrides)["subseed"]
        scenario = super().generate(seed * 1_000_003 + subseed, tier, **overrides)
        return scenario.model_copy(update={"seed": seed})
