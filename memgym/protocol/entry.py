"""The leaderboard entry of one ``memgym eval`` run: the protocol (name, version, fingerprint),
the model, every track's score and interval, tokens per track (measured and estimated), and how
complete the run is. Built from the results file alone, so a resumed run gives the same entry
byte for byte; no clock time or run id is in it.

The JSON schema shipped beside this file (``entry.schema.json``) is ``Entry``'s, written by
``memgym eval --fingerprint --write``; a test keeps the two equal.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from memgym import __version__
from memgym.protocol.estimate import TrackCost
from memgym.protocol.score import track_score
from memgym.protocol.spec import PROBE, Protocol
from memgym.run.results import RunStatus
from memgym.scoring.isolation import IsolatedScore, answer_table, isolate
from memgym.types import EpisodeResult

SCHEMA_ID = "memgym-eval-entry/1"
SCHEMA_PATH = Path(__file__).with_name("entry.schema.json")
DIGITS = 4


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Tokens(Strict):
    """LLM calls and tokens (memgym's count for estimates, the server's for measured ones).
    Calls answered by the call cache (``--cache``) count in ``calls`` and ``cached``, and their
    tokens in ``cached_prompt`` and ``cached_completion`` (as the server counted them when the call
    was first made): ``prompt`` and ``completion`` are what this evaluation had the server process,
    the sums of both what the model's work on the protocol costs."""

    calls: int = Field(ge=0)
    cached: int = Field(ge=0, default=0)
    prompt: int = Field(ge=0)
    completion: int = Field(ge=0)
    tool_calls: int = Field(ge=0, default=0)
    tool_calls_executed: int = Field(ge=0, default=0)
    cached_prompt: int = Field(ge=0, default=0)
    cached_completion: int = Field(ge=0, default=0)


class MemoryScore(Strict):
    """One memory's scores on a track (null where undefined)."""

    memory: str
    accuracy: float | None
    isolated: float | None
    ci_low: float | None
    ci_high: float | None
    oracle_right: float | None
    boundary: str = Field(
        default="in-process",
        description="what ran the memory (memgym/types.py EpisodeResult.boundary): the "
        "protocol's own memories run in-process, a plugin's in a worker (sandbox or process)",
    )


class TrackEntry(Strict):
    """One track: the headline score (mean isolated score of the strategies) with its 95 %
    interval, every memory's scores, answer statuses and tokens. On an interactive track the
    questions are the scored tasks, the ceiling is ``full`` and nothing is leaked (no probe)."""

    track: str
    ceiling: str = Field(
        default="oracle",
        description="what the isolated scores divide by: oracle (a stream track) or full "
        "(an interactive track: the share of full's gain over none the strategies keep)",
    )
    tier: str
    params: dict[str, Any]
    seeds: list[int]
    episodes: int = Field(ge=0)
    questions: int = Field(ge=0, description="questions every memory answered")
    scored: int = Field(ge=0, description="of them, not leaked closed-book")
    leaked: int = Field(ge=0)
    score: float | None
    ci_low: float | None
    ci_high: float | None
    memories: list[MemoryScore]
    plugin_memories: list[MemoryScore] = Field(
        default_factory=list,
        description="third-party memories (memgym eval --plugin) scored beside the protocol's "
        "against the same none and ceiling: not part of score, never ranked",
    )
    context_overflow: int = Field(ge=0)
    model_error: int = Field(ge=0)
    tokens: Tokens
    estimated: Tokens | None = Field(
        description="null on an interactive track: its estimate is printed before the run by "
        "the invocation that has its engine, and is not part of the entry"
    )


class ProtocolRef(Strict):
    name: str
    version: int = Field(ge=1)
    fingerprint: str = Field(pattern="^[0-9a-f]{64}$")


class Episodes(Strict):
    planned: int = Field(ge=0)
    done: int = Field(ge=0)
    infra_error: int = Field(ge=0)


class Entry(Strict):
    """A leaderboard entry: what ``memgym eval`` writes."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_id: str = Field(alias="schema", pattern="^memgym-eval-entry/1$")
    protocol: ProtocolRef
    model: str
    reasoner: str = Field(description="the reasoner spec without endpoint, key or cache")
    memgym_version: str
    complete: bool
    status: str
    episodes: Episodes
    strategies: list[str]
    session_strategies: list[str] = Field(
        default_factory=list, description="the strategies of the interactive tracks"
    )
    left_out: list[str] = Field(
        default_factory=list,
        description="the protocol's tracks this entry does not cover (chosen with --tracks)",
    )
    plugins: list[str] = Field(
        default_factory=list,
        description="the --plugin modules whose memories the tracks' plugin_memories are",
    )
    tracks: list[TrackEntry]
    tokens: Tokens
    estimated: Tokens

    def dumps(self) -> str:
        """The entry as JSON text, the same bytes for the same entry."""
        return json.dumps(self.model_dump(mode="json", by_alias=True), indent=2) + "\n"


def schema() -> dict[str, Any]:
    """The entry's JSON schema (what ``entry.schema.json`` holds)."""
    return Entry.model_json_schema(by_alias=True)


def load_entry(path: str | Path) -> Entry:
    """An entry read from ``path``; ``ValueError`` (one line) when it is not one."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read entry {path}: {exc.strerror or exc}") from None
    try:
        return Entry.model_validate_json(text)
    except ValueError as exc:
        first = str(exc).splitlines()
        why = "; ".join(first[1:3]) if len(first) > 1 else str(exc)
        raise ValueError(f"{path} is not a memgym eval entry: {why}") from None


def _num(x: float) -> float | None:
    return None if math.isnan(x) else round(x, DIGITS)


def _tokens(results: Iterable[EpisodeResult]) -> Tokens:
    keys = (
        "calls",
        "cached",
        "prompt_tokens",
        "completion_tokens",
        "cached_prompt_tokens",
        "cached_completion_tokens",
        "tool_calls",
        "tool_errors",
    )
    total = dict.fromkeys(keys, 0.0)
    for result in results:
        for key in keys:
            total[key] += result.usage.get(key, 0.0)
    return Tokens(
        calls=int(total["calls"]),
        cached=int(total["cached"]),
        prompt=int(total["prompt_tokens"]),
        completion=int(total["completion_tokens"]),
        tool_calls=int(total["tool_calls"]),
        tool_calls_executed=int(total["tool_calls"] - total["tool_errors"]),
        cached_prompt=int(total["cached_prompt_tokens"]),
        cached_completion=int(total["cached_completion_tokens"]),
    )


def _estimated(cost: TrackCost) -> Tokens:
    return Tokens(calls=cost.calls, prompt=cost.prompt_tokens, completion=cost.completion_tokens)


def _sum(parts: Sequence[Tokens]) -> Tokens:
    return Tokens(**{k: sum(getattr(p, k) for p in parts) for k in Tokens.model_fields})


def _row(score: IsolatedScore, boundaries: set[str]) -> MemoryScore:
    return MemoryScore(
        memory=score.memory,
        accuracy=_num(score.accuracy),
        isolated=_num(score.isolated),
        ci_low=_num(score.ci_low),
        ci_high=_num(score.ci_high),
        oracle_right=_num(score.oracle_right),
        boundary=", ".join(sorted(boundaries)) or "in-process",
    )


def _plugin_scores(
    protocol: Protocol, track: str, table: dict[str, Any], ceiling: str
) -> list[IsolatedScore]:
    """The isolated scores of the memories in ``table`` the protocol does not run on ``track``
    (a plugin's), as ``memgym compare`` scores them: against ``none`` and ``ceiling`` on the
    questions they and the references answered, the probe's right answers left out."""
    ours = protocol.memories_of(track)
    theirs = [m for m in table if m not in ours]
    references = [m for m in ours if m in ("none", "oracle", "full")]
    if not theirs or not all(m in table for m in ("none", ceiling)):
        return []
    leaked = {key for key, right in table.get(PROBE, {}).items() if right}
    rows = {m: table[m] for m in (*references, *theirs)}
    scores = isolate(rows, leaked, oracle=ceiling, resamples=protocol.resamples)
    return [scores[m] for m in theirs if m in scores]


def build_entry(
    protocol: Protocol,
    fingerprint: str,
    model: str,
    reasoner: str,
    results: Iterable[EpisodeResult],
    status: RunStatus,
    costs: Sequence[TrackCost],
    selected: Sequence[str] | None = None,
    plugins: Sequence[str] = (),
) -> Entry:
    """The entry of a protocol run from its stored ``results`` and ``status``, covering the
    tracks in ``selected`` (None: every track of the protocol); ``costs``: the estimates of its
    stream tracks. Episodes of memories the protocol does not run (those of ``plugins``, the
    modules named in the entry) are scored apart, in ``plugin_memories``: the headline score and
    the protocol's rows are computed without them, as they would be had they not run."""
    chosen = protocol.selected(list(selected) if selected else None)
    by_track: dict[str, list[EpisodeResult]] = {name: [] for name in chosen}
    for result in results:
        by_track.setdefault(result.track, []).append(result)
    estimated = {cost.track: cost for cost in costs}
    tracks = []
    for plan in protocol.plans:
        if plan.track not in chosen:
            continue
        session = protocol.is_session(plan.track)
        ceiling = "full" if session else "oracle"
        strategies = protocol.strategies_of(plan.track)
        stored = by_track[plan.track]
        ours = set(protocol.memories_of(plan.track))
        everything = answer_table(r for r in stored if r.status != "infra_error")
        table = {m: row for m, row in everything.items() if m in ours}
        own = [r for r in stored if r.memory in ours]
        answers = [a for r in own if r.status != "infra_error" for a in r.answers]
        boundaries: dict[str, set[str]] = {}
        for r in stored:
            boundaries.setdefault(r.memory, set()).add(r.boundary)
        if all(m in table for m in ("none", ceiling, *strategies)):
            scores = track_score(table, strategies, protocol.resamples, ceiling=ceiling)
            score, low, high = scores.score, scores.ci_low, scores.ci_high
            per_memory = [
                scores.memories[m] for m in protocol.memories_of(plan.track) if m in scores.memories
            ]
        else:
            score = low = high = math.nan
            per_memory = []
        first = per_memory[0] if per_memory else None
        tracks.append(
            TrackEntry(
                track=plan.track,
                ceiling=ceiling,
                tier=plan.tier,
                params=dict(sorted(plan.params.items())),
                seeds=list(plan.seeds),
                episodes=len(own),
                questions=first.questions if first else 0,
                scored=first.scored if first else 0,
                leaked=first.leaked if first else 0,
                score=_num(score),
                ci_low=_num(low),
                ci_high=_num(high),
                memories=[_row(s, boundaries.get(s.memory, set())) for s in per_memory],
                plugin_memories=[
                    _row(s, boundaries.get(s.memory, set()))
                    for s in _plugin_scores(protocol, plan.track, everything, ceiling)
                ],
                context_overflow=sum(a.status == "context_overflow" for a in answers),
                model_error=sum(a.status == "model_error" for a in answers),
                tokens=_tokens(own),
                estimated=None if session else _estimated(estimated[plan.track]),
            )
        )
    return Entry(
        schema=SCHEMA_ID,
        protocol=ProtocolRef(name=protocol.name, version=protocol.version, fingerprint=fingerprint),
        model=model,
        reasoner=reasoner,
        memgym_version=__version__,
        complete=status.complete,
        status=status.describe(),
        episodes=Episodes(planned=status.planned or 0, done=status.done, infra_error=status.infra),
        strategies=list(protocol.strategies),
        session_strategies=list(protocol.session_strategies),
        left_out=[name for name in protocol.track_names if name not in chosen],
        plugins=list(plugins),
        tracks=tracks,
        tokens=_sum([t.tokens for t in tracks]),
        estimated=_sum([t.estimated for t in tracks if t.estimated is not None]),
    )
