"""Building pydantic models from already-valid values without paying for validation, and the
facts of a world being built, which get their ids and steps when an event first states them.

Generation makes about a thousand facts per standard scenario, all correct by construction. On
pydantic 2.x ``Model.model_construct`` costs more per object than validation itself (it walks
every field's defaults and aliases), so ``construct`` fills the instance the way
``model_construct`` does, minus that walk. A self-check at import compares it with
``model_construct``; if a pydantic release ever changes the instance layout, ``construct``
falls back to ``model_construct`` instead of building broken objects.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Any, Protocol, TypeVar, cast

from pydantic import BaseModel

from memgym.types import AnswerType, Axis, Event, Fact, GoldQuestion, QuestionKind, Value

M = TypeVar("M", bound=BaseModel)
_SLOTS = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
"""The instance slots ``model_construct`` fills (pydantic 2.x ``BaseModel.__slots__``)."""


def _setter(name: str) -> Callable[[Any, Any], None]:
    """The slot's own descriptor setter (a quarter cheaper per call than ``object.__setattr__``);
    ``object.__setattr__`` if ``BaseModel`` no longer declares the slot itself."""
    descriptor = BaseModel.__dict__.get(name)
    setter = getattr(descriptor, "__set__", None)
    if setter is None:
        return lambda obj, value: object.__setattr__(obj, name, value)
    return cast(Callable[[Any, Any], None], setter)


_set_dict, _set_fields_set, _set_extra, _set_private = map(_setter, _SLOTS)

_ALL_FIELDS: dict[type, set[str]] = {}
"""Per model class, the set of all its field names, shared by the instances built here (every
field is always set, so assigning one later leaves the set unchanged)."""


def _direct(cls: type[M], values: dict[str, Any]) -> M:
    fields_set = _ALL_FIELDS.get(cls)
    if fields_set is None:
        fields_set = _ALL_FIELDS[cls] = set(cls.model_fields)
    obj = cls.__new__(cls)
    _set_dict(obj, values)
    _set_fields_set(obj, fields_set)
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


def _fallback(cls: type[M], values: dict[str, Any]) -> M:
    return cls.model_construct(**values)


def _works() -> bool:
    sample: dict[str, Any] = {"id": "f0", "entity": "A", "attribute": "x", "value": 1.5, "step": 0}
    try:
        built, reference = _direct(Fact, dict(sample)), Fact.model_construct(**sample)
        return (
            built == reference
            and built.model_dump() == reference.model_dump()
            and built.model_dump_json() == reference.model_dump_json()
            and built.model_fields_set == reference.model_fields_set
        )
    except Exception:  # noqa: BLE001 - any failure means: do not use the direct path
        return False


_DIRECT = _works()
construct = _direct if _DIRECT else _fallback
"""``construct(Model, values)``: a model instance holding ``values`` (all fields, valid)."""


def builder(cls: type[M]) -> Callable[[dict[str, Any]], M]:
    """``construct`` for one model class, with the class's lookups bound once: for the loops
    that build a thousand facts per scenario. ``values`` becomes the instance's own dict."""
    if not _DIRECT:
        return lambda values: cls.model_construct(**values)
    fields_set = set(cls.model_fields)
    new = cls.__new__
    set_dict, set_fields_set, set_extra, set_private = (
        _set_dict,
        _set_fields_set,
        _set_extra,
        _set_private,
    )

    def build(values: dict[str, Any]) -> M:
        obj = new(cls)
        set_dict(obj, values)
        set_fields_set(obj, fields_set)
        set_extra(obj, None)
        set_private(obj, None)
        return obj

    return build


build_fact = builder(Fact)
"""``build_fact(values)``: a ``Fact`` holding ``values`` (a dict in field order)."""
_build_event = builder(Event)


def build_event(
    step: int, kind: str, text: str, facts: list[str], question: GoldQuestion | None = None
) -> Event:
    """An ``Event`` built without validation (its values are valid by construction)."""
    return _build_event(
        {"step": step, "kind": kind, "text": text, "facts": facts, "question": question}
    )


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


class QuestionDraft(Protocol):
    """What a track's question draft holds by the time it is placed: the public question, its
    gold and the facts that prove it (each with its id by then)."""

    @property
    def kind(self) -> QuestionKind: ...
    @property
    def text(self) -> str: ...
    @property
    def spec(self) -> dict[str, Any]: ...
    @property
    def gold(self) -> Any: ...
    @property
    def answer_type(self) -> AnswerType: ...
    @property
    def evidence(self) -> Sequence[_HasId]: ...


_build_question = builder(GoldQuestion)


def gold_question(draft: QuestionDraft, number: int, axis: Axis, tolerance: float) -> GoldQuestion:
    """Question ``q{number}`` of a scenario from its draft (valid by construction: built without
    validation); every evidence fact must have its id, i.e. be stated before the question."""
    evidence = [fact.id for fact in draft.evidence]
    assert all(evidence), "evidence must appear before its question"
    return _build_question(
        {
            "id": f"q{number}",
            "kind": draft.kind,
            "axis": axis,
            "text": draft.text,
            "spec": draft.spec,
            "answer": draft.gold,
            "answer_type": draft.answer_type,
            "tolerance": tolerance,
            "evidence": evidence,
        }
    )


_FACT_FIELDS = set(Fact.model_fields)


def build_facts(rows: list[dict[str, Any]]) -> list[Fact]:
    """``build_fact`` over many dicts at once: each slot of every new object is set in one
    ``map`` over them (the descriptor setters called from C, no Python frame per fact)."""
    if not _DIRECT:
        return [Fact.model_construct(**values) for values in rows]
    n = len(rows)
    facts = list(map(Fact.__new__, repeat(Fact, n)))
    deque(map(_set_dict, facts, rows), 0)
    deque(map(_set_fields_set, facts, repeat(_FACT_FIELDS, n)), 0)
    deque(map(_set_extra, facts, repeat(None, n)), 0)
    deque(map(_set_private, facts, repeat(None, n)), 0)
    return facts


def new_fact(entity: str, attribute: str, value: Value) -> Fact:
    """A fact of a world being built: id ``""`` and step ``-1`` until an event states it."""
    return build_fact(
        {"id": "", "entity": entity, "attribute": attribute, "value": value, "step": -1}
    )


def state(stated: list[Fact], facts: list[Fact], step: int) -> list[str]:
    """The ids of the facts an event at ``step`` states. A fact stated for the first time gets
    the next id (``f0``, ``f1``, ... in stream order) and this step, and is appended to
    ``facts``. Set in place although ``Fact`` is frozen: the fact belongs to the scenario being
    assembled, which nothing has seen (or hashed) yet; the values are known valid, and the dict
    keeps its field order, which serialisation follows."""
    ids = []
    n = len(facts)
    names = _fact_ids(n + len(stated))
    for fact in stated:
        values = fact.__dict__
        fid = values["id"]
        if not fid:
            values["id"] = fid = names[n]
            values["step"] = step
            facts.append(fact)
            n += 1
        ids.append(fid)
    return ids


_FACT_IDS: tuple[str, ...] = ()
"""``f0``, ``f1``, ...: fact ids made once per process, shared by every scenario."""


def _fact_ids(count: int) -> tuple[str, ...]:
    """At least ``count`` fact ids (replaced whole when too short: threads may share it)."""
    global _FACT_IDS
    ids = _FACT_IDS
    if len(ids) < count:
        ids = _FACT_IDS = tuple(f"f{i}" for i in range(count + 1024))
    return ids
