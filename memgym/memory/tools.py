"""The memory tools, declared once (``memgym.llm.tools``), and their execution on a ``Store``.

A writer gets ``WRITE_TOOLS`` (write, edit, delete, search, read); a reasoner at a question gets
``ANSWER_TOOLS`` (search, read, submit_answer). Every result is JSON text: the operation's outcome,
``{"error": ...}`` when the store refused it (the store is then unchanged), or
``{"error": ..., "reason": ...}`` when the call itself was invalid and never ran. The format is
shared with ``memgym serve``, which reads search hits and outcomes back from the conversation.
"""

from __future__ import annotations

import json
from typing import Any

from memgym.llm.tools import Call, Param, Tool, Toolset
from memgym.memory.store import Entry, Store

DEFAULT_K = 5
MAX_K = 50

_ID = Param("id", int, "an entry id that memory_write or memory_search returned", minimum=1)

WRITE = Tool(
    "memory_write",
    "Add a new entry to your memory store. Uses one write of your budget (deleting never gives "
    'it back). Returns {"id": ..., "tokens": ...}.',
    (Param("text", str, "the content to keep, e.g. one record's latest values"),),
)
EDIT = Tool(
    "memory_edit",
    "Replace the text of an entry. Uses no write, but the new text must fit the token limits.",
    (_ID, Param("text", str, "the entry's new full text")),
)
DELETE = Tool("memory_delete", "Delete an entry, freeing its tokens (not its write).", (_ID,))
SEARCH = Tool(
    "memory_search",
    "Search your memory store. Returns up to k entries holding any word of the query, best "
    'first: {"hits": [{"id": ..., "text": ...}]}.',
    (
        Param("query", str, "words to look for, e.g. a name"),
        Param("k", int, "how many entries at most", default=DEFAULT_K, minimum=1, maximum=MAX_K),
    ),
)
READ = Tool("memory_read", "Read one entry by id.", (_ID,))
SUBMIT = Tool(
    "submit_answer",
    "Give your final answer to the question; this ends your turn.",
    (Param("answer", str, "the value alone, as the records write it, or unknown"),),
)

WRITE_TOOLS = Toolset([WRITE, EDIT, DELETE, SEARCH, READ])
ANSWER_TOOLS = Toolset([SEARCH, READ, SUBMIT])


def execute(store: Store, call: Call) -> tuple[str, bool]:
    """Run a valid store call; the JSON result and whether the store carried it out."""
    args, name = call.args, call.tool.name
    if name == WRITE.name:
        result = store.write(args["text"])
    elif name == EDIT.name:
        result = store.edit(args["id"], args["text"])
    elif name == DELETE.name:
        result = store.delete(args["id"])
    elif name == SEARCH.name:
        result = store.search(args["query"], k=args["k"])
    elif name == READ.name:
        result = store.read(args["id"])
    else:
        raise ValueError(f"{name} is not a store tool")
    if not result.ok:
        return json.dumps({"error": result.error or f"{name} refused"}), False
    body: dict[str, Any]
    if name == SEARCH.name:
        body = {"hits": [{"id": e.id, "text": e.text} for e in result.hits]}
    elif name == READ.name and result.entry is not None:
        body = {"id": result.entry.id, "text": result.entry.text}
    elif name == DELETE.name and result.entry is not None:
        body = {"deleted": result.entry.id}
    else:
        assert result.entry is not None  # a successful write or edit returns its entry
        body = {"id": result.entry.id, "tokens": result.entry.tokens}
        limit = store.budget.max_writes
        if name == WRITE.name and limit is not None:
            body["writes_left"] = limit - store.writes_used
    return json.dumps(body), True


def parse_hits(content: str) -> list[Entry] | None:
    """The entries of a search result's JSON text; None when it is an error or not a result."""
    try:
        body = json.loads(content)
        return [Entry(int(h["id"]), str(h["text"]), 0) for h in body["hits"]]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
