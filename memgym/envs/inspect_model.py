"""``memgym-mock``: an offline stand-in model for Inspect AI (needs the ``inspect`` extra).

``inspect eval memgym/entities -T tier=lite --model memgym-mock/model`` runs the whole Inspect
pipeline (memgym's entry point, solver, scorer and log) with no network: every reply is the fixed
text ``reply`` (``-M reply=42``; default ``Answer: unknown``) and carries its token ``usage``,
counted with memgym's own counter. Inspect's ``mockllm/model`` does the same job from Python with
``custom_outputs``, but from the command line its outputs carry no usage and Inspect counts it with
tiktoken, which downloads its encoding file on first use (so it fails offline).
"""

from __future__ import annotations

from typing import Any

try:
    from inspect_ai.model import (
        ChatMessage,
        GenerateConfig,
        ModelAPI,
        ModelOutput,
        ModelUsage,
        modelapi,
    )
    from inspect_ai.tool import ToolChoice, ToolInfo
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "memgym's Inspect AI model needs inspect-ai: pip install -e '.[inspect]'"
    ) from exc

from memgym.tokens import count_tokens

DEFAULT_REPLY = "Answer: unknown"


class MockModel(ModelAPI):
    """Replies ``reply`` to every request, with no tool call, and reports its usage."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),  # noqa: B008  (Inspect's own signature)
        reply: str | float = DEFAULT_REPLY,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        if isinstance(reply, int | float) and not isinstance(reply, bool):
            reply = str(reply)  # -M reply=42 reaches here as a number (Inspect reads YAML)
        if not isinstance(reply, str) or not reply.strip():
            raise ValueError(
                f"memgym-mock: reply must be non-empty text, got {reply!r} (quote a reply "
                "holding ': ', e.g. -M \"reply='Answer: 42'\")"
            )
        self.reply = reply

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        output = ModelOutput.from_content(model=self.model_name, content=self.reply)
        prompt = sum(count_tokens(message.text) for message in input)
        completion = count_tokens(self.reply)
        output.usage = ModelUsage(
            input_tokens=prompt, output_tokens=completion, total_tokens=prompt + completion
        )
        return output

    async def count_text_tokens(self, text: str) -> int:
        return count_tokens(text)


@modelapi(name="memgym-mock")
def memgym_mock() -> type[ModelAPI]:
    """The ``memgym-mock`` model provider."""
    return MockModel
