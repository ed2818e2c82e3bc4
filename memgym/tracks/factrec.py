"""``FactRec``: a fact while a generator builds its scenario (the codeqa and dialogue tracks)."""

from __future__ import annotations

from memgym.claims import format_value
from memgym.types import Value


class FactRec:
    """A fact while the scenario is being built (id and step come when it is written out)."""

    __slots__ = ("attribute", "entity", "id", "step", "text", "value")

    def __init__(self, entity: str, attribute: str, value: Value) -> None:
        self.entity = entity
        self.attribute = attribute
        self.value = value
        self.text: str
        if type(value) is str:
            self.text = value
        elif type(value) is int:  # format_value's text of an int, inlined
            self.text = str(value)
        else:
            self.text = format_value(value)
        self.id = ""
        self.step = -1
