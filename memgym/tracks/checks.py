"""Parameter checks shared by every track's ``params.resolve``: one clear ``ValueError`` each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    """``value`` if it is an integer (not a bool) in ``low..high`` (no upper bound for None)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")  # noqa: TRY004 - the Track contract
    if value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return value


def check_choice(name: str, value: Any, options: tuple[str, ...]) -> str:
    """``value`` if it is one of ``options``."""
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(options)}, got {value!r}")
    return value


def tier_params(
    tier: str | None,
    overrides: Mapping[str, Any],
    tiers: Mapping[str, Mapping[str, Any]],
    defaults: Mapping[str, Any],
    default_tier: str,
) -> dict[str, Any]:
    """``defaults`` under ``tier``'s values under ``overrides`` (``default_tier`` for None); an
    unknown tier or parameter is a ``ValueError`` naming the known ones. Values are not checked
    here: each track's ``resolve`` checks its own."""
    name = default_tier if tier is None else tier
    if name not in tiers:
        raise ValueError(f"unknown tier {name!r}; known: {', '.join(tiers)}")
    unknown = [key for key in overrides if key not in defaults]
    if unknown:
        raise ValueError(f"unknown parameter {unknown[0]!r}; known: {', '.join(defaults)}")
    return {**defaults, **tiers[name], **overrides}


def shortened(
    own: Mapping[str, Any],
    params: Mapping[str, Any],
    overrides: Mapping[str, Any],
    content: tuple[str, ...],
    limit: int,
) -> bool:
    """Whether a stream is shorter than its tier's own length (``own``: the tier's values, whose
    length is at most ``limit``: the tiers that grew) with none of ``content`` set: such a
    stream keeps the tier's former, smaller content so that it still fits (issue #66)."""
    target = params["target_tokens"]
    if not isinstance(target, int) or not target < own["target_tokens"] <= limit:
        return False
    return not any(key in overrides for key in content)


def grown_content(
    own: Mapping[str, Any],
    overrides: Mapping[str, Any],
    steps: Sequence[Mapping[str, Any]],
    content: tuple[str, ...],
) -> dict[str, Any]:
    """The content counts of a stream longer than its tier's own length (``own``: the tier's
    values): when ``overrides`` set a ``target_tokens`` above ``own``'s but none of ``content``,
    the ``content`` values of the longest of ``steps`` whose ``target_tokens`` fits in it (each
    value never below the tier's own); else nothing. A tier's own content padded with filler to
    many times its length is told apart from the filler by a learned selector, and a fixed
    token budget then holds much of the content (issue #66)."""
    target = overrides.get("target_tokens")
    if not isinstance(target, int) or isinstance(target, bool) or target <= own["target_tokens"]:
        return {}
    if any(key in overrides for key in content):
        return {}
    fitting = [step for step in steps if step["target_tokens"] <= target]
    if not fitting:
        return {}
    longest = max(fitting, key=lambda step: step["target_tokens"])
    return {key: max(own[key], longest[key]) for key in content}
