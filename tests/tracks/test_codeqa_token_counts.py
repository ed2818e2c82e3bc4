"""codeqa token counts taken from parts (filler draws, code blocks) equal ``count_tokens``."""

from __future__ import annotations

import itertools
import random

from memgym.tokens import count_tokens
from memgym.tracks import get_track
from memgym.tracks.codeqa import code, filler, names
from memgym.tracks.codeqa.stream import source_files
from memgym.tracks.codeqa.world import build_world


def test_filler_tokens_matches_the_text_it_would_build() -> None:
    rng = random.Random(3)
    for _ in range(400):
        seed, subseed, step = rng.randrange(10**6), rng.choice((0, 1, 77)), rng.randrange(-96, 9000)
        text = filler.filler_text(seed, subseed, step)
        assert filler.filler_tokens(seed, subseed, step) == count_tokens(text)


def test_every_log_line_counts_as_its_service_and_words() -> None:
    rng = random.Random(5)
    for (s, service), (w, what) in itertools.product(
        enumerate(names.FILLER_SERVICES), enumerate(names.FILLER_WORDS)
    ):
        stamp = f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:00.{rng.randrange(1000):03d}"
        line = f"[debug] {stamp} {service}-{rng.randrange(8)} {what} in {rng.randrange(1, 401)} ms"
        assert filler._LOG_TOKENS[s][w] == count_tokens(line), line


def test_mean_is_the_mean_of_the_sampled_texts() -> None:
    texts = [filler.filler_text(4, 0, -1 - i) for i in range(filler.SAMPLE)]
    expected = sum(count_tokens(t) for t in texts) / len(texts)
    assert filler.mean_filler_tokens(4, 0) == expected


def test_chunk_token_counts_equal_counting_their_text() -> None:
    track = get_track("codeqa")
    for seed, tier, chunk_tokens in ((0, "lite", 80), (1, "standard", 220), (2, "hard", 700)):
        p = track.params(tier, chunk_tokens=chunk_tokens)
        rng = random.Random(seed)
        for source in source_files(rng, build_world(rng, p), p["body_lines"]):
            for chunk in code.chunks(source, chunk_tokens):
                assert chunk.tokens == count_tokens(chunk.text)


def _text_by_counting_lines(seed: int, subseed: int, step: int) -> str:
    """The filler text grown the plain way: count each line's text to decide when to stop."""
    rng = random.Random(f"codeqa-filler|{seed}|{subseed}|{step}")
    lines = filler._scratch(rng)[0] if rng.random() < filler.SCRATCH_SHARE else []
    tokens = count_tokens("\n".join(lines))
    while tokens < filler.FILLER_TOKENS:
        line = filler._log_line(rng)[0]
        lines.append(line)
        tokens += count_tokens(line) + 1
    return "\n".join(lines)


def test_filler_text_stops_where_counting_its_lines_would() -> None:
    for step in range(300):
        assert filler.filler_text(9, 0, step) == _text_by_counting_lines(9, 0, step)


def test_skipping_bits_advances_the_generator_as_six_draws_do() -> None:
    drawn, skipped = random.Random(11), random.Random(11)
    for _ in range(6):
        drawn.random()
    skipped.getrandbits(filler.SKIPPED_BITS)
    assert drawn.getstate() == skipped.getstate()


def test_sample_tokens_equal_filler_tokens_step_by_step() -> None:
    for seed, subseed in ((0, 0), (4, 0), (123456, 3), (9, 77)):
        expected = [filler.filler_tokens(seed, subseed, -1 - i) for i in range(filler.SAMPLE)]
        assert filler.sample_tokens(seed, subseed) == expected
    assert len(set(expected)) > 3  # the sizes vary, so an order slip would show
