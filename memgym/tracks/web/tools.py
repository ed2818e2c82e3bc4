"""The web track's tools: click, type and navigate by role and accessible name. Every result is
the page as the browser then shows it (its accessibility tree), or an error the agent can act on
followed by the page as it stands."""

from __future__ import annotations

from typing import Any

from memgym.tracks.session import ToolCall
from memgym.tracks.web.browser import Browser, BrowserError


def _tool(tool: str, description: str, **properties: str) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": tool,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": {
                    k: {"type": "string", "description": v} for k, v in properties.items()
                },
                "required": list(properties),
            },
        },
    }


TOOLS = [
    _tool("goto", "Open a page of the app by its url, e.g. #/list/3 or #/item/O-12345.",
          url="the url, starting with #/"),
    _tool("click", "Click an element of the current page, found by its role and exact name.",
          role="its role as the page shows it: link or button", name="its exact name"),
    _tool("type_text", "Replace the text of a textbox of the current page.",
          name="the textbox's exact name", text="the text to type"),
]  # fmt: skip
NAMES = tuple(t["function"]["name"] for t in TOOLS)


def carry_out(browser: Browser, call: ToolCall) -> str:
    """The result text of ``call`` in ``browser`` (``InfraError`` only when the browser broke)."""
    if call.name not in NAMES:
        return f"error: unknown tool {call.name!r}; tools: {', '.join(NAMES)}"
    try:
        args = call.parsed()
        text = {k: str(args.get(k, "")).strip() for k in ("url", "role", "name", "text")}
        if call.name == "goto":
            url = text["url"].removeprefix("/")
            if not url.startswith("#/"):
                raise BrowserError(f"url must start with #/ (e.g. #/list/1), got {text['url']!r}")
            browser.goto(url)
        elif call.name == "click":
            browser.click(text["role"] or "link", text["name"])
        else:
            browser.type(text["name"], str(args.get("text", "")))
    except (ValueError, BrowserError) as exc:
        return f"error: {exc}\n{browser.observe()}"
    return browser.observe()
