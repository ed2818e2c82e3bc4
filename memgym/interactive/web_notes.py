"""The web track's world-notes cheat, ``web-notes`` (issue #67): it remembers nothing and uses
the app itself as its memory. When a review's own steps are done (a review is not scored), it
reads the whole list and writes the list's table into the note of every record off the pages
it just reviewed; in a note errand the destination record's own note then shows the value the
errand asks for, and the ``context`` probe copies it.

Stateless as every agent: what it has gathered so far travels in an extra argument of its own
tool calls (``carry``, which the tools ignore), visible in the next view even under ``none``.
Each turn asks for up to 64 calls and goes on from the first the session refused (its cap:
4). Two reviews of a session write in opposite orders, so that together they reach more
records. The session's forgetting (the records put back after every errand) stops it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from memgym.interactive.cheats import Trick
from memgym.tracks.agent import register_agent
from memgym.tracks.session import AgentTurn, ChatMessage, ToolCall

CALLS = 64
"""Tool calls it asks for a turn; the session carries out its cap's worth (4), the view shows
which were refused and the next turn goes on from the first of them."""
REFUSED = "error: not carried out"
_PAGE = re.compile(r"url: #/list/(\d+)\n.*?page \d+ of (\d+)", re.DOTALL)
_ROW = re.compile(r'link "([^"]+)"\n\s*- text: ([^\n]*)')
_REVIEW = re.compile(r"review pages (\d+) to (\d+)")


def _last_turn(messages: Sequence[ChatMessage]) -> tuple[dict[str, Any], list[str]]:
    """The carry of the last assistant turn (``{}``: none) and the tool results after it."""
    results: list[str] = []
    for m in reversed(messages):
        if m.get("role") == "tool":
            results.insert(0, str(m.get("content", "")))
            continue
        if m.get("role") == "assistant" and m.get("tool_calls"):
            first = (m["tool_calls"][0].get("function") or {}).get("arguments") or "{}"
            try:
                carried = json.loads(first).get("carry")
            except (ValueError, AttributeError):
                carried = None
            return (carried if isinstance(carried, dict) else {}), results
        break
    return {}, results


@register_agent("web-notes")
class WebNotesAgent(Trick):
    """Writes the whole list's table into every record's note during each review."""

    name = "web-notes"

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        if not self._cursor.pending():
            calls = self._harvest(messages)
            if calls:
                return AgentTurn(tool_calls=calls)
        return super().act(messages, tools)

    def _harvest(self, messages: Sequence[ChatMessage]) -> tuple[ToolCall, ...]:
        carry, results = _last_turn(messages)
        carried = [r for r in results if not r.startswith(REFUSED)]
        if not carry:  # a review's last step just showed a list page: begin
            pages = [m for r in results if (m := _PAGE.search(r))]
            if not pages:
                return ()
            opening = str(messages[1].get("content", "")) if len(messages) > 1 else ""
            head = _REVIEW.search(opening)
            last, total = int(pages[-1][1]), int(pages[-1][2])
            low, high = (int(head[1]), int(head[2])) if head else (last, last)
            first = last - (high - low)  # every review covers as many pages as the first
            forward = last == high  # the session's first review (its text is pinned)
            carry = {"rows": [], "next": 1, "total": total, "own": [first, last],
                     "forward": forward, "done": 0}  # fmt: skip
            return self._read(carry)
        if carry["next"]:  # the pages this turn's calls showed, up to the first refused one
            for r in carried:
                shown = _PAGE.search(r)
                if shown:
                    carry["rows"] += [[int(shown[1]), rid, _short(text)]
                                      for rid, text in _ROW.findall(r)]  # fmt: skip
            carry["next"] += len(carried)
            return self._read(carry)
        carry["done"] += len(carried)
        return self._write(carry)

    def _read(self, carry: dict[str, Any]) -> tuple[ToolCall, ...]:
        start, total = int(carry["next"]), int(carry["total"])
        if start > total:
            carry["next"] = 0
            return self._write(carry)
        pages = range(start, min(total, start + CALLS - 1) + 1)
        return tuple(
            _call(f"read{p}", "goto", carry if i == 0 else None, {"url": f"#/list/{p}"})
            for i, p in enumerate(pages)
        )

    def _write(self, carry: dict[str, Any]) -> tuple[ToolCall, ...]:
        low, high = carry["own"]
        targets = [rid for page, rid, _ in carry["rows"] if not low <= page <= high]
        if not carry["forward"]:
            targets.reverse()
        table = "; ".join(text for _, _, text in carry["rows"])
        steps: list[tuple[str, dict[str, str]]] = []
        for rid in targets:
            steps += [("goto", {"url": f"#/item/{rid}"}), ("type_text", {"name": "Note",
                      "text": table}), ("click", {"role": "button", "name": "Save note"})]  # fmt: skip
        done = int(carry["done"])
        return tuple(
            _call(f"note{done + i}", tool, carry if i == 0 else None, args)
            for i, (tool, args) in enumerate(steps[done : done + CALLS])
        )


def _short(text: str) -> str:
    """A list row without its person and status: title, date and value."""
    parts = text.split(" · ")
    return " ".join([parts[0], *parts[2:4]]) if len(parts) >= 4 else text


def _call(id_: str, tool: str, carry: dict[str, Any] | None, args: dict[str, str]) -> ToolCall:
    payload: dict[str, Any] = dict(args)
    if carry is not None:
        payload["carry"] = carry
    return ToolCall(id_, tool, json.dumps(payload))
