"""A learned text-only event selector against codeqa, and how concentrated its evidence is.

The adversary (issue #66): a logistic regression over event-text features (hashed word and
character n-grams of the text with names and digits masked, its first tokens, length, digit
count, relative position in the stream) trained on seeds ``--train`` (5000-5019) to predict
"this event states evidence of a later question" (labels from the gold evidence). On a judged
seed it streams the events, keeps the top-scored ones that fit in a budget of 250, 500 or 1,000
tokens (a new event enters when its score beats the lowest kept, which is evicted), and answers
every question with the scripted reader over what it kept (``bounded_family.Reader``, marked
by the scorer's ``is_correct``; composite by ``bounded.composite``, as the bounded family is
scored). It sees only event texts: no kinds, no gold.

Printed per tier: the composite at each budget, the evidence-vs-rest AUROC on the judged
seeds, the top weights (which surface betrays evidence), and the concentration of the gold: per
scenario, the share of scored questions whose evidence lies entirely in the single best event
and in the best 3 events (exact), and the share the best event states any evidence of.

    PYTHONPATH=. python bench/studies/learned_selector_codeqa.py --tiers lite,standard,hard \
        --seeds 300-339
"""

from __future__ import annotations

import argparse
import itertools
import math
import re
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from memgym.scoring import is_correct
from memgym.scoring.reading import answer_names
from memgym.simulation.bounded import BOUNDED_SHARE, CHEAT_CEILING, composite
from memgym.simulation.bounded_family import Reader
from memgym.specs import seed_range
from memgym.tokens import count_tokens
from memgym.tracks import get_track
from memgym.tracks.registry import stream_events
from memgym.types import Event, Scenario

BUDGETS = (250, 500, 1000)
_UPPER = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_CAMEL = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b")
_DIGITS = re.compile(r"\d+")


def mask(text: str) -> str:
    """``text`` with names (UPPER_SNAKE constants, snake_case functions, CamelCase classes) and
    digits masked, so what generalises across seeds is the shape, not the world's names."""
    text = _UPPER.sub("CONST", text)
    text = _SNAKE.sub("snake", text)
    text = _CAMEL.sub("Camel", text)
    return _DIGITS.sub("0", text)


@dataclass
class Stream:
    """One scenario's non-question events in order, their labels, and its questions."""

    scenario: Scenario
    events: list[Event]
    labels: list[int]
    position: list[float]
    """Tokens seen before the event over the tier's target tokens (what an agent knows)."""
    tokens: list[int]


def stream(scenario: Scenario) -> Stream:
    steps = {f.id: f.step for f in scenario.facts}
    evidence: set[int] = set()
    events: list[Event] = []
    position: list[float] = []
    tokens: list[int] = []
    seen = 0
    target = scenario.params["target_tokens"]
    for event in stream_events(scenario):
        if event.question is not None:
            evidence.update(steps[f] for f in event.question.evidence)
            continue
        events.append(event)
        n = count_tokens(event.text)
        position.append(seen / target)
        tokens.append(n)
        seen += n
    labels = [int(e.step in evidence) for e in events]
    return Stream(scenario, events, labels, position, tokens)


_WORDS = HashingVectorizer(n_features=2**18, ngram_range=(1, 2), alternate_sign=False, norm="l2")
_CHARS = HashingVectorizer(
    n_features=2**18, analyzer="char_wb", ngram_range=(3, 5), alternate_sign=False, norm="l2"
)
_FIRST = HashingVectorizer(n_features=2**14, token_pattern=r"\S+", alternate_sign=False, norm=None)


def features(s: Stream) -> sparse.csr_matrix:
    masked = [mask(e.text) for e in s.events]
    first = [" ".join(f"first{i}={w}" for i, w in enumerate(m.split()[:4])) for m in masked]
    dense = np.array(
        [
            [
                math.log1p(n),
                math.log1p(len(_DIGITS.findall(e.text))),
                p,
                e.text.count("\n") / 10,
            ]
            for e, n, p in zip(s.events, s.tokens, s.position, strict=True)
        ]
    )
    return sparse.hstack(
        [
            _WORDS.transform(masked),
            _CHARS.transform(masked),
            _FIRST.transform(first),
            sparse.csr_matrix(dense),
        ]
    ).tocsr()


def train(streams: Sequence[Stream]) -> LogisticRegression:
    x = sparse.vstack([features(s) for s in streams])
    y = np.concatenate([s.labels for s in streams])
    model = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
    model.fit(x, y)
    return model


def select(s: Stream, scores: np.ndarray, budget: int) -> tuple[list[tuple[str, ...]], list[float]]:
    """For each question in order, the texts kept then (the top-scored events seen so far that
    fit in ``budget`` tokens: a newcomer is kept while it beats the lowest kept) and the share
    of the tokens seen so far that they are."""
    kept: list[int] = []  # indices into s.events, kept in stream order
    held = seen = 0
    out: list[tuple[str, ...]] = []
    shares: list[float] = []
    i = 0
    for event in stream_events(s.scenario):
        if event.question is not None:
            out.append(tuple(s.events[j].text for j in kept))
            shares.append(held / seen if seen else 0.0)
            continue
        seen += s.tokens[i]
        if s.tokens[i] <= budget:
            kept.append(i)
            held += s.tokens[i]
            while held > budget:
                worst = min(kept, key=lambda j: (scores[j], -j))
                kept.remove(worst)
                held -= s.tokens[worst]
        i += 1
    return out, shares


def judge(track_name: str, s: Stream, scores: np.ndarray) -> dict[int, tuple[float, float]]:
    """The composite of the selector at each budget on one scenario, and its mean held share
    of the stream seen (``bounded.BOUNDED_SHARE`` judges a member holding at most 2.5 %)."""
    track = get_track(track_name)
    names = answer_names(s.scenario)
    golds = [e.question for e in stream_events(s.scenario) if e.question is not None]
    out = {}
    for budget in BUDGETS:
        reader = Reader(track)
        kept, shares = select(s, scores, budget)
        correct = [
            is_correct(q, reader.answer(texts, q.public()), names)
            for q, texts in zip(golds, kept, strict=True)
        ]
        out[budget] = (composite([q.axis for q in golds], correct), statistics.fmean(shares))
    return out


def concentration(scenario: Scenario) -> tuple[float, float, float]:
    """(best event, best 3 events, best event any): shares of the scored questions whose
    evidence lies entirely in the best event / the best 3 events, and that the best event
    states any evidence of."""
    steps = {f.id: f.step for f in scenario.facts}
    sets = [
        frozenset(steps[f] for f in q.evidence)
        for q in scenario.questions
        if q.axis != "abstention" and q.evidence
    ]
    scored = [q for q in scenario.questions if q.axis != "abstention"]
    if not scored:
        return 0.0, 0.0, 0.0
    n = len(scored)

    def covered(chosen: frozenset[int]) -> int:
        return sum(s <= chosen for s in sets)

    small = [s for s in set(sets) if len(s) <= 3]
    best1 = max((covered(s) for s in small if len(s) == 1), default=0)
    best3 = best1
    for r in (1, 2, 3):
        for combo in itertools.combinations(small, r):
            union = frozenset().union(*combo)
            if len(union) <= 3:
                best3 = max(best3, covered(union))
    counts: dict[int, int] = {}
    for s in sets:
        for step in s:
            counts[step] = counts.get(step, 0) + 1
    return best1 / n, best3 / n, max(counts.values(), default=0) / n


def top_weights(model: LogisticRegression, streams: Sequence[Stream], k: int = 12) -> list[str]:
    """The masked words and first tokens with the largest weights, read back by hashing the
    vocabulary of ``streams``."""
    vocab: set[str] = set()
    for s in streams:
        for e in s.events:
            m = mask(e.text)
            words = re.findall(r"(?u)\b\w\w+\b", m.lower())
            vocab |= set(words) | {" ".join(p) for p in itertools.pairwise(words)}
    coef = model.coef_[0]
    named = []
    for w in vocab:
        j = set(_WORDS.transform([w]).indices)
        if " " in w:  # a bigram's own index: not one of its words'
            j -= {i for part in w.split() for i in _WORDS.transform([part]).indices}
        if len(j) == 1:
            named.append((coef[j.pop()], w))
    named.sort()
    return (
        [f"{w}:{c:+.2f}" for c, w in named[-k:][::-1]]
        + ["..."]
        + [f"{w}:{c:+.2f}" for c, w in named[:4]]
    )


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="learned_selector_codeqa.py")
    p.add_argument("--tiers", default="lite,standard,hard")
    p.add_argument("--seeds", default="300-339", help="judged seeds, a range A-B")
    p.add_argument("--train", default="5000-5019", help="training seeds, a range A-B")
    p.add_argument("--track", default="codeqa")
    p.add_argument("--weights", action="store_true", help="print the top weights")
    p.add_argument("--set", action="append", default=[], help="a parameter override NAME=INT")
    args = p.parse_args(argv)
    overrides = {k: int(v) for k, v in (o.split("=", 1) for o in args.set)}
    track = get_track(args.track)
    failed = 0
    for tier in args.tiers.split(","):
        t0 = time.process_time()
        training = [stream(track.generate(s, tier, **overrides)) for s in seed_range(args.train)]
        model = train(training)
        judged = [stream(track.generate(s, tier, **overrides)) for s in seed_range(args.seeds)]
        scores = [model.decision_function(features(s)) for s in judged]
        auroc = roc_auc_score(np.concatenate([s.labels for s in judged]), np.concatenate(scores))
        per = [judge(args.track, s, sc) for s, sc in zip(judged, scores, strict=True)]
        conc = [concentration(s.scenario) for s in judged]
        means = {b: statistics.fmean(r[b][0] for r in per) for b in BUDGETS}
        held = {b: statistics.fmean(r[b][1] for r in per) for b in BUDGETS}
        failed += sum(means[b] > CHEAT_CEILING and held[b] <= BOUNDED_SHARE for b in BUDGETS)
        share = statistics.fmean(sum(s.labels) / len(s.labels) for s in judged)
        print(
            f"{args.track}/{tier}: "
            + "  ".join(
                f"tokens{b} {v:.3f} (holds {held[b]:.1%}{'' if held[b] <= BOUNDED_SHARE else ', not judged'})"
                for b, v in means.items()
            )
            + f"  AUROC {auroc:.3f}  evidence events {share:.2%}"
            + f"  cpu {time.process_time() - t0:.0f}s"
        )
        print(
            "  concentration: best event "
            f"{statistics.fmean(c[0] for c in conc):.1%} (max {max(c[0] for c in conc):.1%}), "
            f"best 3 {statistics.fmean(c[1] for c in conc):.1%} "
            f"(max {max(c[1] for c in conc):.1%}), "
            f"best event states any evidence of {statistics.fmean(c[2] for c in conc):.1%}"
        )
        if args.weights:
            print("  top weights:", " ".join(top_weights(model, training[:3])))
    print(f"{failed} judged cell(s) above {CHEAT_CEILING}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
