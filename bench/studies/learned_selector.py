"""A learned text-only event selector against a track: how much of the score the surface betrays.

A logistic regression (scikit-learn) is trained on the events of training seeds to predict
"this event states evidence of a later question" (labels from the gold evidence) from the
event's text alone: hashed word 1-3-grams and character 2-5-grams of the text with names and
digits masked, its first three tokens, its length, digit count and relative position in the
stream. At each question it keeps the top-scored events seen so far that fit in a token budget
and answers with the scripted reader (``bounded_family.Reader``), marked by the scorer's own
``is_correct``; the composite is the bounded family's (``bounded.composite``). It also prints
the evidence-vs-rest AUROC of its scores on the judged seeds, and the share of the stream each
budget held (a member holding more than ``bounded.BOUNDED_SHARE`` is not judged)::

    PYTHONPATH=. python bench/studies/learned_selector.py --track dialogue --tiers lite \\
        --train 5000-5019 --seeds 300-339 --budgets 250,500,1000
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from memgym.scoring import is_correct
from memgym.scoring.reading import answer_names
from memgym.simulation.bounded import BOUNDED_SHARE, composite
from memgym.simulation.bounded_family import Reader
from memgym.specs import seed_range
from memgym.tokens import count_tokens
from memgym.tracks import Track, get_track
from memgym.tracks.registry import stream_events
from memgym.types import Event, GoldQuestion, Scenario

BUDGETS = (250, 500, 1000)
_NAME = re.compile(r"(?<![.!?:\n] )(?<!^)(?<!\n)\b[A-Z][A-Za-z]*\b")
"""A capitalised word that does not start a line or a sentence: a name, a city, an airline."""
_DIGIT = re.compile(r"\d")


def mask(text: str) -> str:
    """``text`` with names (capitalised words inside a sentence) as ``N`` and digits as ``0``."""
    return _DIGIT.sub("0", _NAME.sub("N", text))


@dataclass
class Row:
    """One event of a stream as the selector sees it, with its label and place."""

    text: str
    tokens: int
    position: float
    evidence: bool
    event: Event


def rows_of(scenario: Scenario) -> tuple[list[Row], list[tuple[int, GoldQuestion]]]:
    """The non-question events of ``scenario`` (labelled: states a fact some question cites) and
    each question with the number of events before it."""
    events = list(stream_events(scenario))
    cited = {f for e in events if e.question is not None for f in e.question.evidence}
    total = max(1, scenario.filler["total_steps"])
    rows: list[Row] = []
    questions: list[tuple[int, GoldQuestion]] = []
    for event in events:
        if event.question is not None:
            questions.append((len(rows), event.question))
            continue
        rows.append(
            Row(
                event.text,
                count_tokens(event.text),
                event.step / total,
                bool(cited & set(event.facts)),
                event,
            )
        )
    return rows, questions


class Selector:
    """The learned event scorer: hashed n-grams of the masked text plus dense shape features."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.words = HashingVectorizer(
            n_features=2**18, ngram_range=(1, 3), alternate_sign=False, norm="l2"
        )
        self.chars = HashingVectorizer(
            n_features=2**18,
            analyzer="char_wb",
            ngram_range=(2, 5),
            alternate_sign=False,
            norm="l2",
        )
        self.model: Any = None

    def features(self, rows: Sequence[Row]) -> Any:
        from scipy.sparse import csr_matrix, hstack

        masked = [mask(r.text) for r in rows]
        heads = ["HEAD_" + "_".join(m.split()[:3]) for m in masked]
        dense = []
        for r, m in zip(rows, masked):
            bins = [float(int(r.position * 10) == b) for b in range(10)]
            dense.append(
                [
                    math.log1p(r.tokens) / 5,
                    math.log1p(m.count("0")) / 3,
                    r.position,
                    float(r.text.startswith("User:")),
                    float("\nAgent:" in r.text),
                    r.text.count("\n") / 10,
                    *bins,
                ]
            )
        return hstack(
            [
                self.words.transform(masked),
                self.chars.transform(masked),
                self.words.transform(heads),
                csr_matrix(dense),
            ]
        ).tocsr()

    def fit(self, rows: Sequence[Row]) -> None:
        from sklearn.linear_model import LogisticRegression

        labels = [r.evidence for r in rows]
        self.model = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
        self.model.fit(self.features(rows), labels)

    def scores(self, rows: Sequence[Row]) -> list[float]:
        return list(self.model.decision_function(self.features(rows)))


def kept(rows: Sequence[Row], scores: Sequence[float], before: int, budget: int) -> tuple[str, ...]:
    """The texts of the top-scored of the first ``before`` rows that fit in ``budget`` tokens
    (greedy by score, a row that does not fit skipped), in stream order."""
    order = sorted(range(before), key=lambda i: -scores[i])
    chosen, used = [], 0
    for i in order:
        if used + rows[i].tokens <= budget:
            chosen.append(i)
            used += rows[i].tokens
    return tuple(rows[i].text for i in sorted(chosen))


@dataclass
class Cell:
    """One budget's results over the judged seeds."""

    composites: list[float]
    held: list[float]
    by_kind: dict[str, list[int]]


def judge(
    track: Track, selector: Selector, scenarios: Sequence[Scenario], budgets: Sequence[int]
) -> tuple[dict[int, Cell], float]:
    """Each budget's composites and held shares over ``scenarios``, and the AUROC of the scores."""
    from sklearn.metrics import roc_auc_score

    cells = {b: Cell([], [], {}) for b in budgets}
    labels: list[bool] = []
    pooled: list[float] = []
    for scenario in scenarios:
        rows, questions = rows_of(scenario)
        scores = selector.scores(rows)
        labels += [r.evidence for r in rows]
        pooled += scores
        reader = Reader(track)
        names = answer_names(scenario)
        for budget in budgets:
            cell = cells[budget]
            axes, correct, held = [], [], []
            for before, gold in questions:
                texts = kept(rows, scores, before, budget)
                answer = reader.answer(texts, gold.public())
                right = is_correct(gold, answer, names)
                axes.append(gold.axis)
                correct.append(right)
                seen = sum(r.tokens for r in rows[:before])
                held.append(sum(map(count_tokens, texts)) / seen if seen else 0.0)
                cell.by_kind.setdefault(gold.kind, [0, 0])
                cell.by_kind[gold.kind][0] += right
                cell.by_kind[gold.kind][1] += 1
            cell.composites.append(composite(axes, correct))
            cell.held.append(statistics.fmean(held) if held else 0.0)
    auroc = roc_auc_score(labels, pooled) if any(labels) and not all(labels) else float("nan")
    return cells, float(auroc)


def study(
    track_name: str,
    tier: str,
    train: Sequence[int],
    seeds: Sequence[int],
    budgets: Sequence[int],
) -> tuple[dict[int, Cell], float]:
    """Train on ``train`` seeds, judge on ``seeds``: per-budget cells and the AUROC."""
    track = get_track(track_name)
    rows = [r for seed in train for r in rows_of(track.generate(seed, tier))[0]]
    selector = Selector()
    selector.fit(rows)
    return judge(track, selector, [track.generate(s, tier) for s in seeds], budgets)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--track", default="dialogue")
    p.add_argument("--tiers", default="lite,standard,hard")
    p.add_argument("--train", default="5000-5019", help="training seeds A-B")
    p.add_argument("--seeds", default="300-339", help="judged seeds A-B")
    p.add_argument("--budgets", default=",".join(map(str, BUDGETS)))
    p.add_argument("--kinds", action="store_true", help="accuracy per question kind")
    args = p.parse_args(argv)
    budgets = [int(b) for b in args.budgets.split(",")]
    for tier in args.tiers.split(","):
        cells, auroc = study(
            args.track, tier, list(seed_range(args.train)), list(seed_range(args.seeds)), budgets
        )
        parts = []
        for b in budgets:
            c = cells[b]
            share = statistics.fmean(c.held)
            flag = "" if share <= BOUNDED_SHARE else " (not judged)"
            parts.append(f"{b}: {statistics.fmean(c.composites):.3f} held {share:.3f}{flag}")
        print(f"{args.track}/{tier}: AUROC {auroc:.3f} | " + " | ".join(parts), flush=True)
        if args.kinds:
            for b in budgets:
                kinds = ", ".join(f"{k} {n}/{t}" for k, (n, t) in sorted(cells[b].by_kind.items()))
                print(f"  {b}: {kinds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
