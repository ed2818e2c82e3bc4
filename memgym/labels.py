"""Short row labels for terminal tables and the report: a policy's name, or a memory with its
key option (``window 2000``, ``agentic strategic``), and a reasoner by its model. The full specs stay in
``--json`` and the results file; labels only need to tell the rows of one table apart, so a
label that would clash with another's gets more of its options until none does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_FILE_PATH = re.compile(r"(?<![^\s,=])(?:~|\.{1,2})?/(?:[^,\s/]+/)*(?P<file>[^,\s/]+)")
"""A file path (``/models/m.gguf``, ``./m.gguf``, ``~/m.gguf``) standing alone or after ``=``."""


def short_label(text: str) -> str:
    """``text`` with every file path in it (a GGUF model's, say) cut to its file name, for tables;
    results files and ``--json`` keep the full name."""
    return _FILE_PATH.sub(lambda m: m["file"], text)


KEY_OPTIONS = ("policy", "max_tokens", "k", "keep", "stages", "budget", "max_writes", "model")
"""A spec's options in the order they name it best: the first one present is its key option."""


def _parse(spec: str) -> tuple[str, dict[str, Any]]:
    from memgym.specs import parse_spec

    try:
        return parse_spec(spec)
    except ValueError:
        return spec, {}


def _value(value: Any) -> str:
    return short_label(str(value).rstrip("/"))


def spec_label(spec: str, detail: int = 1) -> str:
    """``spec`` shortened: its name and the values of its first ``detail`` options (key options
    first, then the rest in the order written); the whole spec once ``detail`` exceeds them."""
    name, options = _parse(spec)
    ordered = [k for k in KEY_OPTIONS if k in options]
    ordered += [k for k in options if k not in ordered]
    if detail > len(ordered):
        return spec
    return " ".join([name, *(_value(options[k]) for k in ordered[:detail])])


def reasoner_label(spec: str) -> str:
    """A reasoner by its model when it has one (``llm:model=gpt-x,...`` -> ``gpt-x``), else by
    its name."""
    name, options = _parse(spec)
    model = options.get("model")
    return short_label(str(model)) if model else name


def distinct(specs: Sequence[str], short: Any = spec_label) -> dict[str, str]:
    """A label per spec, each as short as possible while no two specs share one."""
    labels: dict[str, str] = {}
    unique = list(dict.fromkeys(specs))
    for spec in unique:
        for detail in range(1, 64):
            label = short(spec, detail)
            clash = any(other != spec and short(other, detail) == label for other in unique)
            if not clash or label == spec:
                break
        labels[spec] = label
    return labels


def pair_labels(
    pairs: Sequence[tuple[str, str]], policies: Mapping[tuple[str, str], str] | None = None
) -> tuple[dict[tuple[str, str], str], str | None]:
    """A distinct label per (memory, reasoner) pair, and the reasoner they all share (None when
    they differ; then each label names its reasoner too). A pair run as a named policy is
    labelled by the policy's name."""
    policies = policies or {}
    unique = list(dict.fromkeys(pairs))
    reasoners = {r for _, r in unique}
    shared = reasoners.pop() if len(reasoners) == 1 else None
    memories = distinct([m for m, _ in unique])
    models = distinct([r for _, r in unique], lambda s, d: reasoner_label(s) if d <= 1 else s)
    labels: dict[tuple[str, str], str] = {}
    for memory, reasoner in unique:
        named = policies.get((memory, reasoner))
        if named:
            labels[(memory, reasoner)] = named
        elif shared is not None:
            labels[(memory, reasoner)] = memories[memory]
        else:
            labels[(memory, reasoner)] = f"{memories[memory]} / {models[reasoner]}"
    if len(set(labels.values())) < len(labels):  # two policies named alike: say everything
        labels = {p: f"{p[0]} / {p[1]}" for p in unique}
    return labels, shared
