"""The entities track: a stream of documents about fictional entities, corrections and questions."""

from __future__ import annotations

import random as _random
from collections.abc import Mapping
from typing import Any, ClassVar

from memgym.claims import Claim
from memgym.tracks.base import Prior, Track
from memgym.tracks.entities import memos, mix, reader
from memgym.tracks.entities import params as parameters
from memgym.tracks.entities.assemble import assemble
from memgym.tracks.entities.questions import draw_questions
from memgym.tracks.entities.stream import order
from memgym.tracks.entities.templates import TEMPLATE_NAMES, TEMPLATES
from memgym.tracks.entities.world import build_world
from memgym.tracks.registry import register_track
from memgym.types import Scenario


@register_track("entities")
class EntitiesTrack(Track):
    """Seeded entity worlds in ten domains; see ``memgym.tracks.entities`` for the parts."""

    tiers: ClassVar[dict[str, dict[str, Any]]] = parameters.TIERS
    default_tier: ClassVar[str] = parameters.DEFAULT_TIER

    def params(self, tier: str | None = None, **overrides: Any) -> dict[str, Any]:
        """Every parameter for ``tier`` with ``overrides``; ``template=None`` is chosen per seed."""
        return parameters.resolve(tier, overrides)

    def generate(self, seed: int, tier: str | None = None, **overrides: Any) -> Scenario:
        """The scenario for ``seed``: one ``random.Random(seed)`` drives every choice."""
        p = self.params(tier, **overrides)
        rng = _random.Random(seed)
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
        drafts = draw_questions(rng, world, timeline, kinds, p["question_placement"])
        brief = memos.brief(p, template.noun, template.plural)
        return assemble(rng, seed, p, world, timeline, drafts, brief)

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
