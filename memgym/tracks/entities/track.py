"""The entities track: a stream of documents about fictional entities, corrections and questions."""

from __future__ import annotations

import random as _random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from memgym.claims import Claim
from memgym.collector import collector_paused
from memgym.tracks.base import Prior, Track
from memgym.tracks.entities import memos, mix, reader
from memgym.tracks.entities import params as parameters
from memgym.tracks.entities.assemble import assemble
from memgym.tracks.entities.questions import draw_questions
from memgym.tracks.entities.stream import Timeline, order
from memgym.tracks.entities.templates import TEMPLATE_NAMES, TEMPLATES, Template
from memgym.tracks.entities.world import World, build_world
from memgym.tracks.registry import register_track
from memgym.types import QuestionKind, Scenario


@dataclass(frozen=True)
class WorldPlan:
    """A scenario before its questions are drawn: the template, the question kinds (in plan
    order), the world and the timeline of its events."""

    template: Template
    kinds: list[QuestionKind]
    world: World
    timeline: Timeline


def plan_world(rng: _random.Random, p: dict[str, Any]) -> WorldPlan:
    """The first draws of ``generate`` (it sets ``p["template"]`` to the one drawn): what a
    question drawn next is asked about."""
    drawn = TEMPLATE_NAMES[int(rng.random() * len(TEMPLATE_NAMES))]  # drawn even when given
    template = TEMPLATES[p["template"] or drawn]
    p["template"] = template.name
    kinds = mix.plan(rng, p["questions"], p["corrections"] + p["updates"] > 0)
    abstentions = kinds.count("abstention")
    world = build_world(
        rng,
        template,
        p["entities"],
        p["corrections"],
        p["updates"],
        withheld=(abstentions + 1) // 2,
        absent=abstentions,
    )
    timeline = order(rng, world, round(p["distractor_rate"] * p["entities"]))
    return WorldPlan(template, kinds, world, timeline)


@register_track("entities")
class EntitiesTrack(Track, parameters=parameters):
    """Seeded entity worlds in ten domains; see ``memgym.tracks.entities`` for the parts."""

    def generate(self, seed: int, tier: str | None = None, **overrides: Any) -> Scenario:
        """The scenario for ``seed``: one ``random.Random(seed)`` drives every choice."""
        p = self.params(tier, **overrides)
        rng = _random.Random(seed)
        with collector_paused():  # nothing built here is garbage before it is returned
            plan = plan_world(rng, p)
            drafts = draw_questions(
                rng, plan.world, plan.timeline, plan.kinds, p["question_placement"]
            )
            brief = memos.brief(p, plan.template.noun, plan.template.plural)
            return assemble(rng, seed, p, plan.world, plan.timeline, drafts, brief)

    def read(self, text: str) -> list[Claim]:
        """Every claim in ``text`` (documents, corrections, updates, note lines), in text order."""
        return reader.read(text)

    def priors(self, params: Mapping[str, Any]) -> dict[str, Prior]:
        """attribute -> prior for the params' template (every template's when it is not fixed)."""
        name = params.get("template")
        templates = (
            [TEMPLATES[name]] if name in TEMPLATES else [TEMPLATES[n] for n in TEMPLATE_NAMES]
        )
        return {
            a.name: Prior(a.type, a.low, a.high, a.decimals, a.choices, a.weights)
            for t in templates
            for a in t.attributes
        }
