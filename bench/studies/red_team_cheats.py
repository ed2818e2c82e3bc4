"""Red-team the scoring with memoryless cheats the suite (``memgym.simulation.cheats``) lacks.

Each cheat answers every question of a generated scenario from what an agent that remembers
nothing (or a bounded window, a counter, or values without whose they are) could have, and is
scored by the real scorer (``is_correct`` with the scenario's answer names, ``score`` for the
composite, exactly as ``run_cheats`` does for validate: no writes, so efficiency = accuracy).

The cheats (``M``: memoryless or bounded; ``D``: a diagnostic that keeps a real, name-keyed
memory and so is *expected* to score, never a finding):

- ``count_brief_share`` (M): a count question's gold guessed as the entity count the brief
  states (or the track's ``entities`` parameter) times each filter's prior share
  (``cheats.independence_count``: ``==`` a choice -> 1/choices or its weight, ``>``/``<`` a
  threshold -> the prior range's share beyond it); ``count_seen_share`` the same with the
  number of document events seen so far (one counter, told the event kind) in place of the
  brief's count; ``count_seen_share_pm1`` answers that estimate plus one (the closed-book guard redraws the independence estimate, so
  its neighbours may gain what it loses); ``count_learned_offset`` adds the offset
  (gold - estimate) commonest for the coarse template on training seeds.
- ``qnum_plus1`` / ``qnum_minus1`` (M): the question's last number plus / minus one;
  ``qnum_learned_offset``: plus the offset commonest for the coarse template in training.
- ``first_3_pages`` (M, bounded): the scripted reader over the first three non-distractor
  events of the stream (a keep-first memory: the customer's first messages, the first file);
  it knows which events are distractors (``Event.kind``), as the suite's ``last_page`` does,
  which an agent is not told; ``first_3_events`` keeps the first three events of any kind.
- ``after_correction`` (M, bounded): the reader over the last event, of any kind, whose text
  has a correction-like word (``CORRECTION``: actually, correction, update, hotfix, erratum,
  changed, now), and, when that fails, the first value of the asked attribute stated in it
  about anyone: a one-event memory that an agent can keep from the text alone.
- ``stream_value_mode`` (M, values without whose): the value stated most often in the whole
  stream so far whatever its attribute, of the answer's kind (a number for number golds, a
  text otherwise); ``stream_subject_mode``: the entity most often stated about.
- ``last_subject`` (M): the entity the last event stating anything is about (its last claim).
- ``last_subject_of_kind`` (M, learned): for a name gold, the entity of the last claim (any
  event) of the attribute that gold names of the asked relation most often had claims of on
  training seeds (a town's population, a person's birthplace): "the last name of the asked
  kind" for chain and multi-hop questions.
- ``recent_names_count`` (M, bounded): for count questions, the distinct entities the last
  ``WINDOW`` events state anything about.
- ``fine_gold_50`` (M, learned): the commonest gold of the *fine* template (filter values
  kept) on ``--train`` seeds 5000+ (the suite learns on 10); ``fine_median_50``: for number
  golds, the median of the fine template's training golds.
- ``prior_mid_shift`` (M): a float gold's prior midpoint moved up by two tolerance bands (the
  guard redraws golds within one band of the midpoint).
- ``every_stream_value`` (M, values without whose): every value of the asked attribute stated
  so far, joined by ", " (does the scorer accept a long answer containing the gold?).
- ``prior_every_choice`` (M): every choice of the asked attribute's prior, joined by ", ".
- ``vocabulary_list`` (M, learned): every value of the asked attribute the track's reader
  finds in the streams of the training seeds (the track's vocabulary), joined by ", ".
- ``hedged_guess`` (M): "unknown, probably <stream_attribute_last>" (a hedge must score wrong).
- ``name_event`` (D): the reader over the last event naming the asked entity, then the asked
  attribute's values in it about anyone: is the answer in the same event as the name's last
  mention? A memory keyed by name, so it is a diagnostic of where answers sit, not a cheat.

A section ``format`` also scores the gold itself rewritten (upper case; followed by a unit
word; inside a sentence), which must stay right: the scorer must not be beaten by refusing
formats either.

Prints cheat x track x tier -> mean composite with a 95 % interval that resamples seeds
(``--boot`` resamples), the scored questions, accuracy and abstention accuracy; then every
finding: a composite above ``CEILING`` or a coarse template with at least ``MIN_TEMPLATE``
held-out questions (or a question kind, ``kind:...``, which joins an entities kind's
per-attribute templates) answered above ``TEMPLATE_SHARE``, with its one-sided 95 % Wilson
lower end (diagnostics and format rows excluded).

    PYTHONPATH=. python bench/studies/red_team_cheats.py --tracks entities,research,codeqa,dialogue \\
        --tiers lite,standard,hard,multi --seeds 200 --train 20

(4 min 19 s on the 2-core box; ``--seeds 30`` takes about 35 s.)
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from template_guessability import lower_bound

from memgym.claims import Claim, format_number, parse_number
from memgym.query import ABSTAIN, Table, evaluate
from memgym.run.episode import score
from memgym.scoring.normalize import numbers
from memgym.scoring.reading import answer_names
from memgym.scoring.validators import is_correct
from memgym.simulation.cheats import asked_attribute, independence_count, template_key
from memgym.tracks import get_track, stream_events
from memgym.tracks.base import Prior, Track
from memgym.types import AnswerRecord, GoldQuestion, Scenario, Transcript

CEILING = 0.05
TEMPLATE_SHARE = 0.10
MIN_TEMPLATE = 50
TRAIN_BASE = 5000
WINDOW = 10
"""Events ``recent_names_count`` counts names over."""
FIRST = 3
"""Non-distractor events ``first_3_pages`` keeps from the start."""
CORRECTION = re.compile(
    r"\b(?:actually|correction|corrected|update[sd]?|hotfix|erratum|errata|changed?|now)\b",
    re.IGNORECASE,
)
COUNT_OPS = ("count", "aggregate")


@dataclass
class Seen:
    """What the cheats may see at one question (see the module docstring for who uses what)."""

    gold: GoldQuestion
    recent: list[str]
    first_pages: list[str]
    first_events: list[str]
    last_correction: str
    docs_seen: int
    value_counts: Counter[str]
    subject_counts: Counter[str]
    last_subject: str
    last_subject_with: dict[str, str]
    """Attribute -> the entity of the last claim of that attribute (any event)."""
    recent_subjects: list[set[str]]
    attribute_values: list[str]
    name_event: str


@dataclass
class Ctx:
    """Per scenario: the track, scenario, priors, the brief's entity count, what was learned."""

    track: Track
    scenario: Scenario
    priors: dict[str, Prior]
    brief_count: int
    learned: Mapping[str, Counter[str]]


def spec_names(spec: Mapping[str, Any]) -> list[str]:
    """The names a question's spec asks about (entity, entities, from)."""
    out = list(spec.get("entities") or [])
    for key in ("entity", "from"):
        if isinstance(spec.get(key), str):
            out.append(spec[key])
    return out


def walk(track: Track, scenario: Scenario) -> list[Seen]:
    """One pass over the stream: what every cheat sees at each question."""
    read = track.read_cached
    wanted = {n for q in scenario.questions for n in spec_names(q.spec)}
    asked = {asked_attribute(q.spec) for q in scenario.questions}
    values: dict[str, list[str]] = {a: [] for a in asked}
    recent: deque[str] = deque(maxlen=3)
    windows: deque[set[str]] = deque(maxlen=WINDOW)
    first: list[str] = []
    first_any: list[str] = []
    last_naming: dict[str, str] = {}
    value_counts: Counter[str] = Counter()
    subject_counts: Counter[str] = Counter()
    subject_with: dict[str, str] = {}
    state = {"correction": "", "subject": "", "docs": 0}
    out: list[Seen] = []
    for event in stream_events(scenario):
        q = event.question
        if q is None:
            claims = read(event.text)
            recent.append(event.text)
            if len(first_any) < FIRST:
                first_any.append(event.text)
            windows.append({c.entity for c in claims})
            for c in claims:
                value_counts[c.value] += 1
                subject_counts[c.entity] += 1
                subject_with[c.attribute] = c.entity
                if c.attribute in values:
                    values[c.attribute].append(c.value)
            if CORRECTION.search(event.text):
                state["correction"] = event.text
            if claims:
                state["subject"] = claims[-1].entity
            if event.kind == "distractor":
                continue
            if event.kind == "document":
                state["docs"] += 1
            if len(first) < FIRST:
                first.append(event.text)
            for name in wanted:
                if name in event.text:
                    last_naming[name] = event.text
            continue
        names = spec_names(q.spec)
        out.append(
            Seen(
                gold=q,
                recent=list(recent),
                first_pages=list(first),
                first_events=list(first_any),
                last_correction=state["correction"],
                docs_seen=state["docs"],
                value_counts=value_counts.copy(),
                subject_counts=subject_counts.copy(),
                last_subject=state["subject"],
                last_subject_with=dict(subject_with),
                recent_subjects=list(windows),
                attribute_values=list(values[asked_attribute(q.spec)]),
                name_event=last_naming.get(names[0], "") if names else "",
            )
        )
    return out


def _read(ctx: Ctx, texts: Iterable[str], s: Seen) -> str:
    claims: list[Claim] = []
    for text in texts:
        claims.extend(ctx.track.read_cached(text))
    return evaluate(s.gold.public().spec, Table.from_claims(claims))


def _attr_value_in(ctx: Ctx, text: str, s: Seen) -> str:
    attribute = asked_attribute(s.gold.spec)
    found = [c.value for c in ctx.track.read_cached(text) if c.attribute == attribute]
    return found[0] if found else ABSTAIN


def _is_number_question(s: Seen) -> bool:
    return s.gold.answer_type in ("int", "float")


def _count_estimate(ctx: Ctx, s: Seen, n: int) -> int | None:
    return independence_count(ctx.priors, s.gold.spec, n)


def count_brief_share(ctx: Ctx, s: Seen) -> str:
    est = _count_estimate(ctx, s, ctx.brief_count)
    return ABSTAIN if est is None else str(est)


def count_seen_share(ctx: Ctx, s: Seen) -> str:
    est = _count_estimate(ctx, s, s.docs_seen)
    return ABSTAIN if est is None else str(est)


def count_seen_share_pm1(ctx: Ctx, s: Seen) -> str:
    est = _count_estimate(ctx, s, s.docs_seen)
    return ABSTAIN if est is None else str(est + 1)


def _learned_offset(ctx: Ctx, s: Seen, kind: str) -> int | None:
    counts = ctx.learned.get(f"{kind}:{template_key(s.gold.spec, False)}")
    return int(counts.most_common(1)[0][0]) if counts else None


def count_learned_offset(ctx: Ctx, s: Seen) -> str:
    est, off = _count_estimate(ctx, s, s.docs_seen), _learned_offset(ctx, s, "count")
    return ABSTAIN if est is None or off is None else str(est + off)


def _qnum(s: Seen) -> float | None:
    found = numbers(s.gold.text)
    return float(found[-1]) if found else None


def qnum_plus1(ctx: Ctx, s: Seen) -> str:
    n = _qnum(s)
    return ABSTAIN if n is None else format_number(n + 1)


def qnum_minus1(ctx: Ctx, s: Seen) -> str:
    n = _qnum(s)
    return ABSTAIN if n is None else format_number(n - 1)


def qnum_learned_offset(ctx: Ctx, s: Seen) -> str:
    n, off = _qnum(s), _learned_offset(ctx, s, "qnum")
    return ABSTAIN if n is None or off is None else format_number(n + off)


def first_3_pages(ctx: Ctx, s: Seen) -> str:
    return _read(ctx, s.first_pages, s)


def first_3_events(ctx: Ctx, s: Seen) -> str:
    return _read(ctx, s.first_events, s)


def after_correction(ctx: Ctx, s: Seen) -> str:
    if not s.last_correction:
        return ABSTAIN
    answer = _read(ctx, [s.last_correction], s)
    return answer if answer != ABSTAIN else _attr_value_in(ctx, s.last_correction, s)


def stream_value_mode(ctx: Ctx, s: Seen) -> str:
    want_number = _is_number_question(s)
    for value, _ in s.value_counts.most_common():
        if (parse_number(value) is not None) == want_number:
            return value
    return ABSTAIN


def stream_subject_mode(ctx: Ctx, s: Seen) -> str:
    return s.subject_counts.most_common(1)[0][0] if s.subject_counts else ABSTAIN


def last_subject(ctx: Ctx, s: Seen) -> str:
    return s.last_subject or ABSTAIN


def last_subject_of_kind(ctx: Ctx, s: Seen) -> str:
    kinds = ctx.learned.get(f"kind:{asked_attribute(s.gold.spec)}")
    if s.gold.answer_type != "text" or not kinds:
        return ABSTAIN
    return s.last_subject_with.get(kinds.most_common(1)[0][0], ABSTAIN)


def recent_names_count(ctx: Ctx, s: Seen) -> str:
    if s.gold.spec.get("op") not in COUNT_OPS:
        return ABSTAIN
    return str(len(set().union(*s.recent_subjects))) if s.recent_subjects else "0"


def fine_gold_50(ctx: Ctx, s: Seen) -> str:
    counts = ctx.learned.get(f"fine:{template_key(s.gold.spec, True)}")
    return counts.most_common(1)[0][0] if counts else ABSTAIN


def fine_median_50(ctx: Ctx, s: Seen) -> str:
    counts = ctx.learned.get(f"fine:{template_key(s.gold.spec, True)}")
    if not counts or not _is_number_question(s):
        return ABSTAIN
    found = [
        v for text, k in counts.items() if (v := parse_number(text)) is not None for _ in range(k)
    ]
    return format_number(statistics.median(found)) if found else ABSTAIN


def prior_mid_shift(ctx: Ctx, s: Seen) -> str:
    prior = ctx.priors.get(asked_attribute(s.gold.spec))
    if prior is None or prior.choices or s.gold.answer_type != "float":
        return ABSTAIN
    mid = (prior.low + prior.high) / 2
    return format_number(round(mid * (1 + 2 * max(s.gold.tolerance, 0.01)), 2))


def every_stream_value(ctx: Ctx, s: Seen) -> str:
    return ", ".join(dict.fromkeys(s.attribute_values)) or ABSTAIN


def prior_every_choice(ctx: Ctx, s: Seen) -> str:
    prior = ctx.priors.get(asked_attribute(s.gold.spec))
    return ", ".join(prior.choices) if prior is not None and prior.choices else ABSTAIN


def vocabulary_list(ctx: Ctx, s: Seen) -> str:
    counts = ctx.learned.get(f"vocab:{asked_attribute(s.gold.spec)}")
    return ", ".join(sorted(counts)) if counts else ABSTAIN


def hedged_guess(ctx: Ctx, s: Seen) -> str:
    last = s.attribute_values[-1] if s.attribute_values else "0"
    return f"unknown, probably {last}"


def name_event(ctx: Ctx, s: Seen) -> str:
    if not s.name_event:
        return ABSTAIN
    answer = _read(ctx, [s.name_event], s)
    return answer if answer != ABSTAIN else _attr_value_in(ctx, s.name_event, s)


def _gold_text(s: Seen) -> str:
    a = s.gold.answer
    if a is None:
        return ABSTAIN
    if isinstance(a, list):
        return ", ".join(str(v) for v in a)
    return format_number(a) if isinstance(a, (int, float)) else str(a)


def format_upper(ctx: Ctx, s: Seen) -> str:
    return _gold_text(s).upper()


def format_unit(ctx: Ctx, s: Seen) -> str:
    return f"{_gold_text(s)} units"


def format_sentence(ctx: Ctx, s: Seen) -> str:
    return f"Based on my notes, the answer is {_gold_text(s)}."


Cheat = Callable[[Ctx, Seen], str]
CHEATS: dict[str, Cheat] = {
    "count_brief_share": count_brief_share,
    "count_seen_share": count_seen_share,
    "count_seen_share_pm1": count_seen_share_pm1,
    "count_learned_offset": count_learned_offset,
    "qnum_plus1": qnum_plus1,
    "qnum_minus1": qnum_minus1,
    "qnum_learned_offset": qnum_learned_offset,
    "first_3_pages": first_3_pages,
    "first_3_events": first_3_events,
    "after_correction": after_correction,
    "stream_value_mode": stream_value_mode,
    "stream_subject_mode": stream_subject_mode,
    "last_subject": last_subject,
    "last_subject_of_kind": last_subject_of_kind,
    "recent_names_count": recent_names_count,
    "fine_gold_50": fine_gold_50,
    "fine_median_50": fine_median_50,
    "prior_mid_shift": prior_mid_shift,
    "every_stream_value": every_stream_value,
    "prior_every_choice": prior_every_choice,
    "vocabulary_list": vocabulary_list,
    "hedged_guess": hedged_guess,
}
DIAGNOSTICS: dict[str, Cheat] = {"name_event": name_event}
FORMATS: dict[str, Cheat] = {
    "format_upper": format_upper,
    "format_unit": format_unit,
    "format_sentence": format_sentence,
}
ALL = {**CHEATS, **DIAGNOSTICS, **FORMATS}


def brief_count(scenario: Scenario) -> int:
    """The entity count the brief states ("about 48 fictional ..."), else the params' count."""
    found = re.search(r"\b(\d+)\s+(?:fictional|functions|people)", scenario.brief)
    if found:
        return int(found.group(1))
    value = scenario.params.get("entities") or scenario.params.get("functions") or 0
    return int(value)


def learn(track: Track, tier: str, seeds: Iterable[int]) -> dict[str, Counter[str]]:
    """On training seeds: golds per fine template, the commonest offsets of count and
    question-number guesses per coarse template, and every value the reader finds in the
    training streams per attribute (``vocab:``), and per asked attribute the attributes its
    name golds have claims of (``kind:``)."""
    table: dict[str, Counter[str]] = {}
    for seed in seeds:
        scenario = track.generate(seed, tier)
        held: dict[str, set[str]] = {}
        for event in stream_events(scenario):
            if event.question is None:
                for c in track.read_cached(event.text):
                    table.setdefault(f"vocab:{c.attribute}", Counter())[c.value] += 1
                    held.setdefault(c.entity, set()).add(c.attribute)
        for q in scenario.questions:
            if q.answer_type == "text" and isinstance(q.answer, str):
                kinds = table.setdefault(f"kind:{asked_attribute(q.spec)}", Counter())
                kinds.update(held.get(q.answer, ()))
        ctx = Ctx(track, scenario, track.priors(scenario.params), brief_count(scenario), {})
        for s in walk(track, scenario):
            if s.gold.answer is None:
                continue
            gold = _gold_text(s)
            table.setdefault(f"fine:{template_key(s.gold.spec, True)}", Counter())[gold] += 1
            coarse = template_key(s.gold.spec, False)
            value = parse_number(gold) if _is_number_question(s) else None
            if value is None:
                continue
            est = _count_estimate(ctx, s, s.docs_seen)
            if est is not None:
                table.setdefault(f"count:{coarse}", Counter())[str(round(value - est))] += 1
            n = _qnum(s)
            if n is not None:
                table.setdefault(f"qnum:{coarse}", Counter())[str(round(value - n))] += 1
    return table


@dataclass
class Row:
    """One cheat on one track and tier: per-seed composites and per-template hits."""

    composites: list[float] = field(default_factory=list)
    questions: int = 0
    correct: int = 0
    abstention: list[float] = field(default_factory=list)
    templates: dict[str, list[int]] = field(default_factory=dict)


def run_group(track_name: str, tier: str, seeds: int, train: int) -> dict[str, Row]:
    track = get_track(track_name)
    learned = learn(track, tier, range(TRAIN_BASE, TRAIN_BASE + train))
    rows = {name: Row() for name in ALL}
    for seed in range(seeds):
        scenario = track.generate(seed, tier)
        ctx = Ctx(track, scenario, track.priors(scenario.params), brief_count(scenario), learned)
        seen = walk(track, scenario)
        names = answer_names(scenario)
        for name, fn in ALL.items():
            records = []
            row = rows[name]
            for s in seen:
                text = fn(ctx, s)
                ok = is_correct(s.gold, text, names)
                q = s.gold
                records.append(
                    AnswerRecord(
                        question_id=q.id, kind=q.kind, axis=q.axis, answer=text, correct=ok
                    )
                )
                if q.answer is not None:
                    for key in (template_key(q.spec, False), f"kind:{q.kind}"):
                        hits = row.templates.setdefault(key, [0, 0])
                        hits[0] += ok
                        hits[1] += 1
            result = score(
                Transcript(scenario_hash=scenario.hash, answers=records),
                scenario,
                memory="cheat",
                reasoner=name,
            )
            if result.questions:
                row.composites.append(result.composite)
            row.questions += result.questions
            row.correct += round(result.accuracy * result.questions)
            if result.abstention is not None:
                row.abstention.append(result.abstention)
    return rows


def interval(values: list[float], boot: int, rng: random.Random) -> tuple[float, float]:
    """95 % percentile interval of the mean, resampling seeds."""
    if not values:
        return (0.0, 0.0)
    means = sorted(statistics.fmean(rng.choices(values, k=len(values))) for _ in range(boot))
    return means[int(0.025 * boot)], means[min(boot - 1, int(0.975 * boot))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--tracks", default="entities,research,codeqa,dialogue")
    parser.add_argument("--tiers", default="lite,standard")
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--train", type=int, default=20)
    parser.add_argument("--boot", type=int, default=1000)
    args = parser.parse_args(argv)
    rng = random.Random(0)
    findings: list[str] = []
    print(
        f"{'cheat':<22} {'track/tier':<18} {'composite':>9} {'95% interval':>15} "
        f"{'n_q':>5} {'acc':>6} {'abst':>5}"
    )
    for track_name in args.tracks.split(","):
        track = get_track(track_name)
        for tier in args.tiers.split(","):
            if tier not in track.tiers:
                continue
            start = time.perf_counter()
            rows = run_group(track_name, tier, args.seeds, args.train)
            label = f"{track_name}/{tier}"
            for name, row in rows.items():
                mean = statistics.fmean(row.composites) if row.composites else 0.0
                lo, hi = interval(row.composites, args.boot, rng)
                abst = statistics.fmean(row.abstention) if row.abstention else float("nan")
                acc = row.correct / max(1, row.questions)
                tag = " (diag)" if name in DIAGNOSTICS else " (fmt)" if name in FORMATS else ""
                print(
                    f"{name + tag:<22} {label:<18} {mean:>9.3f} [{lo:>5.3f}, {hi:>5.3f}] "
                    f"{row.questions:>5} {acc:>6.3f} {abst:>5.2f}"
                )
                if name not in CHEATS:
                    continue
                if mean > CEILING:
                    findings.append(f"{name} {label}: composite {mean:.3f} [{lo:.3f}, {hi:.3f}]")
                for template, (hit, n) in row.templates.items():
                    if n >= MIN_TEMPLATE and hit / n > TEMPLATE_SHARE:
                        low = lower_bound(hit, n)
                        findings.append(
                            f"{name} {label}: {hit}/{n} = {hit / n:.3f} (Wilson 95 % lower "
                            f"{low:.3f}{', beyond 10 %' if low > TEMPLATE_SHARE else ''}) on "
                            f"{template}"
                        )
            print(f"# {label}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    print("\nfindings:" if findings else "\nfindings: none")
    for line in findings:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
