"""Adversarial reasoners: each tries to score without memory. ``memgym validate`` proves they
cannot (composite ≤ 5 %).

- ``guesser``: answers from the track's priors (range midpoints, first choices).
- ``smart_guesser``: the most likely prior value, or the typical value the ``stats`` memory saw.
- ``abstainer``: always says it does not know.
- ``echo``: answers with the question's own words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from memgym.claims import format_number, parse_notes
from memgym.memory.stats import TYPICAL
from memgym.query import ABSTAIN
from memgym.reasoners.base import Reasoner, register_reasoner
from memgym.tracks.base import Prior, Track
from memgym.types import Question, View


def prior_guess(prior: Prior, smart: bool) -> str:
    """A single committed value drawn from nothing but the prior."""
    if prior.choices:
        if smart and prior.weights:
            best = max(range(len(prior.choices)), key=lambda i: prior.weights[i])
            return prior.choices[best]
        return prior.choices[0]
    mid = (prior.low + prior.high) / 2
    value = (
        format_number(round(mid))
        if prior.decimals == 0
        else format_number(round(mid, prior.decimals))
    )
    if prior.type == "series":
        return ", ".join([value] * 4)
    return value


@register_reasoner("guesser")
class Guesser(Reasoner):
    """Commits to a prior-based guess for every question."""

    name = "guesser"
    smart = False

    def __init__(self, track: Track) -> None:
        self.track = track
        self.priors: dict[str, Prior] = {}

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        super().reset(brief, params)
        self.priors = self.track.priors(params)

    def typical(self, attribute: str, view: View) -> str:
        prior = self.priors.get(attribute)
        return "0" if prior is None else prior_guess(prior, self.smart)

    def answer(self, question: Question, view: View) -> str:
        spec = question.spec
        op = spec["op"]
        attribute = spec.get("attribute", "")
        guess = self.typical(attribute, view)
        if op in ("value", "previous", "hop"):
            return guess
        if op == "delta":
            return "0"
        if op in ("compare",):
            return f"{spec['entities'][0]} ({guess})"
        if op == "trend":
            return "mixed (0)"
        if op in ("count", "aggregate") and spec.get("fn", "count") == "count":
            return str(self._expected_count(spec))
        if op == "aggregate":
            n = self._expected_count(spec)
            number = float(guess.split(",")[0]) if guess[:1].isdigit() else 0.0
            return format_number(number * (n if spec["fn"] == "sum" else 1))
        return ABSTAIN

    def _expected_count(self, spec: dict) -> int:
        n = float(self.params.get("entities", 10))
        for attribute, op, _ in spec.get("where", []):
            prior = self.priors.get(attribute)
            n *= 1 / len(prior.choices) if prior and prior.choices and op == "==" else 0.5
        return max(0, math.floor(n + 0.5))


@register_reasoner("smart_guesser")
class SmartGuesser(Guesser):
    """Most likely prior values, or the typical values a ``stats`` memory shows in the view."""

    name = "smart_guesser"
    smart = True

    def typical(self, attribute: str, view: View) -> str:
        for claim in parse_notes(view.text()):
            if claim.entity == TYPICAL and claim.attribute == attribute:
                return claim.value
        return super().typical(attribute, view)


@register_reasoner("abstainer")
class Abstainer(Reasoner):
    """Never commits."""

    name = "abstainer"

    def __init__(self, track: Track) -> None:
        pass

    def answer(self, question: Question, view: View) -> str:
        return "I don't know."


@register_reasoner("echo")
class Echo(Reasoner):
    """Repeats the question."""

    name = "echo"

    def __init__(self, track: Track) -> None:
        pass

    def answer(self, question: Question, view: View) -> str:
        return question.text
