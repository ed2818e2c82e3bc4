"""Is an answer right? One validator per answer type, chosen through a plain dict.

``is_correct`` first unwraps the answer (``memgym.scoring.normalize.unwrap``: no "The answer
is", no "Final answer:", no trailing period). Then, whatever the type, an answer is wrong when:

- it is not a string, or nothing is left after unwrapping;
- it contains the question's own text (an echo);
- the type is not ``abstain`` and the answer says unknown, cleanly or hedged (see
  ``memgym.scoring.abstention``), unless the gold itself reads that way.

Per type, with "numeral" as defined in ``memgym.scoring.normalize``:

- ``int``: exactly one numeral in the answer, equal to the gold exactly ("1,234 employees").
- ``float``: exactly one numeral, within tolerance (``within_tolerance``).
- ``text``: equal to the gold after ``normalize_text``. A gold that is a series of numbers
  ("1.5, 2, 3.25") is matched numeral by numeral instead, each within tolerance.
- ``set``: the answer split on commas, semicolons, newlines and the word "and" (bullets and
  numbering dropped) equals the gold items as a set, after ``normalize_text``. A gold item that
  itself contains a separator ("Smith and Sons") is kept whole. An empty gold set is matched by
  "none", "nothing", "no one", "nobody", "empty" or "empty set".
- ``name_value``: gold like "Vantor Labs (45.2)" or "falling (-3.5)". The answer's value part is
  its trailing parenthesis when that holds a numeral, otherwise everything from its last
  numeral on; the rest, less a trailing connector (",", ":", "with", "$", ...), is its name.
  The name must equal the gold's after ``normalize_text`` and the value part must hold exactly
  one numeral within tolerance of the gold's (signs count: "falling (3.5)" is wrong for -3.5).
- ``abstain``: the answer is a clean abstention (``is_abstention``).

An answer that fails its validator as written is also read as a sentence
(``memgym.scoring.reading``), the same way for every type: each side of a copula whose other side
only restates the question is validated in its place; for ``int`` and ``float``, numerals the
question states do not count; for ``text``, stating the gold and no other candidate name of the
scenario (``names``; names the question mentions excepted), and no alternative of any kind (a
list is not an answer), is right.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal

from memgym.claims import format_number, parse_series
from memgym.scoring.abstention import is_abstention, says_unknown
from memgym.scoring.normalize import normalize_text, number_spans, numbers, unwrap
from memgym.scoring.reading import Names, one_new_number, readings, states_only
from memgym.types import AnswerType, GoldQuestion

REL_FLOOR = 1e-9
"""The smallest relative tolerance used, whatever ``question.tolerance`` says."""
ABS_FLOOR = 0.005 + 1e-12
"""Absolute tolerance: half a unit in the last canonical decimal (values are written with at
most two decimals), so a canonically rounded gold is always accepted, gold 0 included."""
EMPTY_SET_ANSWERS = frozenset({"none", "nothing", "no one", "nobody", "empty", "empty set"})

Validator = Callable[[GoldQuestion, str], bool]

_SEPARATOR = re.compile(r"[,;]|\band\b")
_BULLET = re.compile(r"^(?:\d+[.)]|[-\u2022])\s+")
_PAREN_TAIL = re.compile(r"^(?P<name>.*?)\s*\((?P<value>[^()]*)\)$", re.DOTALL)
_CONNECTOR_TAIL = re.compile(
    r"(?:\s+(?:with|at|has|had|is|was|by|of)|[\s,:;=$\u20ac\u00a3\-\u2013\u2014])+$",
    re.IGNORECASE,
)


def within_tolerance(value: float, gold: float, tolerance: float) -> bool:
    """|value - gold| <= max(rel * |gold|, ABS_FLOOR), rel = max(tolerance, REL_FLOOR)."""
    if not (math.isfinite(value) and math.isfinite(gold)):
        return False
    rel = tolerance if math.isfinite(tolerance) and tolerance > REL_FLOOR else REL_FLOOR
    return abs(value - gold) <= max(rel * abs(gold), ABS_FLOOR)


def _gold_number(gold: object) -> Decimal | None:
    """The gold as one exact number, or None when it is not one."""
    if isinstance(gold, bool):
        return None
    if isinstance(gold, int):
        return Decimal(gold)
    if isinstance(gold, float):
        return Decimal(gold) if math.isfinite(gold) else None
    if isinstance(gold, str):
        found = numbers(unwrap(gold))
        return found[0] if len(found) == 1 else None
    return None


def _gold_text(gold: object) -> str:
    """Any gold as text (for the echo and says-unknown guards)."""
    if isinstance(gold, list):
        return ", ".join(g if isinstance(g, str) else format_number(g) for g in gold)
    return "" if gold is None else str(gold)


def _one_number(text: str) -> Decimal | None:
    found = numbers(text)
    return found[0] if len(found) == 1 else None


def _int(question: GoldQuestion, text: str) -> bool:
    gold, given = _gold_number(question.answer), _one_number(text)
    return gold is not None and given is not None and given == gold


def _float(question: GoldQuestion, text: str) -> bool:
    gold, given = _gold_number(question.answer), _one_number(text)
    if gold is None or given is None:
        return False
    return within_tolerance(float(given), float(gold), question.tolerance)


def _series(gold: object) -> list[float] | None:
    """The gold as a series of numbers, or None when it is not one."""
    if isinstance(gold, list) and gold:
        if all(isinstance(g, (int, float)) and not isinstance(g, bool) for g in gold):
            return [float(g) for g in gold]
        return None
    return parse_series(gold) if isinstance(gold, str) else None


def _text(question: GoldQuestion, text: str) -> bool:
    series = _series(question.answer)
    if series is not None:
        given = numbers(text)
        return len(given) == len(series) and all(
            within_tolerance(float(a), g, question.tolerance)
            for a, g in zip(given, series, strict=True)
        )
    if not isinstance(question.answer, str):
        return False
    gold = normalize_text(question.answer)
    return bool(gold) and normalize_text(text) == gold


def _set_items(text: str, keep_whole: list[str]) -> set[str]:
    """Normalised items of a list answer; ``keep_whole`` items are never split."""
    flat = normalize_text(text.replace("\n", " ; "))
    for i, item in enumerate(keep_whole):
        flat = flat.replace(item, f"\x00{i}\x00")
    items = set()
    for piece in _SEPARATOR.split(flat):
        for i, item in enumerate(keep_whole):
            piece = piece.replace(f"\x00{i}\x00", item)
        item = normalize_text(_BULLET.sub("", normalize_text(piece)))
        if item:
            items.add(item)
    return items


def _gold_items(gold: object) -> set[str] | None:
    if isinstance(gold, str):
        return _set_items(gold, [])
    if not isinstance(gold, list):
        return None
    items = {normalize_text(g if isinstance(g, str) else format_number(g)) for g in gold}
    return {item for item in items if item}


def _set(question: GoldQuestion, text: str) -> bool:
    gold = _gold_items(question.answer)
    if gold is None:
        return False
    if not gold:
        return normalize_text(text) in EMPTY_SET_ANSWERS
    keep_whole = sorted((g for g in gold if _SEPARATOR.search(g)), key=len, reverse=True)
    return _set_items(text, keep_whole) == gold


def split_name_value(text: str) -> tuple[str, str] | None:
    """(name, value part) of a "name (value)" answer, or None when it holds no numeral."""
    m = _PAREN_TAIL.match(text)
    if m is not None and numbers(m["value"]):
        return m["name"], m["value"]
    spans = number_spans(text)
    if not spans:
        return None
    start = spans[-1][0]
    return _CONNECTOR_TAIL.sub("", text[:start]), text[start:]


def _name_value(question: GoldQuestion, text: str) -> bool:
    if not isinstance(question.answer, str):
        return False
    gold = split_name_value(unwrap(question.answer))
    gold_value = None if gold is None else _one_number(gold[1])
    if gold is None or gold_value is None:
        return normalize_text(text) == normalize_text(question.answer)
    given = split_name_value(text)
    given_value = None if given is None else _one_number(given[1])
    if given is None or given_value is None:
        return False
    return normalize_text(given[0]) == normalize_text(gold[0]) and within_tolerance(
        float(given_value), float(gold_value), question.tolerance
    )


def _abstain(question: GoldQuestion, text: str) -> bool:
    return is_abstention(text)


VALIDATORS: dict[AnswerType, Validator] = {
    "int": _int,
    "float": _float,
    "text": _text,
    "set": _set,
    "name_value": _name_value,
    "abstain": _abstain,
}
"""The validator for each answer type."""


def _echoes(question: GoldQuestion, text: str) -> bool:
    """Whether the answer repeats the question's text (and the gold does not)."""
    asked = normalize_text(question.text)
    gold = normalize_text(_gold_text(question.answer))
    return bool(asked) and asked in normalize_text(text) and asked not in gold


def _refuses(question: GoldQuestion, text: str) -> bool:
    """Whether a non-abstain answer says unknown where the gold does not."""
    if question.answer_type == "abstain" or not says_unknown(normalize_text(text)):
        return False
    return not says_unknown(normalize_text(_gold_text(question.answer)))


def _reads_right(question: GoldQuestion, text: str, names: Names | None) -> bool:
    """Whether ``text``, read as a sentence (``memgym.scoring.reading``), answers ``question``."""
    validator = VALIDATORS[question.answer_type]
    if any(validator(question, reading) for reading in readings(question, text)):
        return True
    kind, gold = question.answer_type, question.answer
    if kind in ("int", "float") and len(numbers(text)) > 1:
        value = one_new_number(question, text)
        return value is not None and validator(question, str(value))
    if kind == "text" and isinstance(gold, str) and names is not None and _series(gold) is None:
        return states_only(question, text, gold, names)
    return False


def is_correct(question: GoldQuestion, answer: str, names: Names | None = None) -> bool:
    """Whether ``answer`` answers ``question``; malformed input is wrong, never an error.
    ``names``: the scenario's candidate names (``memgym.scoring.reading.answer_names``), for
    reading a name stated in a sentence."""
    if not isinstance(question, GoldQuestion) or not isinstance(answer, str):
        return False
    validator = VALIDATORS.get(question.answer_type)
    try:
        text = unwrap(answer)
        if validator is None or not text or _echoes(question, text):
            return False
        if _refuses(question, text):
            return False
        return validator(question, text) or _reads_right(question, text, names)
    except (ArithmeticError, TypeError, ValueError):
        return False
