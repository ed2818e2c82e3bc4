"""What the report names a model, a spec or a run's config by: never its endpoint or a path.

A report is for sharing: a model served from ``/home/me/models/SmolLM2.Q4_1.gguf`` at
``http://10.0.0.5:8090/v1`` is shown as ``SmolLM2.Q4_1.gguf``, and an ``llm`` spec without the
options that say where and how it was reached (``base_url``, ``api_key_env``, ``cache``), so the
scores keep the width of the page. The results file keeps every name whole."""

from __future__ import annotations

import re
from typing import Any

from memgym.labels import short_label

ENDPOINT_OPTIONS = ("base_url", "api_key_env", "cache")
"""Spec options that say where a model was reached, not what it is."""
_OPTION = re.compile(r"(?P<sep>[:,])\s*(?:" + "|".join(ENDPOINT_OPTIONS) + r")=[^,]*")
_URL = re.compile(r"\bhttps?://[^\s,\"']+")


def model_name(model: str) -> str:
    """A model by its name: a path cut to its file name."""
    return short_label(model)


def spec_shown(spec: str) -> str:
    """A memory, reasoner or agent spec without its endpoint options, paths cut to file names
    (and any other URL left in it replaced by ``(endpoint)``)."""
    kept = _OPTION.sub(lambda m: m["sep"] if m["sep"] == ":" else "", spec)
    kept = kept.replace(":,", ":").rstrip(":")
    return short_label(_URL.sub("(endpoint)", kept))


def without_model(spec: str) -> str:
    """``spec`` without its ``model`` option (for a column beside the model's own)."""
    kept = re.sub(
        r"(?P<sep>[:,])\s*model=[^,]*", lambda m: m["sep"] if m["sep"] == ":" else "", spec
    )
    return kept.replace(":,", ":").rstrip(":")


def scrubbed(value: Any) -> Any:
    """A run's config (JSON data) with every text in it shown as ``spec_shown`` shows it."""
    if isinstance(value, str):
        return spec_shown(value)
    if isinstance(value, list):
        return [scrubbed(v) for v in value]
    if isinstance(value, dict):
        return {k: scrubbed(v) for k, v in value.items() if k not in ENDPOINT_OPTIONS}
    return value
