"""Long streams stay lazy: memory while streaming does not grow with ``target_tokens``, the
stored scenario stays small, and the whole stream lands within ±5 % of the target."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from memgym import tokens as token_counts
from memgym.tokens import count_tokens
from memgym.tracks import get_track, stream_events

TRACKS = ("research", "codeqa", "dialogue")


def _stream(track: str, target: int) -> tuple[int, int, int]:
    """(tokens streamed, traced peak bytes while generating and streaming, scenario JSON size)."""
    token_counts.clear_memo()
    tracemalloc.start()
    try:
        scenario = get_track(track).generate(4, "lite", target_tokens=target)
        tokens = sum(count_tokens(event.text) for event in stream_events(scenario))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return tokens, peak, len(scenario.model_dump_json())


FLAT_FROM = {
    "dialogue": (100_000, 300_000),
    "codeqa": (100_000, 300_000),
    "research": (100_000, 300_000),
}
"""Lengths compared where a track's core grows up to a cap: dialogue's chores (one per 30
tokens, ``chores.MAX_CHORES`` from 60k tokens on) hold ~4 MB more at 100k than at 10k; codeqa's
decoy changes and audits grow from 10k to 33k tokens (``stream.DECOY_MOST_TOKENS``), and
codeqa's repository and research's tasks grow with the length up to 100k (``params.GROWTH``)."""


@pytest.mark.parametrize("track", TRACKS)
def test_streaming_memory_is_flat_in_the_stream_length(
    track: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the token-count memo is a cache bounded on its own (tests/test_tokens.py): keep it tiny here
    monkeypatch.setattr(token_counts, "MEMO_BUDGET_CHARS", 4096)
    short, long = FLAT_FROM.get(track, (10_000, 100_000))
    _stream(track, short)  # warm the per-process caches (filler size samples, regexes)
    short_tokens, short_peak, short_json = _stream(track, short)
    long_tokens, long_peak, long_json = _stream(track, long)
    assert abs(short_tokens - short) <= short // 20 and abs(long_tokens - long) <= long // 20
    # holding the long stream's events alone would take about 1 MB more (100k against 10k)
    assert long_peak < 1.5 * short_peak + (64 << 10), (short_peak, long_peak)
    assert long_json < 1.2 * short_json + 20_000, (short_json, long_json)


@pytest.mark.slow
@pytest.mark.parametrize("track", TRACKS)
def test_a_million_token_stream_lands_within_five_percent_in_flat_memory(
    track: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the token-count memo is bounded on its own (tests/test_tokens.py) and fills to its budget
    # (~1.2 MB on codeqa's long stream) at any length past ~300k: keep it tiny, as above
    monkeypatch.setattr(token_counts, "MEMO_BUDGET_CHARS", 4096)
    _, short_peak, _ = _stream(track, FLAT_FROM.get(track, (10_000,))[0])  # where the core caps
    start = time.perf_counter()
    scenario = get_track(track).generate(7, "lite", target_tokens=1_000_000)
    assert time.perf_counter() - start < 30  # generation target (a bound, not a benchmark)
    tokens, peak, _ = _stream(track, 1_000_000)
    assert abs(tokens - 1_000_000) <= 50_000, tokens
    assert peak < 2 * short_peak + (256 << 10), (short_peak, peak)
    assert scenario.filler
