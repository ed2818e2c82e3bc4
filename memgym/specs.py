"""Spec text to typed options: ``"name:key=value,..."`` (memories, reasoners, agents) and the
values of ``--param KEY=VALUE``; light, so the CLI can parse without importing the registries.
``register_factory`` fills a registry and ``make_named`` makes what a spec names from it;
``seed_range`` reads the ``A-B`` seed ranges of the adversary scripts; ``in_process_label``
says whose code a component built in process is."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


TEXT_OPTIONS = frozenset({"model", "base_url", "api_key_env", "cache"})
"""Options that name something (a model, an endpoint, a variable, a file): always text, so a
model called ``123`` reaches the API as the string it is."""


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """Split ``"name:key=value,key=value"`` into the name and typed options (``TEXT_OPTIONS``
    stay text)."""
    name, _, rest = spec.partition(":")
    options: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, sep, raw = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"bad option {part!r} in spec {spec!r}: expected key=value")
        if key.strip() in options:  # the first value would be silently dropped
            raise ValueError(f"option {key.strip()!r} given twice in spec {spec!r}")
        key = key.strip()
        options[key] = raw.strip() if key in TEXT_OPTIONS else typed_value(raw.strip())
    return name.strip(), options


def typed_value(raw: str) -> Any:
    """``raw`` as an int, else a float, else True/False for ``true``/``false`` (any case), else
    the text itself."""
    for cast in (int, float):
        try:
            return cast(raw)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(raw.lower(), raw)


def seed_range(text: str) -> range:
    """The seeds ``"A-B"`` names, both ends included (``"A"``: seed A alone)."""
    low, _, high = text.partition("-")
    return range(int(low), int(high or low) + 1)


def register_factory(
    factories: dict[str, F], name: str, kind: str, named: bool = False
) -> Callable[[F], F]:
    """A decorator putting a factory (a class or function) into ``factories`` as ``name``; a
    ``ValueError`` when another factory has that name already (a plugin cannot replace one).
    ``named``: the factory (a class) also gets ``name`` as its ``name`` attribute."""

    def decorate(factory: F) -> F:
        if name in factories and factories[name] is not factory:
            raise ValueError(f"{kind} {name!r} is already registered")
        if named:
            factory.name = name  # type: ignore[attr-defined]
        factories[name] = factory
        return factory

    return decorate


def factory_module(factories: Mapping[str, Callable[..., Any]], name: str) -> str | None:
    """The module that registered ``name`` in ``factories`` (None when none did, in this
    process)."""
    factory = factories.get(name)
    return None if factory is None else factory.__module__


def make_named(
    spec: str, track: Any, factories: Mapping[str, Callable[..., T]], kind: str, kinds: str
) -> T:
    """The ``kind`` (memory, reasoner, agent) that ``spec`` names, made by its factory as
    ``factory(track, **options)``; a ``ValueError`` listing the known ``kinds`` for an unknown
    name, and one naming the ``kind`` for options its factory refuses."""
    name, options = parse_spec(spec)
    try:
        factory = factories[name]
    except KeyError:
        known = ", ".join(sorted(factories))
        raise ValueError(f"unknown {kind} {name!r}; known {kinds}: {known}") from None
    try:
        return factory(track, **options)
    except TypeError as exc:
        takes = option_names(factory)
        unknown = [k for k in options if takes is not None and k not in takes]
        if unknown:
            listed = ", ".join(takes or ()) or "no options"
            raise ValueError(
                f"bad options for {kind} {name!r}: no option {unknown[0]!r}; it takes {listed}"
            ) from None
        raise ValueError(f"bad options for {kind} {name!r}: {exc}") from None


IN_PROCESS = "in-process"
"""memgym's own code ran the episode in the evaluator's process."""
THIRD_PARTY = "in-process (third-party)"
"""Code from outside memgym's package ran in the evaluator's process (registered there by a
wrapper script or a library): never ranked beside the runs of the boundary."""
_PACKAGE = Path(__file__).resolve().parent


def memgym_code(obj: Any) -> bool:
    """Whether ``obj`` (a factory: a class or a function; or a component: judged by its class)
    is memgym's code, by the files its code was compiled from (not the module name it claims):
    a function's own file, or every function a class defines (when it defines none, both its
    module's file and the functions of its nearest base that defines some)."""
    target = (
        obj if isinstance(obj, type) or callable(obj) and hasattr(obj, "__code__") else type(obj)
    )
    if isinstance(target, type):
        files = _function_files(target)
        if not files:
            import sys

            files = [getattr(sys.modules.get(target.__module__), "__file__", None) or ""]
            files += next(filter(None, map(_function_files, target.__mro__[1:-1])), [])
    else:
        files = [target.__code__.co_filename]
    return all(f and Path(os.path.realpath(f)).is_relative_to(_PACKAGE) for f in files)


def _function_files(klass: type) -> list[str]:
    """The files of the functions ``klass`` itself defines."""
    return [f.__code__.co_filename for f in vars(klass).values() if hasattr(f, "__code__")]


def in_process_label(*code: Any) -> str:
    """``IN_PROCESS`` when every factory or component in ``code`` is memgym's (None: nothing
    registered, skipped), else ``THIRD_PARTY``."""
    return IN_PROCESS if all(memgym_code(c) for c in code if c is not None) else THIRD_PARTY


def option_names(factory: Callable[..., Any]) -> list[str] | None:
    """The options ``factory(track, **options)`` takes by name, in order; None when it takes
    any (``**options``) or has no readable signature."""
    import inspect

    try:
        params = list(inspect.signature(factory).parameters.values())[1:]  # the track first
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return None
    return [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
