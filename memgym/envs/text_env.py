"""What memgym's Gymnasium environments share (needs the ``gym`` extra): text observation and
action spaces, the checks of ``make``'s arguments, a small cache of generated scenarios, the seed
each reset plays, and the last observation rendered as ANSI text."""

from __future__ import annotations

import string
from collections import OrderedDict
from typing import Any

try:
    import gymnasium
    from gymnasium import spaces
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "memgym's Gymnasium environment needs gymnasium: pip install -e '.[gym]'"
    ) from exc

from memgym.tracks import Track
from memgym.types import Scenario

MAX_OBSERVATION_CHARS = 1 << 20
MAX_ACTION_CHARS = 1 << 14


class AnyText(spaces.Text):
    """Text of any characters (``Text`` admits only its charset); samples printable ASCII."""

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length


def check_env_arguments(render_mode: str | None, seed: object) -> None:
    """What every memgym env checks first: a render mode it has and an integer seed."""
    if render_mode not in (None, "ansi"):
        raise ValueError(f"render_mode must be None or 'ansi', got {render_mode!r}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer, got {seed!r}")


class ScenarioCache:
    """The last ``size`` scenarios generated, by track, seed, tier and overrides (resets replay
    the same seeds often)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._hits: OrderedDict[tuple[Any, ...], Scenario] = OrderedDict()

    def get(self, track: Track, seed: int, tier: str | None, overrides: dict[str, Any]) -> Scenario:
        key = (track.name, seed, tier, tuple(sorted(overrides.items())))
        hit = self._hits.get(key)
        if hit is None:
            hit = self._hits[key] = track.generate(seed, tier, **overrides)
            if len(self._hits) > self.size:
                self._hits.popitem(last=False)
        return hit


class TextEnv(gymnasium.Env[str, str]):
    """A memgym env: text in, text out; ``make``'s seed plays first, then the env's generator
    draws each next scenario seed."""

    metadata = {"render_modes": ["ansi"], "render_fps": 4}  # noqa: RUF012  (Gymnasium's name)

    def _configure(
        self,
        track: Track,
        tier: str | None,
        seed: int,
        render_mode: str | None,
        overrides: dict[str, Any],
    ) -> None:
        """Keep ``make``'s arguments (a bad tier or parameter fails here, clearly)."""
        self.tier = tier
        self.overrides = overrides
        track.params(tier, **overrides)
        self.seed = seed
        self.render_mode = render_mode
        self.observation_space = AnyText(
            MAX_OBSERVATION_CHARS, min_length=0, charset=string.printable
        )
        self.action_space = AnyText(MAX_ACTION_CHARS, min_length=0, charset=string.printable)
        self.max_episode_steps = 0
        self._reset_once = False
        self._last = ""

    def _reset_generator(self, seed: int | None) -> int | None:
        """Gymnasium's reset of the generator; the first reset without a seed plays ``make``'s
        seed and seeds the generator with it. The seed this reset names (None: draw one)."""
        if seed is None and not self._reset_once:
            seed = self.seed
        super().reset(seed=seed)
        self._reset_once = True
        return seed

    def _scenario_seed(self, seed: int | None) -> int:
        """``seed``, or the next one the env's generator draws."""
        return seed if seed is not None else int(self.np_random.integers(2**31))

    def render(self) -> str | None:  # type: ignore[override]
        return self._last if self.render_mode == "ansi" else None
