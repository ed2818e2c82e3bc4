"""What the report shows, read from a results file: the leaderboard, per-axis means, memory-isolated
scores (recomputed from the stored answers with ``memgym.scoring.isolation``), accuracy against
stream length and against budget, compactions per episode, and MemRM predictions when present.

``infra_error`` episodes are left out everywhere. Incomplete runs (an ``infra_error`` episode, or
episodes never run) are listed and flagged; the leaderboard ranks only complete runs unless asked
to include them. Plain data only: drawing is ``charts.py``'s job. The file is opened read-only.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from memgym.report.names import model_name, scrubbed, spec_shown, without_model
from memgym.run.results import ResultsStore
from memgym.run.summary import mean_se
from memgym.scoring.isolation import IsolatedScore, answer_table, isolate
from memgym.types import EpisodeResult

AXES = ("breadth", "maintenance", "reasoning", "efficiency")
LENGTH_PARAMS = ("target_tokens", "entities", "tier")
"""Track parameters that set a stream's length, first match wins (its groups are the x points)."""
BUDGET_OPTIONS = ("max_tokens", "k", "keep", "max_writes", "budget")
"""Memory spec options that set a memory's budget, first match wins."""


@dataclass
class Episode:
    """One stored episode with what the report needs beyond the result itself."""

    result: EpisodeResult
    run_id: int
    compactions: int
    label: str = ""


@dataclass
class Point:
    """Mean ± standard error of accuracy over the episodes at one x."""

    x: float
    y: float
    se: float
    n: int


@dataclass
class IsolationGroup:
    """Memory-isolated scores of the memories one reasoner ran on the same scenarios."""

    track: str
    reasoner: str
    model: str
    scores: list[IsolatedScore]
    ceiling: str = "oracle"
    """The reference memory: ``oracle``, or ``full`` on an interactive track."""
    rewards: dict[str, float] = field(default_factory=dict)
    """Interactive tracks: memory -> mean task reward (the verifier's) over scored tasks."""
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)
    """Interactive tracks: memory -> task outcome class -> tasks."""

    @property
    def interactive(self) -> bool:
        return self.ceiling == "full"


@dataclass
class RMSplit:
    """MemRM predictions of one split: evaluation -> (HARMFUL labels, P(HARMFUL)). An evaluation
    is named by its label, with its model kind when they differ (``lora-r16 (lora)``)."""

    split: str
    models: dict[str, tuple[list[bool], list[float]]]


@dataclass
class TrackData:
    """Everything drawn for one track."""

    track: str
    labels: list[str]
    axes: dict[str, dict[str, float]]
    compactions: dict[str, tuple[float, float]]
    length: dict[str, list[Point]]
    length_param: str
    budget: dict[str, dict[str, list[Point]]] = field(default_factory=dict)
    """memory family -> label (family plus model) -> points over the budget option's values."""
    budget_option: dict[str, str] = field(default_factory=dict)
    interactive: bool = False
    """Agent sessions (swe, web, tau2): no question axes, no stream length."""


@dataclass
class ReportData:
    path: str
    runs: list[dict[str, Any]]
    episodes: int
    infra_errors: int
    leaderboard: list[dict[str, Any]]
    tracks: list[TrackData]
    isolation: list[IsolationGroup]
    rm: list[RMSplit]
    include_incomplete: bool = False

    @property
    def incomplete(self) -> list[dict[str, Any]]:
        """The runs shown that are not complete."""
        return [r for r in self.runs if not r.get("complete", True)]


def load(
    path: str, run_id: int | None = None, resamples: int = 1000, include_incomplete: bool = False
) -> ReportData:
    """Read everything the report shows from the results file at ``path``."""
    with ResultsStore.open_read(path) as store:
        if run_id is not None:
            store.run_config(run_id)
        runs = [r for r in store.runs() if run_id is None or r["id"] == run_id]
        index = store.episode_index(run_id)
        stored = [
            Episode(result, rid, n)
            for (rid, n), result in zip(
                index, store.episodes(run_id, compactions=False), strict=True
            )
        ]
        board = [named_row(public_row(r)) for r in store.leaderboard(run_id, include_incomplete)]
        rm = rm_splits(store.db)
    for run in runs:
        run["config"] = scrubbed(run["config"])
    for e in stored:
        public_result(e.result)
    episodes = [e for e in stored if e.result.status != "infra_error"]
    name_episodes(episodes)
    return ReportData(
        path=path,
        runs=runs,
        episodes=len(episodes),
        infra_errors=len(stored) - len(episodes),
        leaderboard=board,
        tracks=[
            track_data(t, [e for e in episodes if e.result.track == t])
            for t in sorted({e.result.track for e in episodes})
        ],
        isolation=isolation_groups([e.result for e in episodes], resamples),
        rm=rm,
        include_incomplete=include_incomplete,
    )


def interactive(track: str) -> bool:
    """Whether ``track`` is an interactive track (False for one this memgym does not know)."""
    from memgym.tracks import get_track

    try:
        return bool(get_track(track).interactive)
    except (KeyError, ValueError):
        return False


def public_row(row: dict[str, Any]) -> dict[str, Any]:
    """A leaderboard row with its model and specs as the report names them (no endpoint, no
    path: ``memgym.report.names``)."""
    row["model"] = model_name(str(row["model"]))
    row["memory"], row["reasoner"] = spec_shown(row["memory"]), spec_shown(row["reasoner"])
    return row


def public_result(result: EpisodeResult) -> None:
    """``public_row`` for an episode: its model and specs as the report names them."""
    result.model = model_name(result.model)
    result.memory, result.reasoner = spec_shown(result.memory), spec_shown(result.reasoner)


def named_row(row: dict[str, Any]) -> dict[str, Any]:
    """A leaderboard row with its tier (the track's default when run without one) and ``shown``,
    what its policy column shows: the policy, else ``agent NAME`` or ``reasoner NAME``."""
    from memgym.tracks import get_track

    if not row.get("tier"):
        try:
            row["tier"] = get_track(str(row["track"])).default_tier
        except (KeyError, ValueError):
            pass
    if row.get("setup"):  # parameters changed from the tier's: a setup of its own
        row["tier"] = f"{row['tier']} ({str(row['setup']).replace(',', ', ')})"  # lines may break
    actor = "agent" if interactive(str(row["track"])) else "reasoner"
    row["shown"] = row.get("policy") or f"{actor} {without_model(row['reasoner'])}"
    return row


def name_episodes(episodes: Sequence[Episode]) -> None:
    """Label each episode by its memory, plus its model when a track ran more than one."""
    models: dict[str, set[str]] = {}
    for e in episodes:
        models.setdefault(e.result.track, set()).add(e.result.model)
    for e in episodes:
        many = len(models[e.result.track]) > 1
        e.label = f"{e.result.memory} · {e.result.model}" if many else e.result.memory


def points(groups: dict[Any, list[float]], xs: dict[Any, list[float]] | None = None) -> list[Point]:
    """One point per group key, at the mean of ``xs[key]`` (or the key itself), sorted by x."""
    out = []
    for key, values in groups.items():
        m, se = mean_se(values)
        x = sum(xs[key]) / len(xs[key]) if xs else key
        out.append(Point(x, m, se, len(values)))
    return sorted(out, key=lambda p: p.x)


def track_data(track: str, episodes: Sequence[Episode]) -> TrackData:
    """Per-axis means, compactions per episode, accuracy against length and budget, by label."""
    labels = list(dict.fromkeys(e.label for e in episodes))
    by_label: dict[str, list[Episode]] = {}
    for e in episodes:
        by_label.setdefault(e.label, []).append(e)
    axes = {
        label: {a: _mean([e.result.axes[a] for e in rows if a in e.result.axes]) for a in AXES}
        for label, rows in by_label.items()
    }
    compactions = {
        label: mean_se([float(e.compactions) for e in rows]) for label, rows in by_label.items()
    }
    param = next((p for p in LENGTH_PARAMS if any(p in e.result.params for e in episodes)), "tier")
    length: dict[str, list[Point]] = {}
    for label, rows in by_label.items():
        acc: dict[Any, list[float]] = {}
        toks: dict[Any, list[float]] = {}
        for e in rows:
            key = e.result.params.get(param, e.result.tokens_observed)
            acc.setdefault(key, []).append(e.result.accuracy)
            toks.setdefault(key, []).append(float(e.result.tokens_observed))
        length[label] = points(acc, toks)
    data = TrackData(track, labels, axes, compactions, length, param)
    data.interactive = interactive(track)
    if not data.interactive:
        budget_data(data, episodes)
    return data


def budget_data(data: TrackData, episodes: Iterable[Episode]) -> None:
    """Accuracy against the budget option of every memory family run at two or more budgets."""
    from memgym.specs import parse_spec

    families: dict[str, dict[str, dict[float, list[float]]]] = {}
    options: dict[str, str] = {}
    for e in episodes:
        family, opts = parse_spec(e.result.memory)
        option = next((o for o in BUDGET_OPTIONS if isinstance(opts.get(o), int | float)), None)
        if option is None:
            continue
        options.setdefault(family, option)
        if options[family] != option:
            continue
        label = e.label.replace(e.result.memory, family, 1)
        by_value = families.setdefault(family, {}).setdefault(label, {})
        by_value.setdefault(float(opts[option]), []).append(e.result.accuracy)
    for family, series in families.items():
        if len({v for by_value in series.values() for v in by_value}) < 2:
            continue
        data.budget[family] = {label: points(by_value) for label, by_value in series.items()}
        data.budget_option[family] = options[family]


def isolation_groups(results: Sequence[EpisodeResult], resamples: int) -> list[IsolationGroup]:
    """Isolated scores per (track, reasoner, model) that ran both ``none`` and ``oracle`` (on an
    interactive track: ``none`` and ``full``, the ceiling, with task rewards and outcomes)."""
    from memgym.interactive.episode import outcome_counts

    groups: dict[tuple[str, str, str], list[EpisodeResult]] = {}
    for r in results:
        groups.setdefault((r.track, r.reasoner, r.model), []).append(r)
    out = []
    for (track, reasoner, model), rows in sorted(groups.items()):
        ceiling = "full" if interactive(track) else "oracle"
        table = answer_table(rows)
        if "none" not in table or ceiling not in table:
            continue
        scores = isolate(table, oracle=ceiling, resamples=resamples)
        order = list(dict.fromkeys(r.memory for r in rows))
        group = IsolationGroup(track, reasoner, model, [scores[m] for m in order], ceiling)
        if group.interactive:
            group.outcomes = outcome_counts(rows)
            for memory in order:
                mine = [r for r in rows if r.memory == memory]
                tasks = sum(r.questions for r in mine)
                reward = sum(r.composite * r.questions for r in mine)
                group.rewards[memory] = reward / tasks if tasks else math.nan
        out.append(group)
    return out


def rm_splits(db: sqlite3.Connection) -> list[RMSplit]:
    """MemRM predictions per split (table ``rm_predictions``), or nothing when there is none."""
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rm_predictions'"
    ).fetchone()
    if not exists:
        return []
    splits: dict[str, dict[str, tuple[list[bool], list[float]]]] = {}
    for split, label, model, harmful, p in db.execute(
        "SELECT split, label, model, harmful, p_harmful FROM rm_predictions ORDER BY rowid"
    ):
        name = model if label in (None, "", model) else f"{label} ({model})"
        labels, scores = splits.setdefault(split, {}).setdefault(name, ([], []))
        labels.append(bool(harmful))
        scores.append(float(p))
    return [RMSplit(s, models) for s, models in splits.items()]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan
