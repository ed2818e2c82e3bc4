"""The ``pipeline`` memory: context strategies composed, each stage shrinking what the last kept.

Spec: ``pipeline:stages=mask(keep=3)+window(max_tokens=2000)``. Stages are joined by ``+`` and
run in that order after every observation; a stage's options go in parentheses, separated by
``;`` (commas would split the pipeline's own options). Any context memory (``full``, ``window``,
``mask``, ``summary``, or another pipeline) can be a stage.
"""

from __future__ import annotations

import re

from memgym.memory.context import ContextMemory, Stage
from memgym.memory.registry import make_memory, register_memory
from memgym.tracks.base import Track

_STAGE = re.compile(r"^\s*([\w-]+)\s*(?:\((.*)\))?\s*$")


def stage_spec(stage: str) -> str:
    """``"window(max_tokens=2000)"`` -> ``"window:max_tokens=2000"``."""
    m = _STAGE.match(stage)
    if m is None:
        raise ValueError(f"pipeline: bad stage {stage!r}; expected name or name(key=value;...)")
    name, options = m.group(1), m.group(2)
    return name if not options else f"{name}:{options.replace(';', ',')}"


def pipeline_form(spec: str) -> str:
    """``"window:max_tokens=2000"`` -> ``"window(max_tokens=2000)"``."""
    name, _, options = spec.partition(":")
    return name if not options else f"{name}({options.replace(',', ';')})"


@register_memory("pipeline")
def pipeline(track: Track, stages: str = "") -> ContextMemory:
    """The stages of each named context memory, chained in order."""
    parts = [p for p in stages.split("+") if p.strip()]
    if not parts:
        raise ValueError("pipeline: give stages, e.g. pipeline:stages=mask(keep=3)+window")
    chain: list[Stage] = []
    for part in parts:
        memory = make_memory(stage_spec(part), track)
        if not isinstance(memory, ContextMemory):
            raise ValueError(  # noqa: TRY004  (a bad spec, not a bad argument type)
                f"pipeline: {part.strip()!r} is not a context memory; stages can be full, "
                "window, mask, summary or pipeline"
            )
        chain.extend(memory.stages)
    spec = "pipeline:stages=" + "+".join(pipeline_form(s.config()) for s in chain)
    return ContextMemory(chain, spec)
