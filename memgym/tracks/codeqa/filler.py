"""Filler events: debug logs and scratch utility code that name nothing of the repository.

A filler text is a pure function of (seed, subseed, step), drawn from word pools disjoint from
the world's (``names``), and grows line by line until it reaches ``FILLER_TOKENS``, so filler
sizes vary little and the stream length can be planned from a small sample.
"""

from __future__ import annotations

import random as _random

from memgym.tokens import count_tokens
from memgym.tracks.codeqa import names
from memgym.tracks.seeding import C_SEED, reseeded, text_key, thread_generator
from memgym.types import Event

FILLER_TOKENS = 90
SAMPLE = 96
"""Filler texts sampled to estimate the mean filler size."""
SCRATCH_SHARE = 0.3

_HELPERS: dict[str, tuple[str, str]] = {
    "clamp": ("x, lo, hi", "return max(lo, min(hi, x))"),
    "chunked": ("seq, n", "return [seq[i : i + n] for i in range(0, len(seq), n)]"),
    "pairwise_sum": ("xs", "return [a + b for a, b in zip(xs, xs[1:])]"),
    "dedupe_keep_order": ("xs", "return list(dict.fromkeys(xs))"),
    "slugify": ("text", 'return "-".join(text.lower().split())'),
    "flatten_once": ("rows", "return [x for row in rows for x in row]"),
    "rolling_mean": ("xs, k", "return [sum(xs[i : i + k]) / k for i in range(len(xs) - k + 1)]"),
    "safe_div": ("a, b", "return a / b if b else 0.0"),
    "first_true": ("xs", "return next((x for x in xs if x), None)"),
    "take_every": ("xs, n", "return xs[::n]"),
    "pad_left": ("text, width", 'return text.rjust(width, "0")'),
    "count_vowels": ("text", 'return sum(ch in "aeiou" for ch in text.lower())'),
    "is_palindrome": ("text", "return text == text[::-1]"),
    "running_max": ("xs", "return [max(xs[: i + 1]) for i in range(len(xs))]"),
    "head_tail": ("xs", "return xs[:1], xs[1:]"),
    "interleave": ("a, b", "return [x for pair in zip(a, b) for x in pair]"),
}
assert set(_HELPERS) == set(names.FILLER_HELPERS)


def _log_line(rng: _random.Random) -> tuple[str, int]:
    """A debug log line and its token count."""
    r = rng.random
    s = int(r() * len(names.FILLER_SERVICES))
    w = int(r() * len(names.FILLER_WORDS))
    service, what = names.FILLER_SERVICES[s], names.FILLER_WORDS[w]
    stamp = f"{int(r() * 24):02d}:{int(r() * 60):02d}:{int(r() * 60):02d}.{int(r() * 1000):03d}"
    line = f"[debug] {stamp} {service}-{int(r() * 8)} {what} in {1 + int(r() * 400)} ms"
    return line, _LOG_TOKENS[s][w]


def _log_line_tokens(rng: _random.Random) -> int:
    """``count_tokens(_log_line(rng))`` from the same draws: every number of a log line is one
    short word (one token), so only the service and the words vary its count."""
    r = rng.random
    service = int(r() * len(names.FILLER_SERVICES))
    what = int(r() * len(names.FILLER_WORDS))
    rng.getrandbits(SKIPPED_BITS)  # the stamp, the worker number and the duration
    return _LOG_TOKENS[service][what]


SKIPPED_BITS = 6 * 64
"""The six ``random()`` draws a log line's count does not need: each takes two 32-bit words of
the generator, and ``getrandbits`` of this many bits takes the same twelve in one call (a test
checks the generator's state after either is the same)."""


_LOG_TOKENS = [
    [
        count_tokens(f"[debug] 00:00:00.000 {service}-0 {what} in 1 ms")
        for what in names.FILLER_WORDS
    ]
    for service in names.FILLER_SERVICES
]
"""service index -> word index -> a log line's token count."""


def _scratch(rng: _random.Random) -> tuple[list[str], int]:
    """A scratch file's lines and their token count."""
    r = rng.random
    where = names.FILLER_FILES[int(r() * len(names.FILLER_FILES))]
    lines = [f"# scratch file tmp/{where}_{int(r() * 100)}.py (personal experiment, not shipped)"]
    tokens = count_tokens(lines[0])
    for name in rng.sample(names.FILLER_HELPERS, 3):
        args, body = _HELPERS[name]
        lines += [f"def {name}({args}):", f"    {body}", ""]
        tokens += _HELPER_TOKENS[name]
    return lines, tokens


def _scratch_tokens(rng: _random.Random) -> int:
    """``count_tokens`` of ``_scratch(rng)``'s lines joined, from the same draws."""
    r = rng.random
    where = names.FILLER_FILES[int(r() * len(names.FILLER_FILES))]
    header = f"# scratch file tmp/{where}_{int(r() * 100)}.py (personal experiment, not shipped)"
    return count_tokens(header) + sum(
        _HELPER_TOKENS[name] for name in rng.sample(names.FILLER_HELPERS, 3)
    )


_HELPER_TOKENS = {
    name: count_tokens(f"def {name}({args}):") + count_tokens(f"    {body}")
    for name, (args, body) in _HELPERS.items()
}


def filler_text(seed: int, subseed: int, step: int) -> str:
    """The filler text at ``step``: deterministic in its arguments alone."""
    rng = reseeded(f"codeqa-filler|{seed}|{subseed}|{step}")
    lines, tokens = _scratch(rng) if rng.random() < SCRATCH_SHARE else ([], 0)
    while tokens < FILLER_TOKENS:
        line, size = _log_line(rng)
        lines.append(line)
        tokens += size + 1
    return "\n".join(lines)


def filler_tokens(seed: int, subseed: int, step: int) -> int:
    """``count_tokens(filler_text(seed, subseed, step))`` from the same draws, without building
    the text (a text's count is the sum of its lines'; ``tests/tracks/test_codeqa_token_counts.py``
    checks it against the text)."""
    rng = reseeded(f"codeqa-filler|{seed}|{subseed}|{step}")
    tokens = _scratch_tokens(rng) if rng.random() < SCRATCH_SHARE else 0
    total = tokens
    while tokens < FILLER_TOKENS:
        size = _log_line_tokens(rng)
        tokens += size + 1
        total += size
    return total


def filler_event(seed: int, subseed: int, step: int) -> Event:
    return Event(step=step, kind="distractor", text=filler_text(seed, subseed, step))


def sample_tokens(seed: int, subseed: int) -> list[int]:
    """``filler_tokens(seed, subseed, step)`` for steps -1 .. -SAMPLE, in one loop: the thread's
    generator seeded through the C seed with the text's key (what ``Random.seed(text)`` hands
    it) and a log line's draws made inline (``tests/tracks/test_codeqa_token_counts.py``
    compares both)."""
    rng = thread_generator()
    random, bits, seed_with = rng.random, rng.getrandbits, C_SEED
    sizes, services, words = _LOG_TOKENS, len(names.FILLER_SERVICES), len(names.FILLER_WORDS)
    prefix = f"codeqa-filler|{seed}|{subseed}|".encode()
    out = []
    for i in range(1, SAMPLE + 1):
        seed_with(rng, text_key(prefix + b"-%d" % i))
        tokens = _scratch_tokens(rng) if random() < SCRATCH_SHARE else 0
        total = tokens
        while tokens < FILLER_TOKENS:
            size = sizes[int(random() * services)][int(random() * words)]
            bits(SKIPPED_BITS)  # the stamp, the worker number and the duration
            tokens += size + 1
            total += size
        out.append(total)
    return out


def mean_filler_tokens(seed: int, subseed: int) -> float:
    """The mean token count of a sample of this scenario's filler texts."""
    sample = sample_tokens(seed, subseed)
    return sum(sample) / len(sample)
