"""Tools declared once: each ``Tool`` (name, description, typed ``Param``s) gives both the OpenAI
function schema a model sees and the validation of the calls it makes.

Validation is exactly the schema: an object with the required parameters, no others, each of its
declared JSON type (integers are never booleans) and within its bounds. Every bad call raises
``LLMModelError`` with a reason (``unknown_tool``, ``invalid_tool_json``, ``wrong_arguments``)
and a one-line message the model can act on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from memgym.llm.classify import LLMModelError

_JSON_TYPES: dict[type, str] = {str: "string", int: "integer"}


def _article(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"


@dataclass(frozen=True)
class Param:
    """One parameter: a string or an integer, required unless it has a default."""

    name: str
    kind: type
    description: str
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in _JSON_TYPES:
            raise ValueError(f"Param {self.name!r}: kind must be str or int, got {self.kind!r}")

    @property
    def required(self) -> bool:
        return self.default is None

    @property
    def json_type(self) -> str:
        return _JSON_TYPES[self.kind]

    def schema(self) -> dict[str, Any]:
        """This parameter's JSON Schema."""
        schema: dict[str, Any] = {"type": self.json_type, "description": self.description}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.default is not None:
            schema["default"] = self.default
        return schema

    def signature(self) -> str:
        """How the text protocol lists it, e.g. ``k?: integer 1..50``."""
        bounds = ""
        if self.minimum is not None or self.maximum is not None:
            low = "" if self.minimum is None else self.minimum
            high = "" if self.maximum is None else self.maximum
            bounds = f" {low}..{high}"
        return f"{self.name}{'' if self.required else '?'}: {self.json_type}{bounds}"

    def check(self, tool: str, value: Any) -> Any:
        """``value`` if it fits this parameter; else ``LLMModelError``."""
        fits = isinstance(value, self.kind) and not isinstance(value, bool)
        if not fits:
            shown = json.dumps(value)
            shown = shown if len(shown) <= 40 else shown[:40] + "..."
            raise LLMModelError(
                "wrong_arguments",
                f"argument {self.name!r} of {tool} must be {_article(self.json_type)} "
                f"{self.json_type}, got {shown}",
            )
        low, high = self.minimum, self.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"{'' if low is None else low}..{'' if high is None else high}"
            raise LLMModelError(
                "wrong_arguments",
                f"argument {self.name!r} of {tool} must be in {span}, got {value}",
            )
        return value


@dataclass(frozen=True)
class Tool:
    """A function a model may call."""

    name: str
    description: str
    params: tuple[Param, ...] = ()

    def schema(self) -> dict[str, Any]:
        """The OpenAI chat-completions ``tools`` entry."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": {
                    "type": "object",
                    "properties": {p.name: p.schema() for p in self.params},
                    "required": [p.name for p in self.params if p.required],
                    "additionalProperties": False,
                },
            },
        }

    def signature(self) -> str:
        """``name(param: type, ...)``, for prompts."""
        return f"{self.name}({', '.join(p.signature() for p in self.params)})"

    def arguments(self, raw: str | Mapping[str, Any]) -> dict[str, Any]:
        """The checked arguments (defaults filled in) of a call; ``LLMModelError`` if invalid."""
        if isinstance(raw, str):
            try:
                raw = json.loads(raw or "{}")
            except json.JSONDecodeError as exc:
                raise LLMModelError(
                    "invalid_tool_json", f"arguments of {self.name} are not JSON ({exc})"
                ) from None
        if not isinstance(raw, Mapping):
            raise LLMModelError("wrong_arguments", f"arguments of {self.name} must be an object")
        known = {p.name for p in self.params}
        extra = sorted(set(raw) - known)
        if extra:
            takes = ", ".join(sorted(known)) or "no arguments"
            raise LLMModelError(
                "wrong_arguments", f"{self.name} has no argument {extra[0]!r}; it takes {takes}"
            )
        args: dict[str, Any] = {}
        for param in self.params:
            if param.name in raw:
                args[param.name] = param.check(self.name, raw[param.name])
            elif param.required:
                raise LLMModelError(
                    "wrong_arguments",
                    f"{self.name} needs argument {param.name!r} ({param.json_type})",
                )
            else:
                args[param.name] = param.default
        return args


@dataclass(frozen=True)
class Call:
    """A validated call: the tool and its checked arguments."""

    tool: Tool
    args: dict[str, Any]


class Toolset:
    """The tools a model is offered for one task, by name."""

    def __init__(self, tools: Iterable[Tool]) -> None:
        self.tools = {t.name: t for t in tools}

    def schemas(self) -> list[dict[str, Any]]:
        """The ``tools`` list of a chat request."""
        return [t.schema() for t in self.tools.values()]

    def parse(self, name: str, arguments: str | Mapping[str, Any]) -> Call:
        """Validate a model's call; ``LLMModelError`` names what is wrong."""
        tool = self.tools.get(name)
        if tool is None:
            names = ", ".join(self.tools) or "none"
            raise LLMModelError("unknown_tool", f"no tool named {name!r}; the tools are {names}")
        return Call(tool, tool.arguments(arguments))

    def __contains__(self, name: object) -> bool:
        return name in self.tools


def call_error(exc: LLMModelError) -> str:
    """The tool result of an invalid call: what was wrong, and its reason."""
    return json.dumps({"error": str(exc), "reason": exc.reason})


def is_call_error(content: str) -> bool:
    """Whether a tool result says the call was invalid (so it never ran)."""
    try:
        body = json.loads(content)
    except json.JSONDecodeError:
        return True
    return isinstance(body, dict) and "reason" in body
