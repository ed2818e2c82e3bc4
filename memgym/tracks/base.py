"""The Track contract: seeded scenario generation plus a reader for the track's own prose."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from memgym.caches import own
from memgym.claims import Claim
from memgym.types import Event, Scenario

READ_CACHE_SIZE = 50_000
"""Texts whose claims a track instance remembers (a standard episode reads a few hundred)."""


@dataclass(frozen=True)
class Prior:
    """What a track's generator draws an attribute from: the knowledge a guesser may use."""

    type: str
    low: float = 0.0
    high: float = 0.0
    decimals: int = 0
    choices: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()


class TierParameters(Protocol):
    """A track's parameters module (``memgym.tracks.<name>.params``): its tiers, the default
    one and ``resolve``, which validates a tier's values with overrides applied."""

    TIERS: dict[str, dict[str, Any]]
    DEFAULT_TIER: str

    def resolve(self, tier: str | None, overrides: dict[str, Any]) -> dict[str, Any]: ...


class Track(ABC):
    """A family of synthetic, seeded, length-controllable scenarios.

    A track is data generation and ground truth, nothing else: it knows no memory, no reasoner
    and no scorer. ``read`` turns any text the track produced (and memgym's canonical note lines)
    back into claims, which is how scripted agents "read".
    """

    name: ClassVar[str]
    tiers: ClassVar[dict[str, dict[str, Any]]]
    default_tier: ClassVar[str]
    interactive: ClassVar[bool] = False
    """True for tracks whose episodes are agent loops (``memgym.tracks.interactive``)."""

    parameters: ClassVar[TierParameters | None] = None
    """The parameters module a track names in its class line (``parameters=``), if any."""

    def __init_subclass__(cls, parameters: TierParameters | None = None, **kwargs: Any) -> None:
        """``class X(Track, parameters=module)``: the tiers, the default tier and ``params`` of
        the track are its parameters module's ``TIERS``, ``DEFAULT_TIER`` and ``resolve``."""
        super().__init_subclass__(**kwargs)
        if parameters is not None:
            cls.parameters = parameters
            cls.tiers = parameters.TIERS
            cls.default_tier = parameters.DEFAULT_TIER

    def require(self) -> None:
        """Raise ``memgym.extras.MissingExtra`` (one line naming the install command) when an
        optional dependency the track's episodes need is missing; checked before a run starts."""

    def params(self, tier: str | None = None, **overrides: Any) -> dict[str, Any]:
        """The full, validated parameter set for ``tier`` with ``overrides`` applied: the
        parameters module's ``resolve`` (a track with none overrides this).

        Raises ``ValueError`` naming the offending parameter for unknown names or bad values.
        """
        if self.parameters is None:
            raise NotImplementedError(f"{type(self).__name__} names no parameters module")
        return self.parameters.resolve(tier, overrides)

    @abstractmethod
    def generate(self, seed: int, tier: str | None = None, **overrides: Any) -> Scenario:
        """The scenario for ``seed`` and the resolved params; deterministic byte for byte."""

    @abstractmethod
    def read(self, text: str) -> list[Claim]:
        """Every claim stated in ``text``, in text order."""

    def clear_scenario_caches(self) -> None:
        """Empty the read cache (``memgym.caches.next_scenario``: texts hardly repeat across
        scenarios, so memory stays flat in the number of scenarios)."""
        cache = self.__dict__.get("_read_cache")
        if cache is not None:
            cache.clear()

    def read_cached(self, text: str) -> list[Claim]:
        """``read`` with a bounded per-instance cache: policies and reasoners read the same event
        and entry texts many times. Returns a fresh list each call (callers may extend it)."""
        cache: OrderedDict[str, tuple[Claim, ...]] | None = self.__dict__.get("_read_cache")
        if cache is None:
            cache = self.__dict__["_read_cache"] = OrderedDict()
            own(self)  # emptied when the process moves on to another scenario
        claims = cache.get(text)
        if claims is None:
            claims = cache[text] = tuple(self.read(text))
            if len(cache) > READ_CACHE_SIZE:
                cache.popitem(last=False)
        return list(claims)

    def stream(self, scenario: Scenario) -> Iterator[Event]:
        """Every event of ``scenario`` in step order. Tracks whose scenarios plan lazily generated
        filler (``scenario.filler``) override this, e.g. with ``fill_gaps``, so a long stream is
        never held in memory at once."""
        return iter(scenario.events)

    def priors(self, params: Mapping[str, Any]) -> dict[str, Prior]:
        """attribute -> the prior its values are drawn from (empty when the track has none)."""
        return {}


def fill_gaps(
    events: Iterable[Event], total_steps: int, filler: Callable[[int], Event]
) -> Iterator[Event]:
    """``events`` (sorted by step, steps unique, all below ``total_steps``) with ``filler(step)``
    yielded at every step in ``0..total_steps-1`` that no event takes, generated on demand."""
    step = 0
    for event in events:
        while step < event.step:
            yield filler(step)
            step += 1
        yield event
        step = event.step + 1
    while step < total_steps:
        yield filler(step)
        step += 1
