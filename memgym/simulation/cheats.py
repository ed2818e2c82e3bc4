"""The cheat suite: strategies that remember nothing useful, run on every track and tier.

Each cheat answers every question of a scenario from what a memoryless agent could have: the
public question, the brief, the last few events before it (``RECENT``), the track's priors, the
scenario's list of names, and golds learned on *other* seeds. None holds a memory of the
stream, so each must score a mean composite of at most ``CHEAT_CEILING``; one that scores more
means the track's generator lets answers be had without remembering.

Cheats are cheap: one pass over a scenario's stream collects what every cheat may see
(``sightings``), and every cheat answers from that, scored by the scorer's own ``is_correct``.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from memgym.claims import Claim, format_number
from memgym.query import ABSTAIN, Table, evaluate
from memgym.reasoners.cheats import prior_guess
from memgym.scoring import is_correct
from memgym.scoring.normalize import numbers
from memgym.scoring.reading import Names, answer_names
from memgym.simulation.option_picker import Option as Listed
from memgym.simulation.option_picker import Picker, fit_picker
from memgym.tracks.base import Prior, Track
from memgym.tracks.registry import stream_events
from memgym.types import AnswerRecord, EpisodeResult, GoldQuestion, Question, Scenario

CHEAT_CEILING = 0.05
"""The most mean composite any cheat may score on any track and tier."""
RECENT = 3
"""Events a keep-last cheat may hold (the ``K`` of keep-last-K)."""
TRAIN_SEEDS = 10
"""Seeds a learning cheat learns golds on, far from any validated seed (``TRAIN_BASE + i``)."""
TRAIN_BASE = 1_000_000
PICKER_SEEDS = 30
"""Seeds the learned option picker trains on (``TRAIN_BASE + i``): a scenario asks few
selections, so it takes more seeds than the other learning cheats."""


@dataclass(frozen=True)
class Sighting:
    """What a memoryless agent has at one question: the public question and the last events."""

    question: Question
    recent: tuple[str, ...]
    """Texts of the last ``RECENT`` events before the question (questions excluded)."""
    pages: tuple[str, ...]
    """Texts of the last ``RECENT`` events that are not distractors (the last pages read)."""
    named: Mapping[str, str]
    """For each string the spec names (an entity, a catalogue id): the last event text naming
    it. Only the option-picking cheats use it, to read a catalogue and nothing about the
    customer."""
    attribute_values: tuple[str, ...] = ()
    """Every value of the asked attribute stated so far in the whole stream, whoever it is
    about, in stream order: what a memory that keeps values but not whose they are holds. Only
    the entity-blind cheats use it."""


@dataclass
class Context:
    """What a cheat may know besides the sighting: track, params, priors, brief, the names the
    scenario uses and the golds learned on other seeds."""

    track: Track
    scenario: Scenario
    priors: dict[str, Prior]
    learned: Mapping[str, Counter[str]] = field(default_factory=dict)
    picker: Picker | None = None
    """The learned option picker (``learn_picker``), where the track asks selections."""
    _names: list[str] | None = None

    @property
    def names(self) -> list[str]:
        """Every entity of the scenario (the names a shotgun answer would list)."""
        if self._names is None:
            self._names = sorted({f.entity for f in self.scenario.facts})
        return self._names


Cheat = Callable[[Context, Sighting], str]
CHEATS: dict[str, tuple[Cheat, str]] = {}


def cheat(name: str, about: str) -> Callable[[Cheat], Cheat]:
    """Register a cheat under ``name`` with a one-line description."""

    def decorate(fn: Cheat) -> Cheat:
        CHEATS[name] = (fn, about)
        return fn

    return decorate


def _read(ctx: Context, texts: Iterable[str], question: Question) -> str:
    claims: list[Claim] = []
    for text in texts:
        claims.extend(ctx.track.read_cached(text))
    return evaluate(question.spec, Table.from_claims(claims))


Texts = Callable[[Context, Sighting], Sequence[str]]
READERS: tuple[tuple[str, str, Texts], ...] = (
    ("last_event", "the scripted reader over the last event only", lambda c, s: s.recent[-1:]),
    (
        f"last_{RECENT}_events",
        f"the scripted reader over the last {RECENT} events",
        lambda c, s: s.recent,
    ),
    (
        "last_page",
        "the scripted reader over the last non-distractor event (page) only",
        lambda c, s: s.pages[-1:],
    ),
    (
        f"last_{RECENT}_pages",
        f"the scripted reader over the last {RECENT} non-distractor events",
        lambda c, s: s.pages,
    ),
    (
        "question_only",
        "the scripted reader over the question text alone",
        lambda c, s: [s.question.text],
    ),
    ("brief_only", "the scripted reader over the brief alone", lambda c, s: [c.scenario.brief]),
)
"""The cheats that run the track's scripted reader over what a memoryless agent sees: a name,
its description and the texts it reads."""


def _reading(texts: Texts) -> Cheat:
    """The cheat that reads ``texts`` with the track's scripted reader."""
    return lambda ctx, s: _read(ctx, texts(ctx, s), s.question)


for _name, _about, _texts in READERS:
    cheat(_name, _about)(_reading(_texts))


@cheat("echo", "repeats the question")
def echo(ctx: Context, s: Sighting) -> str:
    return s.question.text


@cheat("abstain", "always 'unknown'")
def abstain(ctx: Context, s: Sighting) -> str:
    return ABSTAIN


for _constant in ("0", "1", "2", "3"):
    cheat(f"const_{_constant}", f"always {_constant}")(
        lambda ctx, s, c=_constant: c  # type: ignore[misc]
    )


def _prior_value(prior: Prior | None, smart: bool) -> str:
    return "0" if prior is None else prior_guess(prior, smart)


@cheat("prior_median", "the middle of the asked attribute's prior (its first choice)")
def prior_median(ctx: Context, s: Sighting) -> str:
    return _prior_value(ctx.priors.get(s.question.spec.get("attribute", "")), smart=False)


@cheat("prior_mode", "the asked attribute's likeliest prior value")
def prior_mode(ctx: Context, s: Sighting) -> str:
    return _prior_value(ctx.priors.get(s.question.spec.get("attribute", "")), smart=True)


@cheat("first_named", "the first name the question's spec mentions")
def first_named(ctx: Context, s: Sighting) -> str:
    spec = s.question.spec
    names = spec.get("entities") or [spec.get("entity") or spec.get("from") or ABSTAIN]
    return str(names[0])


@cheat("candidates", "every value stated in the last events, listed")
def candidates(ctx: Context, s: Sighting) -> str:
    values: list[str] = []
    for text in s.recent:
        values += [c.value for c in ctx.track.read_cached(text)]
    return ", ".join(dict.fromkeys([*values, "0", "1", "2"]))


@cheat("every_entity", "names every entity of the scenario")
def every_entity(ctx: Context, s: Sighting) -> str:
    return ", ".join(ctx.names)


@cheat(
    "stream_attribute_list",
    "every value of the asked attribute stated so far, about anyone, listed (a long answer "
    "that holds the gold)",
)
def stream_attribute_list(ctx: Context, s: Sighting) -> str:
    return ", ".join(dict.fromkeys(s.attribute_values)) or ABSTAIN


@cheat(
    "vocabulary_list",
    "every value of the asked attribute the track's streams state on other seeds, listed "
    "(the track's vocabulary, no memory of this stream)",
)
def vocabulary_list(ctx: Context, s: Sighting) -> str:
    values = ctx.learned.get(f"vocab:{asked_attribute(s.question.spec)}")
    return ", ".join(sorted(values)) if values else ABSTAIN


def prior_count(ctx: Context, spec: Mapping[str, Any]) -> int | None:
    """``independence_count`` with the scenario's entity count (its ``entities`` or
    ``functions`` parameter)."""
    params = ctx.scenario.params
    return independence_count(
        ctx.priors, spec, int(params.get("entities") or params.get("functions") or 0)
    )


def independence_count(priors: Mapping[str, Prior], spec: Mapping[str, Any], n: int) -> int | None:
    """A count question's estimate from priors alone: ``n`` times each filter's prior share
    (``==`` a choice: its weight or 1/choices; ``>``/``<`` a threshold: the prior range's share
    beyond it; anything else 1/2), rounded. None for other questions."""
    if spec.get("op") not in ("count", "aggregate") or spec.get("fn", "count") != "count":
        return None
    estimate = float(n)
    for w in spec.get("where", []):
        if isinstance(w, list) and len(w) == 3 and w[0] != "travels_with":
            estimate *= _prior_share(priors.get(str(w[0])), str(w[1]), w[2])
    return int(estimate + 0.5)


def _prior_share(prior: Prior | None, op: str, value: Any) -> float:
    if prior is None:
        return 0.5
    if op == "==" and prior.choices:
        if prior.weights and str(value) in prior.choices:
            return prior.weights[prior.choices.index(str(value))] / sum(prior.weights)
        return 1 / len(prior.choices)
    found = numbers(str(value))
    if not found or op not in ("<", "<=", ">", ">=") or prior.high <= prior.low:
        return 0.5
    above = (prior.high - float(found[0])) / (prior.high - prior.low)
    above = min(1.0, max(0.0, above))
    return above if op.startswith(">") else 1 - above


@cheat(
    "prior_count", "a count's independence estimate: entity count times the filters' prior shares"
)
def prior_count_cheat(ctx: Context, s: Sighting) -> str:
    estimate = prior_count(ctx, s.question.spec)
    return ABSTAIN if estimate is None else str(estimate)


@cheat(
    "prior_count_plus1",
    "prior_count plus one (a generator that redraws golds equal to the estimate leaves its "
    "neighbours likelier)",
)
def prior_count_plus1(ctx: Context, s: Sighting) -> str:
    estimate = prior_count(ctx, s.question.spec)
    return ABSTAIN if estimate is None else str(estimate + 1)


def asked_attribute(spec: Mapping[str, Any]) -> str:
    """The attribute a question's answer is a value of (a chain's last relation when it asks
    for the entity at the chain's end)."""
    relations = spec.get("relations") or [""]
    return str(spec.get("attribute") or relations[-1])


def _recent_values(ctx: Context, s: Sighting) -> list[str]:
    """Values of the asked attribute stated in the last events, whoever they are about."""
    attribute = asked_attribute(s.question.spec)
    return [c.value for t in s.recent for c in ctx.track.read_cached(t) if c.attribute == attribute]


@cheat("recent_attribute", "the last value of the asked attribute in the last events, any entity")
def recent_attribute(ctx: Context, s: Sighting) -> str:
    values = _recent_values(ctx, s)
    return values[-1] if values else ABSTAIN


@cheat("recent_values_or", "every value of the asked attribute in the last events, joined by 'or'")
def recent_values_or(ctx: Context, s: Sighting) -> str:
    return " or ".join(dict.fromkeys(_recent_values(ctx, s))) or ABSTAIN


@cheat(
    "stream_attribute_last",
    "the last value of the asked attribute stated anywhere so far, about anyone "
    "(a memory of values without whose they are)",
)
def stream_attribute_last(ctx: Context, s: Sighting) -> str:
    return s.attribute_values[-1] if s.attribute_values else ABSTAIN


@cheat(
    "stream_attribute_mode",
    "the commonest value of the asked attribute stated so far, about anyone (ties: first seen)",
)
def stream_attribute_mode(ctx: Context, s: Sighting) -> str:
    counts = Counter(s.attribute_values)
    return max(counts, key=counts.__getitem__) if counts else ABSTAIN  # first seen wins ties


def _kth_last(k: int) -> Callable[[Sequence[str]], str]:
    return lambda values: values[-k] if len(values) >= k else ""


def _kth_first(k: int) -> Callable[[Sequence[str]], str]:
    return lambda values: values[k - 1] if len(values) >= k else ""


def _kth_distinct(k: int, latest: bool) -> Callable[[Sequence[str]], str]:
    """The k-th distinct value by its last mention (``latest``) or by its first."""

    def rule(values: Sequence[str]) -> str:
        seen = list(dict.fromkeys(reversed(values) if latest else values))
        return seen[k - 1] if len(seen) >= k else ""

    return rule


def _by_count(values: Sequence[str], commonest: bool, latest: bool) -> list[str]:
    """Distinct values by how often they were stated; ties: the one mentioned last first
    (``latest``) or the one seen first first."""
    counts = Counter(values)
    order = list(dict.fromkeys(reversed(values) if latest else values))
    return sorted(order, key=lambda v: -counts[v] if commonest else counts[v])


def _kth_by_count(
    k: int, window: int, commonest: bool, latest: bool
) -> Callable[[Sequence[str]], str]:
    def rule(values: Sequence[str]) -> str:
        ranked = _by_count(values[-window:], commonest, latest)
        return ranked[k - 1] if len(ranked) >= k else ""

    return rule


WINDOWS = (5, 10, 20, 50, 10**9)
"""The last values a frequency rule counts over (10**9: all of them)."""

DEPTH = 40
"""The deepest place a position rule counts to, from either end (the k of k-th last, k-th first,
k-th distinct)."""

Rule = Callable[[Sequence[str]], str]


def position_rules(depth: int) -> dict[str, Rule]:
    """The entity-blind rules with place rules counted to ``depth`` from either end."""
    places = range(1, depth + 1)
    return {
        **{f"last{k}": _kth_last(k) for k in places},
        **{f"first{k}": _kth_first(k) for k in places},
        **{f"distinct{k}": _kth_distinct(k, latest=True) for k in places},
        **{f"first_distinct{k}": _kth_distinct(k, latest=False) for k in places},
        **{
            f"{'commonest' if common else 'rarest'}{k}@{w}{'' if latest else '^'}": _kth_by_count(
                k, w, common, latest
            )
            for common, ks in ((True, (1, 2, 3)), (False, (1, 2, 3)))
            for k in ks
            for w in WINDOWS
            for latest in (True, False)
        },
    }


POSITION_RULES = position_rules(DEPTH)
"""Ways to pick one of the asked attribute's stated values by position or frequency alone (no
entity): the entity-blind memory's answers, one of which ``stream_attribute_learned`` learns."""


@cheat(
    "stream_attribute_learned",
    "of the asked attribute's values stated so far (about anyone), the one at the position or "
    "frequency rank (k-th last or first, k-th distinct from either end, k = 1-40, k-th commonest "
    "or rarest over the last 5-50 or all values) that held the gold most often on other seeds, "
    "per template",
)
def stream_attribute_learned(ctx: Context, s: Sighting) -> str:
    name = learned_rule(ctx.learned, s.question.spec)
    if name is None:
        return ABSTAIN
    return POSITION_RULES[name](s.attribute_values) or ABSTAIN


def learned_rule(learned: Mapping[str, Counter[str]], spec: Mapping[str, Any]) -> str | None:
    """The rule that held the gold most often for the question's template (``learn_rules``'
    counts), or over every template when that one held fewer than ``MIN_RULE_HITS`` times."""
    rules = learned.get(f"rule:{template_key(spec, False)}")
    if not rules or rules.most_common(1)[0][1] < MIN_RULE_HITS:
        rules = learned.get("rule:*")
    return rules.most_common(1)[0][0] if rules else None


MIN_RULE_HITS = 3
"""A template's own learned rule is used when it held the gold at least this often; otherwise
the rule learned over every template."""


@cheat("question_number", "the last number the question states (a filter threshold, a year)")
def question_number(ctx: Context, s: Sighting) -> str:
    found = numbers(s.question.text)
    return format_number(float(found[-1])) if found else ABSTAIN


@cheat("every_number", "every integer from 0 to 1000, listed")
def every_number(ctx: Context, s: Sighting) -> str:
    return EVERY_NUMBER


EVERY_NUMBER = ", ".join(str(i) for i in range(1001))


def template_key(spec: Mapping[str, Any], fine: bool) -> str:
    """The question's template: its spec without the names it asks about (``fine``: filter
    values kept, so 'count kosher meals' and 'count vegan meals' differ)."""
    dropped = {"entity", "entities", "from", "to"}
    out: dict[str, Any] = {}
    for key, value in spec.items():
        if key in dropped:
            continue
        if key in ("where", "match") and isinstance(value, list):
            value = [list(w) if fine else list(w[:2]) for w in value if isinstance(w, list)]
            if fine:  # a value that names an entity is not part of the template
                value = [w for w in value if w[0] not in ("travels_with", "catalogue")]
        out[key] = value
    return json.dumps(out, sort_keys=True)


def learn(track: Track, tier: str | None, overrides: Mapping[str, Any]) -> dict[str, Counter[str]]:
    """What the learning cheats take from ``TRAIN_SEEDS`` other seeds: per template key, how
    often each gold text answered it (``"{fine}:{key}"``), how often each of the
    ``POSITION_RULES`` picked the gold from the asked attribute's stated values
    (``"rule:{key}"``, and ``"rule:*"`` over every template), and every value stated per
    attribute (``"vocab:{attribute}"``)."""
    table: dict[str, Counter[str]] = {}
    for i in range(TRAIN_SEEDS):
        scenario = track.generate(TRAIN_BASE + i, tier, **dict(overrides))
        for q in scenario.questions:
            if q.answer is None:
                continue
            gold = q.answer if isinstance(q.answer, str) else _gold_text(q.answer)
            for fine in (False, True):
                table.setdefault(f"{fine}:{template_key(q.spec, fine)}", Counter())[gold] += 1
        learn_rules(track, scenario, table)
        learn_vocabulary(track, scenario, table)
    return table


def learn_vocabulary(track: Track, scenario: Scenario, table: dict[str, Counter[str]]) -> None:
    """Count every value the track's reader finds in ``scenario``'s stream, per attribute
    (``"vocab:{attribute}"``): the vocabulary ``vocabulary_list`` answers with."""
    for event in stream_events(scenario):
        if event.question is None:
            for claim in track.read_cached(event.text):
                table.setdefault(f"vocab:{claim.attribute}", Counter())[claim.value] += 1


def learn_rules(
    track: Track,
    scenario: Scenario,
    table: dict[str, Counter[str]],
    rules: Mapping[str, Rule] = POSITION_RULES,
) -> None:
    """Count, per template and overall, the ``rules`` that would have answered right."""
    reading = answer_names(scenario)
    overall = table.setdefault("rule:*", Counter())
    for gold, sighting in sightings(track, scenario):
        if gold.answer is None or not sighting.attribute_values:
            continue
        held = rules_holding(gold, sighting.attribute_values, rules, reading)
        table.setdefault(f"rule:{template_key(gold.spec, False)}", Counter()).update(held)
        overall.update(held)


def rules_holding(
    gold: GoldQuestion, values: Sequence[str], rules: Mapping[str, Rule], names: Names
) -> list[str]:
    """The ``rules`` whose pick among ``values`` the scorer marks right for ``gold``, in
    ``rules``' order (each distinct pick judged once: many rules pick the same value)."""
    marked: dict[str, bool] = {}
    out = []
    for name, rule in rules.items():
        answer = rule(values)
        if not answer:
            continue
        if answer not in marked:
            marked[answer] = is_correct(gold, answer, names)
        if marked[answer]:
            out.append(name)
    return out


def _gold_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return format_number(value) if isinstance(value, (int, float)) else str(value)


def _learned(ctx: Context, s: Sighting, fine: bool) -> str:
    counts = ctx.learned.get(f"{fine}:{template_key(s.question.spec, fine)}")
    return counts.most_common(1)[0][0] if counts else ABSTAIN


@cheat("template_gold", "the commonest gold of the question's template on other seeds")
def template_gold(ctx: Context, s: Sighting) -> str:
    return _learned(ctx, s, fine=False)


@cheat("template_gold_fine", "as template_gold, with the template's filter values kept")
def template_gold_fine(ctx: Context, s: Sighting) -> str:
    return _learned(ctx, s, fine=True)


def _options(ctx: Context, s: Sighting) -> list[dict[str, str]]:
    """The options of a selection question's catalogue, read from the last event naming it."""
    where = s.question.spec.get("where", [])
    ids = [w[2] for w in where if isinstance(w, list) and len(w) == 3 and w[0] == "catalogue"]
    if s.question.spec.get("op") != "select" or not ids or ids[0] not in s.named:
        return []
    return _listed(ctx.track, s.named[ids[0]], ids[0])


NOT_COMPARED = frozenset({"id", "stops", "fare_usd", "catalogue", "airline", "departs"})
"""Option fields the typical-option cheats do not compare: ids, limits and per-flight noise."""


@cheat("first_option", "the first option of the asked catalogue (no customer known)")
def first_option(ctx: Context, s: Sighting) -> str:
    options = _options(ctx, s)
    return options[0]["id"] if options else ABSTAIN


Option = dict[str, str]
Scorer = Callable[[list[Option], list[str]], Callable[[Option], int]]
"""Given a catalogue's options and the fields compared, how each option scores."""


def _best_option(ctx: Context, s: Sighting, scorer: Scorer) -> str:
    """The id of the asked catalogue's option that scores highest, then has the fewest stops,
    then is cheapest (the first of equals); ABSTAIN without a catalogue."""
    options = _options(ctx, s)
    if not options:
        return ABSTAIN
    score = scorer(options, [k for k in options[0] if k not in NOT_COMPARED])

    def rank(o: Option) -> tuple[int, float, float]:
        return (-score(o), _num(o.get("stops")), _num(o.get("fare_usd")))

    return min(options, key=rank)["id"]


def _typicality(options: list[Option], fields: list[str]) -> Callable[[Option], int]:
    """How many compared fields an option shares with the commonest value of each."""
    common = {k: Counter(o.get(k) for o in options).most_common(1)[0][0] for k in fields}
    return lambda o: sum(o.get(k) == v for k, v in common.items())


def _neighbours(options: list[Option], fields: list[str]) -> Callable[[Option], int]:
    """How many options differ from an option in exactly one compared field."""
    return lambda o: sum(sum(o.get(k) != p.get(k) for k in fields) == 1 for p in options)


PICKERS: tuple[tuple[str, str, Scorer], ...] = (
    (
        "central_option",
        (
            "the catalogue's most typical option: commonest route/day/cabin, "
            "then fewest stops, then cheapest (no customer known)"
        ),
        _typicality,
    ),
    (
        "cheapest_option",
        "the asked catalogue's cheapest option, fewest stops first",
        lambda options, fields: lambda o: 0,
    ),
    (
        "hub_option",
        (
            "the option with the most neighbours (options differing from it in one "
            "of route/day/cabin), then fewest stops, then cheapest (no customer known)"
        ),
        _neighbours,
    ),
)
"""The cheats that pick one option of the asked catalogue (no customer known): a name, its
description and how it scores the options."""


@cheat(
    "learned_option",
    "the option a classifier trained on other seeds' catalogues scores likeliest, from each "
    "option's structure alone: its place, how many options share its route, day or cabin, "
    "its cell's size, its fare and stops ranked in its cell and catalogue (no customer known)",
)
def learned_option(ctx: Context, s: Sighting) -> str:
    options = _options(ctx, s)
    if not options or ctx.picker is None:
        return ABSTAIN
    return ctx.picker.pick(options) or ABSTAIN


def learn_picker(track: Track, tier: str | None, overrides: Mapping[str, Any]) -> Picker | None:
    """The option picker trained on ``PICKER_SEEDS`` other seeds' selection questions: each
    asked catalogue's options (read from the last page naming it, as ``_options`` reads them)
    and the gold; None when the track asks no selection (or scikit-learn is missing)."""
    from memgym.simulation.learned_selector import available

    if not available():
        return None
    catalogues: list[tuple[list[Listed], str]] = []
    for i in range(PICKER_SEEDS):
        scenario = track.generate(TRAIN_BASE + i, tier, **dict(overrides))
        if not any(q.spec.get("op") == "select" for q in scenario.questions):
            return None  # a track's scenarios all ask selections or none do
        wanted = {v for q in scenario.questions for v in _spec_strings(q.spec)}
        naming: dict[str, str] = {}  # as ``sightings`` finds the page naming a catalogue
        for event in scenario.events:  # catalogues are core events, never filler
            q = event.question
            if q is None:
                if event.kind != "distractor":
                    naming.update({tag: event.text for tag in wanted if tag in event.text})
                continue
            ids = _spec_strings(q.spec)
            if q.spec.get("op") != "select" or not ids or ids[0] not in naming:
                continue
            if isinstance(q.answer, str):
                catalogues.append((_listed(track, naming[ids[0]], ids[0]), q.answer))
    return fit_picker(catalogues)


def _listed(track: Track, text: str, tag: str) -> list[Listed]:
    """The options of catalogue ``tag`` that ``text`` lists (fields by the track's reader)."""
    rows: dict[str, dict[str, str]] = {}
    for c in track.read_cached(text):
        rows.setdefault(c.entity, {})[c.attribute] = c.value
    return [{"id": e, **r} for e, r in rows.items() if r.get("catalogue") == tag]


def _picking(scorer: Scorer) -> Cheat:
    """The cheat that picks the asked catalogue's best option by ``scorer``."""
    return lambda ctx, s: _best_option(ctx, s, scorer)


for _name, _about, _scorer in PICKERS:
    cheat(_name, _about)(_picking(_scorer))


def _num(text: str | None) -> float:
    try:
        return float(text or "inf")
    except ValueError:
        return float("inf")


def sightings(track: Track, scenario: Scenario) -> list[tuple[GoldQuestion, Sighting]]:
    """One pass over the stream: each question (gold, for the scorer) and what a memoryless
    agent sees at it (plus the asked attribute's values so far, for the entity-blind cheats)."""
    recent: deque[str] = deque(maxlen=RECENT)
    pages: deque[str] = deque(maxlen=RECENT)
    wanted = {v for q in scenario.questions for v in _spec_strings(q.spec)}
    last_naming: dict[str, str] = {}
    asked = {asked_attribute(q.spec) for q in scenario.questions}
    values: dict[str, list[str]] = {a: [] for a in asked}
    read = track.read_cached
    out = []
    for event in stream_events(scenario):
        q = event.question
        if q is None:
            recent.append(event.text)
            for claim in read(event.text):
                if claim.attribute in values:
                    values[claim.attribute].append(claim.value)
            if event.kind != "distractor":
                pages.append(event.text)
                for name in wanted:
                    if name in event.text:
                        last_naming[name] = event.text
            continue
        public = q.public()
        named = {v: last_naming[v] for v in _spec_strings(public.spec) if v in last_naming}
        stated = tuple(values[asked_attribute(public.spec)])
        out.append((q, Sighting(public, tuple(recent), tuple(pages), named, stated)))
    return out


def _spec_strings(spec: Mapping[str, Any]) -> list[str]:
    """The catalogue ids a spec filters on (the only names the option cheats look up)."""
    return [
        w[2]
        for w in spec.get("where", [])
        if isinstance(w, list) and len(w) == 3 and w[0] == "catalogue" and isinstance(w[2], str)
    ]


def run_cheats(
    track: Track,
    scenario: Scenario,
    learned: Mapping[str, Counter[str]],
    names: Sequence[str] | None = None,
    picker: Picker | None = None,
) -> dict[str, EpisodeResult]:
    """Every cheat (or those in ``names``) on ``scenario``, scored as episodes with no writes
    (``picker``: the learned option picker, ``learn_picker``'s; without it that cheat
    abstains)."""
    from memgym.run.episode import score
    from memgym.types import Transcript

    ctx = Context(track, scenario, track.priors(scenario.params), learned, picker)
    seen = sightings(track, scenario)
    reading = answer_names(scenario)
    scenario_hash = scenario.hash
    results = {}
    marked: dict[tuple[str, str], bool] = {}  # many cheats give the same answer: score it once
    for name in names or list(CHEATS):
        fn = CHEATS[name][0]
        records = []
        for gold, sighting in seen:
            text = fn(ctx, sighting)
            key = (gold.id, text)
            if key not in marked:
                marked[key] = is_correct(gold, text, reading)
            records.append(
                AnswerRecord(
                    question_id=gold.id,
                    kind=gold.kind,
                    axis=gold.axis,
                    answer=text,
                    correct=marked[key],
                )
            )
        transcript = Transcript(scenario_hash=scenario_hash, answers=records)
        results[name] = score(transcript, scenario, memory="cheat", reasoner=name)
    return results


def mean_composite(results: Sequence[EpisodeResult]) -> float:
    """Mean composite over episodes that have scored questions."""
    values = [r.composite for r in results if r.questions]
    return statistics.fmean(values) if values else 0.0
