"""The ``gated`` memory: a context memory whose compactions MemRM may refuse.

Spec: ``gated:inner=window(max_tokens=2000),model=results/rm/lite.pkl,threshold=0.5``. ``inner``
is any context memory in the pipeline stage syntax (options in parentheses, separated by ``;``,
e.g. ``inner=summary(max_tokens=1500;summary_tokens=300)``). After each observation the inner
stages propose the shrunken context; MemRM scores that compaction from the brief, the dropped
texts and the kept view. When P(HARMFUL) >= ``threshold`` the compaction is refused: each dropped
span is then scored alone (all of them in one batch), those still scored harmful are kept (in stream order) and the rest
may go; if no single span scores harmful, every span stays. Kept spans are outside the inner
budget and are scored again at the next proposal (a later restatement can make them safe to
drop). Refusing span by span matters for a window: it always proposes to drop its oldest span
first, so a whole-compaction refusal would keep refusing and turn the window into ``full``.
Stage state advanced by a refused proposal (a summary's rolling text) is not rolled back.
``refused`` counts refused compactions and ``protected`` the spans kept against the proposal;
the accepted part of each compaction is recorded as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import attrgetter
from pathlib import Path
from typing import Any

from memgym.memory.context import ContextMemory, in_step_order
from memgym.memory.pipeline import stage_spec
from memgym.memory.registry import make_memory, register_memory
from memgym.tracks.base import Track
from memgym.types import AskedQuestion, Event, Span

Score = Callable[
    [str, Sequence[Sequence[Span]], Sequence[Span], Sequence[AskedQuestion]], list[float]
]
"""(brief, candidate sets of dropped spans, kept spans, questions asked so far) -> P(HARMFUL)
of dropping each candidate set, scored in one batch."""


class GatedMemory(ContextMemory):
    """``inner``'s stages, with each compaction scored first and refused when harmful."""

    def __init__(self, inner: ContextMemory, score: Score, threshold: float, spec: str) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"gated: threshold must be in [0, 1], got {threshold!r}")
        super().__init__(inner.stages, spec)
        self.score = score
        self.threshold = threshold
        self.refused = 0
        self.protected = 0

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        super().reset(brief, params)
        self.refused = 0
        self.protected = 0

    def observe(self, event: Event) -> None:
        if self.note_question(event):
            return
        before, after = self.propose(event)
        if after is not before:
            kept = {id(s) for s in after}
            dropped = [s for s in before if id(s) not in kept]
            whole = self.score(self.brief, [dropped], after, self.asked)[0] if dropped else 0.0
            if dropped and whole >= self.threshold:
                self.refused += 1
                # One dropped span alone is the compaction just scored: no second call.
                probs = (
                    [whole]
                    if len(dropped) == 1
                    else self.score(self.brief, [[s] for s in dropped], after, self.asked)
                )
                keep = [s for s, p in zip(dropped, probs, strict=True) if p >= self.threshold]
                keep = keep or dropped
                self.protected += len(keep)
                after = in_step_order(after, keep)
            self._record(event.step, before, after)
        self.spans = after


_TEXT, _STEP_TEXT = attrgetter("text"), attrgetter("step", "text")
"""A span's (or question's) text, and its (step, text)."""

_LOADED: dict[tuple[str, int, int], Score] = {}
"""The scoring function of each lite model file loaded, by path, modification time and size:
the gated memories of one process (one per episode) score with one loaded model, so what it
makes (folded weights and the trees' function at load; the vote's remembered parts) is made
once."""
LOADED = 4


def model_score(path: str) -> Score:
    """The scoring function of the MemRM saved at ``path``: the candidates of one proposal in
    one call (a lite model reads them straight from the spans, with no row built, and is loaded
    once per process while its file stays the same, its trees' function made at load)."""
    from memgym.rm.lite import LiteModel
    from memgym.rm.models import load_model, model_kind
    from memgym.rm.rows import span_row

    key = None
    if model_kind(path) == "lite":
        stat = Path(path).stat()
        key = (str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)
        loaded = _LOADED.get(key)
        if loaded is not None:
            return loaded
    model = load_model(path)
    if isinstance(model, LiteModel):
        model.prepare()  # the trees' function now, not in a scoring call
        parts_of = model.predict_parts
        from memgym.rm.features import Compaction

        def direct(
            brief: str,
            candidates: Sequence[Sequence[Span]],
            kept: Sequence[Span],
            asked: Sequence[AskedQuestion],
        ) -> list[float]:
            kept_texts = list(map(_TEXT, kept))
            questions = list(map(_STEP_TEXT, asked))  # (step, text) tuples
            return [
                float(p)
                for p in parts_of(
                    [
                        Compaction(brief, list(map(_STEP_TEXT, dropped)), kept_texts, questions)
                        for dropped in candidates
                    ]
                )
            ]

        if key is not None:
            if len(_LOADED) >= LOADED:
                _LOADED.pop(next(iter(_LOADED)))
            _LOADED[key] = direct
        return direct

    def score(
        brief: str,
        candidates: Sequence[Sequence[Span]],
        kept: Sequence[Span],
        asked: Sequence[AskedQuestion],
    ) -> list[float]:
        rows = [span_row(brief, dropped, kept, asked) for dropped in candidates]
        return [float(p) for p in model.predict(rows)]

    return score


@register_memory("gated")
def gated(
    track: Track, inner: str = "window", model: str = "", threshold: float = 0.5
) -> GatedMemory:
    """``inner`` gated by the MemRM at ``model``."""
    if not model:
        raise ValueError("gated: give model=PATH (a MemRM from `memgym rm train`)")
    memory = make_memory(stage_spec(str(inner)), track)
    if not isinstance(memory, ContextMemory):
        raise ValueError(f"gated: inner {inner!r} is not a context memory")  # noqa: TRY004
    spec = f"gated:inner={inner},model={model},threshold={threshold}"
    return GatedMemory(memory, model_score(model), float(threshold), spec)
