"""Gymnasium ids for every registered track and tier: ``memgym/<track>-<tier>-v0``.

The ids come from the track registry, so a new track appears without touching this file.
``register_envs`` (run by ``memgym.make``, by importing ``memgym.envs``, and by ``import memgym``
when gymnasium is already imported) makes them known to ``gymnasium.make`` as well.
"""

from __future__ import annotations

from typing import Any

ENV_VERSION = 0
ENTRY_POINT = "memgym.envs.gym_env:MemgymEnv"


def _gymnasium() -> Any:
    try:
        import gymnasium
    except ImportError:
        raise ImportError(
            "memgym's Gymnasium environments need gymnasium: pip install 'memgym[gym]'"
        ) from None
    return gymnasium


def env_id(track: str, tier: str) -> str:
    """The Gymnasium id of ``track`` at ``tier``."""
    return f"memgym/{track}-{tier}-v{ENV_VERSION}"


def env_specs() -> dict[str, tuple[str, str]]:
    """Every id -> (track, tier), in registry order."""
    from memgym.tracks import get_track, track_names

    return {
        env_id(name, tier): (name, tier) for name in track_names() for tier in get_track(name).tiers
    }


def env_ids() -> list[str]:
    """Every registered memgym environment id."""
    return list(env_specs())


def register_envs() -> list[str]:
    """Register every id with Gymnasium (idempotent; picks up tracks registered since)."""
    gymnasium = _gymnasium()
    registry = gymnasium.envs.registration.registry
    ids = []
    for name, (track, tier) in env_specs().items():
        if name not in registry:
            gymnasium.register(
                id=name,
                entry_point=ENTRY_POINT,
                kwargs={"track": track, "tier": tier},
                nondeterministic=False,
            )
        ids.append(name)
    return ids


def make(env: str, **kwargs: Any) -> Any:
    """``gymnasium.make`` for a memgym id, e.g. ``make("memgym/entities-standard-v0", seed=3)``."""
    ids = register_envs()
    if env not in ids:
        raise ValueError(f"unknown memgym environment {env!r}; known: {', '.join(ids)}")
    return _gymnasium().make(env, **kwargs)
