"""The web track's exploring cheat, ``web-explore``: it remembers nothing and, when an errand
needs what it no longer sees, pages through the list again from page 1 until it does (the app
logs every list page shown, and the verifier fails a remembering errand that opened one)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from memgym.interactive.cheats import Trick
from memgym.tracks.agent import register_agent
from memgym.tracks.session import ChatMessage, ToolCall, call

_PAGE = re.compile(r"url: #/list/(\d+)\n.*?page \d+ of (\d+)", re.DOTALL)


@register_agent("web-explore")
class ExploreAgent(Trick):
    """Opens the next list page while a step's needs are out of view."""

    name = "web-explore"

    def trick(
        self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]
    ) -> ToolCall | None:
        last = next((m for m in reversed(messages) if m.get("role") in ("tool", "user")), {})
        shown = _PAGE.search(str(last.get("content", ""))) if last.get("role") == "tool" else None
        page, total = (int(shown[1]), int(shown[2])) if shown else (0, 1)
        if page >= total:
            return None
        return call("explore", "goto", url=f"#/list/{page + 1}")
