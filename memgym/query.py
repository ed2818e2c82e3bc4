"""memgym's structured query language and its one evaluator.

A question's ``spec`` is a small dict. The same ``evaluate`` answers it over any ``Table``: the
generator builds the table from the world's facts to compute gold answers, and the scripted
reasoner builds it from the claims it can read in its view. An answer is canonical text, or
``ABSTAIN`` when the table cannot answer.

Ops (``where`` is a list of ``[attribute, op, value]`` with op one of ``==``, ``>``, ``<``):

- ``{"op": "value", "entity", "attribute"}``: the current value.
- ``{"op": "previous", "entity", "attribute"}``: the value before the last change.
- ``{"op": "delta", "entity", "attribute"}``: current minus previous.
- ``{"op": "aggregate", "fn": "sum"|"mean"|"count", "attribute", "where"}``.
- ``{"op": "compare", "entities": [a, b], "attribute", "direction": "max"|"min"}``:
  ``"name (value)"`` of the winner (the value makes a coin-flip guess worthless).
- ``{"op": "argmax", "attribute", "where", "direction"}``: ``"name (value)"``.
- ``{"op": "hop", "entity", "relation", "attribute"}``: the attribute of the related entity.
- ``{"op": "count", "where"}``: how many entities satisfy every condition.
- ``{"op": "trend", "entity", "attribute"}``: ``"rising (d)"``, ``"falling (d)"`` or
  ``"mixed (d)"`` for a series, with d = last minus first.
- ``{"op": "select", "entity", "where", "match"}``: the one row among those meeting ``where``
  that meets every ``[attribute, op, wanted]`` of ``match`` (op ``==``, ``<=`` or ``>=``) against
  ``entity``'s current value of attribute ``wanted``; unknown unless exactly one row does.
- ``{"op": "path", "from", "to", "relation"}``: the shortest chain of ``relation`` links from
  ``from`` to ``to`` as ``"a -> b -> c"``; a link value may list several names (``"b, c"``).
- ``{"op": "chain", "entity", "relations": [r1, r2, ...], "attribute"?}``: follow ``r1`` from
  ``entity``, then ``r2`` from where it leads, ...; the final entity's ``attribute``, or its name
  when the spec has no ``attribute``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from memgym.claims import Claim, format_number, parse_number, parse_series

ABSTAIN = "unknown"


@dataclass(slots=True)
class Cell:
    """The latest value of one attribute and the value it replaced, as canonical text."""

    value: str
    previous: str | None = None


class Table:
    """entity -> attribute -> Cell, filled in stream order (later claims win)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Cell]] = {}

    def add(self, claim: Claim) -> None:
        """Record one claim; an unlabeled change keeps the old value as ``previous``."""
        row = self.rows.setdefault(claim.entity, {})
        cell = row.get(claim.attribute)
        if claim.previous is not None:
            row[claim.attribute] = Cell(claim.value, claim.previous)
        elif cell is None:
            row[claim.attribute] = Cell(claim.value)
        elif cell.value != claim.value:
            row[claim.attribute] = Cell(claim.value, cell.value)

    @classmethod
    def from_claims(cls, claims: Iterable[Claim]) -> Table:
        table = cls()
        for claim in claims:
            table.add(claim)
        return table

    def get(self, entity: str, attribute: str) -> Cell | None:
        return self.rows.get(entity, {}).get(attribute)

    def merge(self, fragment: Fragment) -> None:
        """``add`` every claim of ``fragment`` in order: an entity new to this table takes the
        fragment's folded row whole (a dict copy), a known one gets its claims one by one."""
        rows = self.rows
        for entity, row in fragment.rows.items():
            if entity in rows:
                for claim in fragment.claims[entity]:
                    self.add(claim)
            else:
                rows[entity] = dict(row)


@dataclass(frozen=True, slots=True)
class Fragment:
    """The claims of one text folded into a table of their own, to merge into many tables
    (``Table.merge``) without adding them claim by claim each time."""

    rows: dict[str, dict[str, Cell]]
    claims: dict[str, tuple[Claim, ...]]
    """entity -> its claims in text order."""

    @classmethod
    def of(cls, claims: Iterable[Claim]) -> Fragment:
        table = Table()
        by_entity: dict[str, list[Claim]] = {}
        for claim in claims:
            table.add(claim)
            by_entity.setdefault(claim.entity, []).append(claim)
        return cls(table.rows, {e: tuple(c) for e, c in by_entity.items()})


def _number(cell: Cell | None) -> float | None:
    return None if cell is None else parse_number(cell.value)


def _matches(row: dict[str, Cell], where: list[list[Any]]) -> bool | None:
    """True/False when decidable from the row, None when an attribute is missing."""
    for attribute, op, target in where:
        cell = row.get(attribute)
        if cell is None:
            return None
        if op == "==":
            if cell.value != str(target):
                return False
            continue
        x = parse_number(cell.value)
        if x is None:
            return None
        if (op == ">" and not x > float(target)) or (op == "<" and not x < float(target)):
            return False
    return True


def _selected(table: Table, where: list[list[Any]]) -> list[str]:
    return [e for e, row in table.rows.items() if _matches(row, where)]


def _fmt(x: float, integral: bool) -> str:
    return format_number(round(x)) if integral else format_number(x)


def _is_integral(texts: Iterable[str]) -> bool:
    return all("." not in t for t in texts)


def evaluate(spec: dict[str, Any], table: Table) -> str:
    """Answer ``spec`` from ``table`` as canonical text, or ``ABSTAIN``."""
    op = spec["op"]
    if op == "value":
        cell = table.get(spec["entity"], spec["attribute"])
        return ABSTAIN if cell is None else cell.value
    if op == "previous":
        cell = table.get(spec["entity"], spec["attribute"])
        return ABSTAIN if cell is None or cell.previous is None else cell.previous
    if op == "delta":
        cell = table.get(spec["entity"], spec["attribute"])
        if cell is None or cell.previous is None:
            return ABSTAIN
        now, before = parse_number(cell.value), parse_number(cell.previous)
        if now is None or before is None:
            return ABSTAIN
        return _fmt(now - before, _is_integral([cell.value, cell.previous]))
    if op == "aggregate":
        names = _selected(table, spec["where"])
        if spec["fn"] == "count":
            return str(len(names))
        cells = [table.get(n, spec["attribute"]) for n in names]
        values = [_number(c) for c in cells]
        if not names or any(v is None for v in values):
            return ABSTAIN
        nums = [v for v in values if v is not None]
        integral = _is_integral(c.value for c in cells if c is not None)
        if spec["fn"] == "sum":
            return _fmt(sum(nums), integral)
        return format_number(sum(nums) / len(nums))
    if op == "compare":
        values = [_number(table.get(e, spec["attribute"])) for e in spec["entities"]]
        if any(v is None for v in values):
            return ABSTAIN
        pairs = list(zip(values, spec["entities"]))
        _, name = max(pairs) if spec["direction"] == "max" else min(pairs)
        cell = table.get(name, spec["attribute"])
        return f"{name} ({cell.value if cell else ABSTAIN})"
    if op == "argmax":
        names = _selected(table, spec["where"])
        scored = [(_number(table.get(n, spec["attribute"])), n) for n in names]
        scored_ok = [(v, n) for v, n in scored if v is not None]
        if not scored_ok:
            return ABSTAIN
        v, n = max(scored_ok) if spec["direction"] == "max" else min(scored_ok)
        cell = table.get(n, spec["attribute"])
        return f"{n} ({cell.value if cell else format_number(v)})"
    if op == "hop":
        link = table.get(spec["entity"], spec["relation"])
        if link is None:
            return ABSTAIN
        cell = table.get(link.value, spec["attribute"])
        return ABSTAIN if cell is None else cell.value
    if op == "count":
        return str(len(_selected(table, spec["where"])))
    if op == "trend":
        cell = table.get(spec["entity"], spec["attribute"])
        series = None if cell is None else parse_series(cell.value)
        if cell is None or not series:
            return ABSTAIN
        steps = [b - a for a, b in pairwise(series)]
        change = _fmt(series[-1] - series[0], _is_integral(cell.value.split(",")))
        if all(s > 0 for s in steps):
            return f"rising ({change})"
        if all(s < 0 for s in steps):
            return f"falling ({change})"
        return f"mixed ({change})"
    if op == "path":
        return _path(table, spec["from"], spec["to"], spec["relation"])
    if op == "select":
        return _select(table, spec)
    if op == "chain":
        return _chain(table, spec)
    raise ValueError(f"unknown query op {op!r}")


PATH_SEPARATOR = " -> "


def links(table: Table, entity: str, relation: str) -> list[str]:
    """The names ``entity``'s ``relation`` cell lists (comma-separated), in order."""
    cell = table.get(entity, relation)
    return [] if cell is None else [n.strip() for n in cell.value.split(",") if n.strip()]


def _path(table: Table, start: str, goal: str, relation: str) -> str:
    """Breadth-first shortest chain of ``relation`` links from ``start`` to ``goal``."""
    parent: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier and goal not in parent:
        nxt = []
        for name in frontier:
            for other in links(table, name, relation):
                if other not in parent:
                    parent[other] = name
                    nxt.append(other)
        frontier = nxt
    if goal not in parent or goal == start:
        return ABSTAIN
    chain: list[str] = []
    node: str | None = goal
    while node is not None:
        chain.append(node)
        node = parent[node]
    return PATH_SEPARATOR.join(reversed(chain))


def _chain(table: Table, spec: dict[str, Any]) -> str:
    """The ``chain`` op: where ``relations`` lead from ``entity`` (its attribute, or its name)."""
    entity = spec["entity"]
    for relation in spec["relations"]:
        link = table.get(entity, relation)
        if link is None:
            return ABSTAIN
        entity = link.value
    if "attribute" not in spec:
        return entity
    cell = table.get(entity, spec["attribute"])
    return ABSTAIN if cell is None else cell.value


def _meets(cell: Cell | None, op: str, wanted: str) -> bool:
    """One ``select`` rule: ``cell`` compared with the wanted value (numbers for ``<=``/``>=``)."""
    if cell is None:
        return False
    if op == "==":
        return cell.value == wanted
    have, limit = parse_number(cell.value), parse_number(wanted)
    if have is None or limit is None:
        return False
    return have <= limit if op == "<=" else have >= limit


def _select(table: Table, spec: dict[str, Any]) -> str:
    """The ``select`` op: the single candidate meeting ``entity``'s current wishes, or ABSTAIN."""
    wishes = table.rows.get(spec["entity"], {})
    rules = []
    for attribute, op, wanted in spec["match"]:
        cell = wishes.get(wanted)
        if cell is None:
            return ABSTAIN
        rules.append((attribute, op, cell.value))
    fits = [
        name
        for name in _selected(table, spec["where"])
        if all(_meets(table.get(name, a), op, v) for a, op, v in rules)
    ]
    return fits[0] if len(fits) == 1 else ABSTAIN


def entities_named(spec: dict[str, Any]) -> list[str]:
    """The entity names a spec mentions directly (what a reader would search for first)."""
    names = [spec[k] for k in ("entity",) if k in spec]
    names.extend(spec[k] for k in ("from",) if k in spec)
    names.extend(spec.get("entities", []))
    return names


def filter_terms(spec: dict[str, Any]) -> list[str]:
    """The text values of ``==`` conditions (search terms for set questions)."""
    return [str(v) for _, op, v in spec.get("where", []) if op == "=="]
