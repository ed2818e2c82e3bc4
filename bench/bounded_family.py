"""Probe a track with a family of bounded memories: none may score, alone or combined.

Each member keeps a fixed number of events (or tokens) whatever the stream's length and
answers every question with the scripted reader over what it kept (``evaluate`` over the
claims the track's reader finds); the ``+blind`` variant, when the reader abstains, answers the
last value of the asked attribute its events state about anyone. The members:

- ``last{K}_{class}``: the last K events of one class, K = 1, 2, 4, 8, 16. Classes: ``any``
  event, ``page`` (not a distractor), ``document``, ``correction``, ``update``, ``change``
  (either), ``changeword`` (any event whose text has a change-like word: an agent that is not
  told event kinds keeps these), ``distractor``.
- ``tokens{N}``: the last events that fit N tokens, N = 250, 500, 1000, 2000.
- ``first{K}_events`` / ``first{K}_pages``: the first K events (pages), K = 1, 2, 3, 4, 8, 16.
- ``reservoir{K}_{class}``: a uniform reservoir sample of K events of a class (K = 4, 16).

Scored by the scorer's ``is_correct`` and the composite of ``score_answers`` (no writes). Each
member's mean composite on the test seeds is printed (a table per class and K, each cell the
better of plain and ``+blind``), then the union bound: per coarse question template, the member
that answered most of it on the training seeds answers it on the test seeds, once among the
members by place (last K, first K, last N tokens) and once with the reservoirs too; and, as a
diagnostic, the per-question bound (any member right). A reservoir keeps a random share of the
stream, as validate's honest ``random`` policy does, so it scores about that share of the
questions a single page answers: reported, not a validity finding at small tiers.

    PYTHONPATH=. python bench/bounded_family.py --tracks codeqa,dialogue,research \\
        --tiers lite,standard --train 100-129 --seeds 200-229
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter, deque
from collections.abc import Iterable, Sequence

from memgym.claims import Claim
from memgym.query import ABSTAIN, Table, evaluate
from memgym.scoring.axes import score_answers
from memgym.scoring.reading import answer_names
from memgym.scoring.validators import is_correct
from memgym.simulation.cheats import asked_attribute, template_key
from memgym.tokens import count_tokens
from memgym.tracks import get_track, stream_events
from memgym.tracks.base import Track
from memgym.tracks.bounded import CLASSES as GUARDED
from memgym.tracks.bounded import classes_of as guarded_classes
from memgym.types import AnswerRecord, GoldQuestion, Scenario

CEILING = 0.05
KS = (1, 2, 4, 8, 16)
TOKENS = (250, 500, 1000, 2000)
FIRSTS = (1, 2, 3, 4, 8, 16)
RESERVOIRS = (4, 16)
CLASSES = (*GUARDED, "distractor")


def classes_of(kind: str, text: str) -> list[str]:
    """The classes an event belongs to (the guard's, and distractors)."""
    return [*guarded_classes(kind, text), *(["distractor"] if kind == "distractor" else [])]


def member_names() -> list[str]:
    base = [f"last{k}_{c}" for c in CLASSES for k in KS]
    base += [f"tokens{n}" for n in TOKENS]
    base += [f"first{k}_{w}" for w in ("events", "pages") for k in FIRSTS]
    base += [f"reservoir{k}_{c}" for c in CLASSES for k in RESERVOIRS]
    return [f"{b}{v}" for b in base for v in ("", "+blind")]


MEMBERS = member_names()


def kept_sets(scenario: Scenario) -> Iterable[tuple[GoldQuestion, dict[str, tuple[int, ...]]]]:
    """One pass over the stream: at each question, the event indices each member keeps."""
    lasts = {c: deque[int](maxlen=max(KS)) for c in CLASSES}
    reservoirs = {(c, k): list[int]() for c in CLASSES for k in RESERVOIRS}
    seen_of = Counter[str]()
    rng = random.Random(0)
    firsts: dict[str, list[int]] = {"events": [], "pages": []}
    window: deque[tuple[int, int]] = deque()
    window_tokens = 0
    for i, event in enumerate(stream_events(scenario)):
        q = event.question
        if q is None:
            for c in classes_of(event.kind, event.text):
                lasts[c].append(i)
                seen_of[c] += 1
                for k in RESERVOIRS:
                    held = reservoirs[(c, k)]
                    if len(held) < k:
                        held.append(i)
                    else:
                        j = int(rng.random() * seen_of[c])
                        if j < k:
                            held[j] = i
            for w, ok in (("events", True), ("pages", event.kind != "distractor")):
                if ok and len(firsts[w]) < max(FIRSTS):
                    firsts[w].append(i)
            tokens = count_tokens(event.text)
            window.append((i, tokens))
            window_tokens += tokens
            while window_tokens > max(TOKENS):
                window_tokens -= window.popleft()[1]
            continue
        kept: dict[str, tuple[int, ...]] = {}
        for c in CLASSES:
            recent = list(lasts[c])
            for k in KS:
                kept[f"last{k}_{c}"] = tuple(recent[-k:])
            for k in RESERVOIRS:
                kept[f"reservoir{k}_{c}"] = tuple(sorted(reservoirs[(c, k)]))
        for n in TOKENS:
            total, chosen = 0, []
            for idx, tokens in reversed(window):
                if total + tokens > n:
                    break
                total += tokens
                chosen.append(idx)
            kept[f"tokens{n}"] = tuple(reversed(chosen))
        for w, held in firsts.items():
            for k in FIRSTS:
                kept[f"first{k}_{w}"] = tuple(held[:k])
        yield q, kept


def answers(track: Track, scenario: Scenario) -> list[tuple[GoldQuestion, dict[str, bool]]]:
    """Per question: whether each member answers it right."""
    texts: dict[int, str] = {}
    events = list(stream_events(scenario))
    for i, event in enumerate(events):
        if event.question is None:
            texts[i] = event.text
    names = answer_names(scenario)
    out = []
    for q, kept in kept_sets(scenario):
        spec = q.public().spec
        attribute = asked_attribute(spec)
        memo: dict[tuple[tuple[int, ...], bool], bool] = {}
        marks: dict[str, str] = {}
        right: dict[str, bool] = {}
        for member in MEMBERS:
            base, blind = member.removesuffix("+blind"), member.endswith("+blind")
            held = kept[base]
            key = (held, blind)
            if key not in memo:
                claims: list[Claim] = []
                for idx in held:
                    claims.extend(track.read_cached(texts[idx]))
                answer = evaluate(spec, Table.from_claims(claims))
                if answer == ABSTAIN and blind:
                    stated = [c.value for c in claims if c.attribute == attribute]
                    answer = stated[-1] if stated else ABSTAIN
                if answer not in marks:
                    marks[answer] = str(is_correct(q, answer, names))
                memo[key] = marks[answer] == "True"
            right[member] = memo[key]
        out.append((q, right))
    return out


def composite(rows: Sequence[tuple[GoldQuestion, bool]]) -> tuple[float, int]:
    """The composite (and scored questions) of answers marked right or wrong."""
    records = [
        AnswerRecord(question_id=q.id, kind=q.kind, axis=q.axis, answer="", correct=ok)
        for q, ok in rows
    ]
    scores = score_answers(records, 0)
    return scores.composite, scores.questions


def seeds_of(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def run(track_name: str, tier: str, train: list[int], test: list[int]) -> list[str]:
    track = get_track(track_name)
    hits: dict[str, Counter[str]] = {}
    for seed in train:
        for q, right in answers(track, track.generate(seed, tier)):
            if q.axis == "abstention":
                continue
            counter = hits.setdefault(template_key(q.spec, False), Counter())
            counter.update(m for m, ok in right.items() if ok)
    chosen = {t: c.most_common(1)[0][0] for t, c in hits.items() if c}
    placed = {
        t: next((m for m, _ in c.most_common() if not m.startswith("reservoir")), "")
        for t, c in hits.items()
    }
    per_member: dict[str, list[float]] = {m: [] for m in MEMBERS}
    union: list[float] = []
    union_placed: list[float] = []
    any_member: list[float] = []
    for seed in test:
        scenario = track.generate(seed, tier)
        marked = answers(track, scenario)
        for m in MEMBERS:
            value, n = composite([(q, right[m]) for q, right in marked])
            if n:
                per_member[m].append(value)
        for table, out in ((chosen, union), (placed, union_placed)):
            picks = [
                (q, right.get(table.get(template_key(q.spec, False), ""), False))
                for q, right in marked
            ]
            value, n = composite(picks)
            if n:
                out.append(value)
        if n:
            any_member.append(composite([(q, any(right.values())) for q, right in marked])[0])
    mean = {m: statistics.fmean(v) if v else 0.0 for m, v in per_member.items()}
    best = {m: max(mean[m], mean[m + "+blind"]) for m in MEMBERS if not m.endswith("+blind")}
    label = f"{track_name}/{tier}"
    lines = [f"{label}  (test seeds {test[0]}-{test[-1]}, each cell the better of plain/+blind)"]
    lines.append(f"  {'last K of class':<16}" + "".join(f"{k:>7}" for k in KS))
    for c in CLASSES:
        lines.append(f"  {c:<16}" + "".join(f"{best[f'last{k}_{c}']:>7.3f}" for k in KS))
    lines.append(f"  {'reservoir K':<16}" + "".join(f"{k:>7}" for k in RESERVOIRS))
    for c in CLASSES:
        lines.append(
            f"  {c:<16}" + "".join(f"{best[f'reservoir{k}_{c}']:>7.3f}" for k in RESERVOIRS)
        )
    lines.append(f"  {'first K':<16}" + "".join(f"{k:>7}" for k in FIRSTS))
    for w in ("events", "pages"):
        lines.append(f"  {w:<16}" + "".join(f"{best[f'first{k}_{w}']:>7.3f}" for k in FIRSTS))
    lines.append(f"  {'last N tokens':<16}" + "".join(f"{n:>7}" for n in TOKENS))
    lines.append(f"  {'':<16}" + "".join(f"{best[f'tokens{n}']:>7.3f}" for n in TOKENS))
    mean_union = statistics.fmean(union) if union else 0.0
    mean_placed = statistics.fmean(union_placed) if union_placed else 0.0
    per_q = statistics.fmean(any_member) if any_member else 0.0
    lines.append(f"  union bound, members by place (last, first, tokens): {mean_placed:.3f}")
    lines.append(
        f"  union bound, reservoirs too (per template, learned on train): {mean_union:.3f}"
    )
    lines.append(f"  per-question bound (diagnostic, any member right): {per_q:.3f}")
    over = sorted(((v, m) for m, v in best.items() if v > CEILING), reverse=True)
    lines.append(f"  over {CEILING}: " + (", ".join(f"{m} {v:.3f}" for v, m in over) or "none"))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--tracks", default="codeqa,dialogue,research")
    parser.add_argument("--tiers", default="lite,standard")
    parser.add_argument("--train", default="100-129", help="seeds the union learns on (a-b)")
    parser.add_argument("--seeds", default="200-229", help="held-out seeds scored (a-b)")
    args = parser.parse_args(argv)
    for track_name in args.tracks.split(","):
        track = get_track(track_name)
        for tier in args.tiers.split(","):
            if tier not in track.tiers:
                continue
            start = time.process_time()
            lines = run(track_name, tier, seeds_of(args.train), seeds_of(args.seeds))
            print("\n".join(lines), flush=True)
            print(
                f"# {track_name}/{tier}: {time.process_time() - start:.1f} s CPU", file=sys.stderr
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
