"""Gymnasium ids for every registered track and tier: ``memgym/<track>-<tier>-v0``.

The ids come from the track registry, so a new track appears without touching this file.
``register_envs`` (run by ``memgym.make``) makes them known to ``gymnasium.make`` as well;
``register_with_gymnasium`` (run by ``import memgym``) does so at once if gymnasium is imported,
else right after gymnasium's own import, so ``gymnasium.make`` finds them in either import order
without ``import memgym`` paying for importing gymnasium.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import warnings
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

ENV_VERSION = 0
ENTRY_POINT = "memgym.envs.gym_env:MemgymEnv"
SESSION_ENTRY_POINT = "memgym.envs.session_env:SessionEnv"


def _gymnasium() -> Any:
    try:
        import gymnasium
    except ImportError:
        raise ImportError(
            "memgym's Gymnasium environments need gymnasium: pip install -e '.[gym]'"
        ) from None
    return gymnasium


def env_id(track: str, tier: str) -> str:
    """The Gymnasium id of ``track`` at ``tier``."""
    return f"memgym/{track}-{tier}-v{ENV_VERSION}"


def env_specs() -> dict[str, tuple[str, str]]:
    """Every id -> (track, tier) of the question-stream tracks (interactive tracks are agent
    sessions, not event streams), in registry order."""
    from memgym.tracks import get_track, stream_track_names

    return {
        env_id(name, tier): (name, tier)
        for name in stream_track_names()
        for tier in get_track(name).tiers
    }


def session_env_specs() -> dict[str, tuple[str, str]]:
    """Every id -> (track, tier) of the interactive tracks (tau2, swe, web: agent sessions,
    served by ``memgym.envs.session_env.SessionEnv``), in registry order."""
    from memgym.tracks import get_track, track_names

    tracks = [get_track(name) for name in track_names()]
    return {
        env_id(t.name, tier): (t.name, tier) for t in tracks if t.interactive for tier in t.tiers
    }


def env_ids() -> list[str]:
    """Every registered memgym environment id: the question streams', then the sessions'."""
    return [*env_specs(), *session_env_specs()]


def register_envs() -> list[str]:
    """Register every id with Gymnasium (idempotent; picks up tracks registered since)."""
    gymnasium = _gymnasium()
    registry = gymnasium.envs.registration.registry
    ids = []
    sessions = session_env_specs()
    for name, (track, tier) in {**env_specs(), **sessions}.items():
        if name not in registry:
            gymnasium.register(
                id=name,
                entry_point=SESSION_ENTRY_POINT if name in sessions else ENTRY_POINT,
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


class _AfterGymnasium(importlib.abc.MetaPathFinder):
    """Finds nothing itself: when ``gymnasium`` is first imported, it lets the usual finders
    find it and wraps the loader so memgym's ids are registered once the module has run."""

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != "gymnasium":
            return None
        _remove_hook()
        spec = importlib.util.find_spec(fullname)
        loader = None if spec is None else spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            try:
                register_envs()
            except Exception as exc:  # noqa: BLE001 (never break gymnasium's import over memgym's ids)
                warnings.warn(f"memgym could not register its Gymnasium ids: {exc}", stacklevel=2)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _remove_hook() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _AfterGymnasium)]


def register_with_gymnasium() -> None:
    """Register the ids now if gymnasium is imported, else right after it is (idempotent)."""
    if "gymnasium" in sys.modules:
        register_envs()
    elif not any(isinstance(f, _AfterGymnasium) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterGymnasium())
