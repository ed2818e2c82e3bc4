"""Which episodes run behind the boundary, and which in the evaluator's process.

The rule: memgym's own memories and reasoners (registered by a module of the ``memgym`` package)
are trusted and run in process, for speed, unless the run forces the boundary (``isolate``);
anything else (a plugin, a factory registered from outside memgym) runs behind it
(``memgym.run.remote``). A reference memory (``oracle``) is the evaluator's own and always runs in
process: it is bound to the gold, which never crosses the boundary, so it can only be paired
with a trusted reasoner.
"""

from __future__ import annotations

from collections.abc import Sequence

from memgym.memory.reference import ReferenceMemory
from memgym.memory.registry import memory_factory, memory_module
from memgym.reasoners.base import reasoner_factory, reasoner_module
from memgym.specs import memgym_code, parse_spec
from memgym.tracks.base import Track


def trusted(module: str | None) -> bool:
    """Whether a factory registered by ``module`` is memgym's own (by its name)."""
    return module is not None and (module == "memgym" or module.startswith("memgym."))


def trusted_memory(name: str) -> bool:
    """Whether memory ``name`` is memgym's own: registered by a memgym module, with code from
    memgym's package (a factory that only claims a memgym module name is not)."""
    factory = memory_factory(name)
    return trusted(memory_module(name)) and factory is not None and memgym_code(factory)


def trusted_reasoner(name: str) -> bool:
    """Whether reasoner ``name`` is memgym's own (as ``trusted_memory``)."""
    factory = reasoner_factory(name)
    return trusted(reasoner_module(name)) and factory is not None and memgym_code(factory)


def reference(memory_spec: str, track: Track) -> bool:
    """Whether ``memory_spec`` names a reference memory (``oracle``), which runs in process."""
    from memgym.memory import make_memory
    from memgym.memory.registry import memory_factory

    name = parse_spec(memory_spec)[0]
    if not trusted_memory(name):
        return False
    factory = memory_factory(name)
    if isinstance(factory, type):  # a class answers without being built (no model loaded)
        return issubclass(factory, ReferenceMemory)
    return isinstance(make_memory(memory_spec, track), ReferenceMemory)


def in_process(memory_spec: str, reasoner_spec: str, track: Track, isolate: bool) -> bool:
    """Whether the pair runs in the evaluator's process (see the module's rule); a
    ``ValueError`` for a reference memory paired with a reasoner that is not memgym's."""
    memory_ok = trusted_memory(parse_spec(memory_spec)[0])
    reasoner_ok = trusted_reasoner(parse_spec(reasoner_spec)[0])
    if reference(memory_spec, track):
        if not reasoner_ok:
            from memgym.reasoners import reasoner_names

            name = parse_spec(reasoner_spec)[0]
            unknown = "" if reasoner_module(name) else f" (no reasoner {name!r} is known here)"
            raise ValueError(
                f"memory {memory_spec!r} is a reference bound to the gold and runs in the "
                f"evaluator: pair it with one of memgym's reasoners, not {reasoner_spec!r}"
                f"{unknown}; memgym's: {', '.join(reasoner_names())}"
            )
        return True
    return memory_ok and reasoner_ok and not isolate


def plugin_modules(specs: Sequence[str], plugins: Sequence[str]) -> tuple[str, ...]:
    """``plugins`` plus the modules outside memgym that registered any of ``specs`` in this
    process (a factory registered by an importable module of the caller's), each once."""
    found = list(plugins)
    for spec in specs:
        name = parse_spec(spec)[0]
        for module in (memory_module(name), reasoner_module(name)):
            if module is not None and not trusted(module) and module != "__main__":
                found.append(module)
    return tuple(dict.fromkeys(found))
