"""The LLM reasoner: asks any OpenAI-compatible chat endpoint, through ``memgym.llm``.

The view's messages go out as they are (a ``tool`` message of the view as ``user``), then one user
message with the question. When the view holds a store, the model gets the answer tools
(``memory_search``, ``memory_read``, ``submit_answer``; see ``memgym.memory.tools``),
natively or, with ``tools=text``, described in the prompt and written as ``CALL`` lines. It may
call them for up to ``max_turns`` turns; a bad call is answered with an error the model can
correct, and counted. The answer is the ``submit_answer`` argument or, failing that, the final
reply's last ``Answer:`` line (or the whole reply when it is one line).

Every request also carries two headers that models never see: ``X-Memgym-Track`` and
``X-Memgym-Spec`` (the question's structured spec as JSON, never its answer). Real endpoints ignore
them; ``memgym serve`` reads them to reply as the scripted reasoner would.
"""

from __future__ import annotations

import json
import re
from typing import Any

from memgym.llm.agent import ToolAgent
from memgym.llm.classify import LLMModelError
from memgym.llm.headers import SPEC_HEADER, TRACK_HEADER
from memgym.llm.tools import Call
from memgym.memory.store import Store
from memgym.memory.tools import ANSWER_TOOLS, SEARCH, SUBMIT, execute
from memgym.reasoners.base import Reasoner, register_reasoner
from memgym.tracks.base import Track
from memgym.types import Question, View

QUESTION_PROMPT = (
    "Question: {question}\n\n{tool_hint}Answer with the value alone, written as the records "
    "write it. If your memory does not hold the answer, answer unknown. {finish}"
)
TOOL_HINT = f"Your memory store is searchable with the {SEARCH.name} tool; use it first.\n"
FINISH_LINE = "End your reply with a line of the form 'Answer: <answer>'."
FINISH_TOOL = f"Give it with the {SUBMIT.name} tool."
_ANSWER_LINE = re.compile(r"^\s*answer\s*:\s*(.*?)\s*$", re.IGNORECASE | re.MULTILINE)


def render(
    question: Question, view: View, tools: bool, tool_text: str = ""
) -> list[dict[str, Any]]:
    """The chat messages for ``question`` over ``view`` (``tool_text``: the text-mode tool list)."""
    messages: list[dict[str, Any]] = [
        {"role": "user" if m.role == "tool" else m.role, "content": m.content}
        for m in view.messages
    ]
    prompt = QUESTION_PROMPT.format(
        question=question.text,
        tool_hint=TOOL_HINT if tools else "",
        finish=FINISH_TOOL if tools else FINISH_LINE,
    )
    if tool_text:
        prompt = f"{tool_text}\n\n{prompt}"
    messages.append({"role": "user", "content": prompt})
    return messages


def extract_answer(content: str | None, finish_reason: str | None) -> str:
    """The answer in a final reply; ``LLMModelError`` when it is cut off, empty or unparsable."""
    text = (content or "").strip()
    if finish_reason == "length":
        raise LLMModelError("truncated", f"reply cut off at the token limit: {text[-80:]!r}")
    if not text:
        raise LLMModelError("empty_answer", "the reply holds no answer")
    lines = _ANSWER_LINE.findall(text)
    if lines and lines[-1]:
        return lines[-1]
    if "\n" not in text:
        return text
    raise LLMModelError("unparsable_answer", f"no 'Answer:' line in {text[:120]!r}")


@register_reasoner("llm")
class LLMReasoner(Reasoner):
    """Answers through a chat model, searching the view's store with tools when there is one.

    Options: those of ``memgym.llm.agent.ToolAgent`` (``model``, ``base_url``, ``tools`` =
    native|text, ``max_turns``, ``timeout``, ``max_retries``, ``backoff``, ``cache``, ...).
    """

    name = "llm"

    def __init__(self, track: Track, model: str = "memgym-scripted", **options: Any) -> None:
        self.track_name = track.name
        self.agent = ToolAgent(model, **options)

    @property
    def model(self) -> str:
        return self.agent.model

    @property
    def max_turns(self) -> int:
        return self.agent.max_turns

    @property
    def client(self) -> Any:
        """The agent's ``SyncLLMClient``."""
        return self.agent.client

    @property
    def tool_errors(self) -> int:
        """Bad tool calls the model made so far."""
        return self.agent.tool_errors

    def answer(self, question: Question, view: View) -> str:
        store = view.store if isinstance(view.store, Store) else None
        toolset = ANSWER_TOOLS if store is not None else None
        messages = render(question, view, store is not None, self.agent.prompt(toolset))
        headers = {
            TRACK_HEADER: self.track_name,
            SPEC_HEADER: json.dumps(question.spec, sort_keys=True, separators=(",", ":")),
        }
        submitted: list[str] = []

        def handle(call: Call) -> tuple[str, bool]:
            if call.tool is SUBMIT:
                answer = call.args["answer"].strip()
                if not answer:
                    raise LLMModelError("empty_answer", "submit_answer needs a non-empty answer")
                submitted.append(answer)
                return json.dumps({"submitted": answer}), True
            assert store is not None  # tools are offered only with a store
            return execute(store, call)

        prompt = len(messages) - 1  # the view before it gives way first to a declared window
        for _ in range(self.agent.max_turns):
            reply, calls = self.agent.ask(messages, toolset, headers, prompt)
            if not calls:
                return extract_answer(reply.content, reply.finish_reason)
            assert toolset is not None
            results = self.agent.run(toolset, calls, handle)
            if submitted:
                return submitted[0]
            self.agent.feed(messages, reply, calls, results)
        raise LLMModelError("no_answer", f"no final answer within {self.agent.max_turns} turns")

    def usage(self) -> dict[str, float]:
        return self.agent.usage()

    def close(self) -> None:
        """Close the client's connections and cache."""
        self.agent.close()

    def config(self) -> str:
        return f"llm:{self.agent.spec()}"
