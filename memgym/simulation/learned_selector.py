"""A learned bounded memory: which events will be asked about, guessed from their text alone.

A fixed list of bounded memories is a list the generators get tuned to; this adversary learns.
A classifier (scikit-learn's logistic regression) scores each event of a stream from its text:
hashed word 1-2-grams and character 3-4-grams of its opening of the text with digits masked, its first tokens,
its length, its count of digits and its place in the stream (binned). It is trained on
``SELECTOR_SEEDS`` seeds of the same track and tier (``SELECTOR_BASE + i``, disjoint from every
judged seed and from the union bound's training seeds), labelled from the gold: an event is
evidence when it states a fact that a scored question asked after it cites.

The bounded family's ``learned{N}`` members (``memgym.simulation.bounded_family``) keep, as the
stream goes by, the highest-scored events that fit in N tokens (N in ``SELECTOR_BUDGETS``) and
answer with the scripted reader, judged like every member. ``auroc`` tells how well the scores
separate evidence from the rest on a judged stream: how much the surface betrays.

The fitted model lives in memory (``fitted``: once per track, tier and overrides per process),
never on disk. scikit-learn is the ``rm`` extra: ``available()`` says whether it is installed.
"""

from __future__ import annotations

import importlib.util
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from memgym.tokens import count_tokens
from memgym.tracks import get_track
from memgym.tracks.registry import stream_events
from memgym.types import Scenario

SELECTOR_BUDGETS = (250, 500, 1000)
"""The token budgets of the learned members."""
SELECTOR_SEEDS = 10
SELECTOR_BASE = 3_000_000
"""Training seeds of the learned selector: ``SELECTOR_BASE + i``, far from any judged seed."""
N_FEATURES = 2**16
"""Hashed features per view of the text (words, characters, shape)."""
CHAR_SPAN = 160
"""Characters of an event's text its character n-grams are taken over (its opening)."""
NEGATIVES = 400
"""Events that are not evidence sampled per training stream (every evidence event is kept)."""
_DIGITS = re.compile(r"\d")
_WORDS = re.compile(r"[A-Za-z0-9_]+|[^\sA-Za-z0-9_]")


def available() -> bool:
    """Whether scikit-learn (the ``rm`` extra) is installed: the learned members need it."""
    return importlib.util.find_spec("sklearn") is not None


def masked(text: str) -> str:
    """``text`` lower-cased with every digit written 0 (numbers differ seed to seed)."""
    return _DIGITS.sub("0", text.lower())


def shape_tokens(text: str, tokens: int, position: float) -> list[str]:
    """The event's shape as tokens: its first three tokens (alone and joined), its length,
    digit count and place in the stream (each binned) and length crossed with place."""
    words = _WORDS.findall(masked(text[:200]))[:3]
    length = min(int(math.log2(tokens + 1) * 2), 30)
    digits = min(int(math.log2(sum(c.isdigit() for c in text) + 1) * 2), 20)
    place = min(int(position * 10), 9)
    out = [f"w{i}={w}" for i, w in enumerate(words)]
    out += ["w01=" + "_".join(words[:2]), "w012=" + "_".join(words)]
    out += [f"len={length}", f"dig={digits}", f"pos={place}", f"lenpos={length}_{place}"]
    return out


@dataclass(frozen=True)
class Stream:
    """A scenario's non-question events in stream order: texts, token counts, places (tokens
    before the event over the stream's tokens) and, from the gold, whether each is evidence."""

    texts: list[str]
    tokens: list[int]
    places: list[float]
    labels: list[bool]


def read_stream(scenario: Scenario) -> Stream:
    """The non-question events of ``scenario`` (filler included) and their evidence labels."""
    texts, tokens, facts, steps = [], [], [], []
    last_asked: dict[str, int] = {}
    for event in stream_events(scenario):
        q = event.question
        if q is not None:
            if q.axis != "abstention":
                for fact in q.evidence:
                    last_asked[fact] = event.step
            continue
        texts.append(event.text)
        tokens.append(count_tokens(event.text))
        facts.append(event.facts)
        steps.append(event.step)
    total = sum(tokens) or 1
    places, before = [], 0
    for n in tokens:
        places.append(before / total)
        before += n
    labels = [
        any(last_asked.get(f, -1) > step for f in fs) for fs, step in zip(facts, steps, strict=True)
    ]
    return Stream(texts, tokens, places, labels)


class Selector:
    """The fitted scorer: ``scores(stream)`` gives each event's score (higher: likelier
    evidence)."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def scores(self, stream: Stream) -> list[float]:
        if not stream.texts:
            return []
        return [float(s) for s in self.model.decision_function(features(stream))]

    def score(self, text: str, tokens: int, place: float) -> float:
        """One event's score as it arrives (``place``: tokens before it over the stream's):
        what ``scores`` gives it within its stream, for an agent that sees one event at a
        time."""
        return self.scores(Stream([text], [tokens], [place], [False]))[0]


def features(stream: Stream, rows: Sequence[int] | None = None) -> Any:
    """The sparse feature matrix of ``stream``'s events (one row each; only ``rows`` when
    given). The text's n-grams are computed once per distinct masked text."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import HashingVectorizer

    picked = range(len(stream.texts)) if rows is None else rows
    common = {"n_features": N_FEATURES, "alternate_sign": False, "lowercase": False}
    words = HashingVectorizer(analyzer="word", ngram_range=(1, 2), **common)
    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 4), **common)
    shape = HashingVectorizer(analyzer=lambda row: row, **common)
    texts = [masked(stream.texts[i]) for i in picked]
    distinct = list(dict.fromkeys(texts))
    where = {t: k for k, t in enumerate(distinct)}
    index = [where[t] for t in texts]
    shapes = [shape_tokens(stream.texts[i], stream.tokens[i], stream.places[i]) for i in picked]
    return hstack(
        [
            words.transform(distinct)[index],
            chars.transform([t[:CHAR_SPAN] for t in distinct])[index],
            shape.transform(shapes),
        ]
    ).tocsr()


def training_rows(stream: Stream, salt: str) -> list[int]:
    """Every evidence event of ``stream`` and a seeded sample of at most ``NEGATIVES`` others
    (the rest adds little but cost)."""
    import random

    rest = [i for i, y in enumerate(stream.labels) if not y]
    if len(rest) > NEGATIVES:
        rest = sorted(random.Random(salt).sample(rest, NEGATIVES))
    return sorted([i for i, y in enumerate(stream.labels) if y] + rest)


def fit(streams: Sequence[Stream]) -> Selector | None:
    """A selector fitted on ``streams`` (None when they hold no evidence, or only evidence)."""
    from scipy.sparse import vstack
    from sklearn.linear_model import LogisticRegression

    parts, labels = [], []
    for i, stream in enumerate(streams):
        rows = training_rows(stream, f"selector:{i}")
        if rows:
            parts.append(features(stream, rows))
            labels += [stream.labels[r] for r in rows]
    if not labels or all(labels) or not any(labels):
        return None
    model = LogisticRegression(
        C=1.0, class_weight="balanced", solver="liblinear", max_iter=200, random_state=0
    )
    model.fit(vstack(parts).tocsr(), labels)
    return Selector(model)


@cache
def fitted(
    track: str,
    tier: str | None,
    overrides: tuple[tuple[str, Any], ...],
    seeds: int = SELECTOR_SEEDS,
) -> Selector | None:
    """The selector of ``track``/``tier`` (with ``overrides``), fitted once per process on
    ``seeds`` training seeds (validate's: ``SELECTOR_SEEDS``; more make a stronger adversary)."""
    t = get_track(track)
    params: Mapping[str, Any] = dict(overrides)
    streams = [read_stream(t.generate(SELECTOR_BASE + i, tier, **params)) for i in range(seeds)]
    return fit(streams)


def auroc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """The area under the ROC curve of ``scores`` for ``labels`` (ties count half); None
    without both classes."""
    positives = sum(labels)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return None
    order = sorted(range(len(scores)), key=scores.__getitem__)
    rank_sum = 0.0
    i = 0
    while i < len(order):  # average ranks over ties
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        mid = (i + j) / 2 + 1
        rank_sum += mid * sum(labels[order[k]] for k in range(i, j + 1))
        i = j + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)
