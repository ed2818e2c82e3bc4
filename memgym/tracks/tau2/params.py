"""The tau2 track's parameters: tiers, defaults and validation naming the bad parameter."""

from __future__ import annotations

from typing import Any

from memgym.tracks.checks import check_int, tier_params
from memgym.tracks.tau2.loader import DOMAINS

TIERS: dict[str, dict[str, Any]] = {
    # Every tier is a shift: its scored tasks are callbacks of memory-sensitive tasks (their
    # details given only in an earlier call); the tasks served in one call are reported apart.
    # lite: the mock domain (5 of its 8 tasks are memory-sensitive), 3 customers, 2 call back.
    "lite": {"domain": "mock", "customers": 3, "callbacks": 2, "gap": 1},
    # standard: airline and retail, 4 customers, 2 call back 2 calls later.
    "standard": {"domain": "airline+retail", "customers": 4, "callbacks": 2, "gap": 2},
    # long: 8 customers, 4 call back 3 calls later.
    "long": {"domain": "airline+retail", "customers": 8, "callbacks": 4, "gap": 3},
}
DEFAULT_TIER = "lite"
DEFAULTS: dict[str, Any] = {
    "domain": "airline",
    "customers": 1,
    "callbacks": 0,
    "gap": 3,
    "user": "scripted",
    "trial": 0,
    "rename": 1,
}
"""``domain``: one of airline, retail, telecom (its small split), mock, or several joined by
``+`` (seed ``s`` serves the ``s % n``-th); ``customers``: tasks served in one session;
``callbacks``: how many of them are memory-sensitive tasks served in two calls, ``gap`` calls
apart (the scored tasks; at most the domain's memory-sensitive tasks, none in telecom); ``user``: the
customer, ``scripted`` (deterministic, no model) or ``llm:model=M[,base_url=U][,api_key_env=E]``
(τ²-bench's user simulator on any OpenAI-compatible endpoint); ``trial``: the trial number of a
pass^k run (same tasks and order; only the episode's identity changes); ``rename``: 1 serves
airline and retail in a world renamed per seed (``rename``: a prior from τ²-bench's public
tasks cannot hit), 0 in τ²-bench's own (the control that shows the prior hitting)."""


def resolve(tier: str | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """The full parameter set of ``tier`` with ``overrides`` applied and checked."""
    params = tier_params(tier, overrides, TIERS, DEFAULTS, DEFAULT_TIER)
    domains(params["domain"])
    check_int("customers", params["customers"], 1, 200)
    if "callbacks" not in overrides:  # the tier's callbacks, as many as the customers allow
        params["callbacks"] = min(params["callbacks"], params["customers"] - 1)
    check_int("callbacks", params["callbacks"], 0, params["customers"] - 1)
    check_int("gap", params["gap"], 1, 200)
    check_int("trial", params["trial"], 0, 1000)
    check_int("rename", params["rename"], 0, 1)
    user = params["user"]
    if not isinstance(user, str) or not (user == "scripted" or user.startswith("llm:model=")):
        raise ValueError(f"user must be scripted or llm:model=NAME[,base_url=URL], got {user!r}")
    return params


def domains(value: Any) -> list[str]:
    """The domains named by the ``domain`` parameter, checked."""
    names = [d.strip() for d in str(value).split("+")] if isinstance(value, str) else []
    if not names or any(d not in DOMAINS for d in names):
        raise ValueError(
            f"domain must be one or more of {', '.join(DOMAINS)} joined by +, got {value!r}"
        )
    return names
