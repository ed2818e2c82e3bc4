"""The model flags of ``run`` and ``compare`` (``--max-tokens``, ``--timeout``, ``--context-window``,
``--slots``, ``--cache``, ``--max-turns``, ``--tools``): each becomes the same option of every spec in the run that calls a
model, so the LLM writer's and summariser's calls are covered as well as the reasoner's, whether
it came from ``--model`` or ``--reasoner llm:...`` (on an interactive track: the ``llm`` agent)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from memgym.specs import parse_spec

FLAGS = {
    "max_tokens": "completion limit per model call",
    "timeout": "seconds per HTTP request to the model (default 60)",
    "context_window": "the model's context window in tokens: prompts are fitted to it",
    "slots": "pin each model conversation to one of the server's N slots (llama.cpp -np N)",
    "cache": "SQLite call cache: a rerun replays every answered call without HTTP",
    "max_turns": "model turns per question (llm, default 12), per event (agentic-llm, "
    "default 8) or per task (the llm agent of an interactive track, default 30); a question "
    "still unanswered after them is no_answer",
    "tools": "how tools reach the model: native (the API's tool calls, the default) or text "
    "(described in the prompt, answered as CALL lines) for servers without tool calling, such "
    "as memgym train serve",
}
TOOL_AGENT_OPTIONS = frozenset(FLAGS)
SUMMARIZER_OPTIONS = frozenset({"timeout", "cache"})


def add_model_args(p: argparse.ArgumentParser) -> None:
    """The model flags, each applied to every model-calling spec of the command."""
    p.add_argument("--max-tokens", type=int, help=FLAGS["max_tokens"])
    p.add_argument("--timeout", type=float, help=FLAGS["timeout"])
    p.add_argument("--context-window", type=int, help=FLAGS["context_window"])
    p.add_argument("--slots", type=int, help=FLAGS["slots"])
    p.add_argument("--cache", help=FLAGS["cache"])
    p.add_argument("--max-turns", type=int, help=FLAGS["max_turns"])
    p.add_argument("--tools", choices=("native", "text"), help=FLAGS["tools"])


def add_shorthand_args(p: argparse.ArgumentParser) -> None:
    """``--model``, ``--base-url`` and ``--api-key-env``: the ``llm`` reasoner in three flags."""
    p.add_argument(
        "--model", help="model name: shorthand for --reasoner llm:model=NAME (with --base-url)"
    )
    p.add_argument(
        "--base-url",
        help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 (default: $OPENAI_BASE_URL,"
        " else the public OpenAI API)",
    )
    p.add_argument(
        "--api-key-env",
        help="environment variable holding the API key (default OPENAI_API_KEY)",
    )


def shorthand(args: argparse.Namespace, reasoner: str | None) -> str | None:
    """The reasoner spec ``--model``/``--base-url``/``--api-key-env`` stand for, else
    ``reasoner`` (``--reasoner``; given both is a ``ValueError``)."""
    if not (args.model or args.base_url or args.api_key_env):
        return reasoner
    if reasoner:
        raise ValueError("give either --reasoner or --model/--base-url/--api-key-env, not both")
    if not args.model:
        raise ValueError("--base-url and --api-key-env need --model")
    options = [f"model={args.model}"]
    options += [f"base_url={args.base_url}"] if args.base_url else []
    options += [f"api_key_env={args.api_key_env}"] if args.api_key_env else []
    return "llm:" + ",".join(options)


def given(args: argparse.Namespace) -> dict[str, Any]:
    """The model flags given on the command line, by spec option name."""
    options = {name: getattr(args, name, None) for name in FLAGS}
    for name in ("max_tokens", "context_window", "slots", "max_turns"):
        value = options[name]
        if value is not None and value < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    if options["timeout"] is not None and options["timeout"] <= 0:
        raise ValueError(f"--timeout must be positive, got {options['timeout']}")
    return {k: v for k, v in options.items() if v is not None}


def accepted(spec: str) -> frozenset[str]:
    """The model flags the component named by ``spec`` takes (none if it calls no model)."""
    name, options = parse_spec(spec)
    if name in ("llm", "agentic-llm"):
        return TOOL_AGENT_OPTIONS
    if name == "summary" and options.get("summarizer") == "llm":
        return SUMMARIZER_OPTIONS
    return frozenset()


def with_options(spec: str, options: dict[str, Any]) -> str:
    """``spec`` with the ``options`` it takes appended; one that it sets already to another value
    is a ``ValueError`` (the flag would be silently ignored otherwise)."""
    takes = accepted(spec)
    _, present = parse_spec(spec)
    extra = []
    for key, value in options.items():
        if key not in takes:
            continue
        if key in present:
            if str(present[key]) != str(value):
                flag = "--" + key.replace("_", "-")
                raise ValueError(f"{flag} {value} contradicts {key}={present[key]} in {spec!r}")
            continue
        extra.append(f"{key}={value}")
    if not extra:
        return spec
    return spec + ("," if ":" in spec else ":") + ",".join(extra)


def apply(specs: Sequence[str], options: dict[str, Any]) -> list[str]:
    """Every spec with the model flags it takes; a flag that no spec takes is a ``ValueError``."""
    if not options:
        return list(specs)
    taken = set().union(*(accepted(s) for s in specs)) if specs else set()
    unused = [k for k in options if k not in taken]
    if unused:
        flags = ", ".join("--" + k.replace("_", "-") for k in unused)
        raise ValueError(f"{flags} needs a model (--model, --reasoner llm:..., an LLM memory)")
    return [with_options(s, options) for s in specs]
