"""What an episode plays, so that no episode child of a plugin's worker plays it twice.

A child of a worker that imported a plugin serves episodes in turn only while no scenario
repeats in it (``memgym.run.remote``): a plugin may keep notes outside its memory (module
globals, files, threads) and learn from the different scenarios it plays, as validate's learned
adversaries learn from other seeds, but it must never meet a scenario it has already seen (a
pass^k repeat, a retried episode, the same seed in another arm of a compare or under another
tier or parameters, whose content may overlap). ``scenario_keys`` names what an episode plays:
its track and drawn seed (every tier and parameter set of a seed shares it) and the digest of
its brief and events (what the child is sent). ``Tokens`` turns keys into what crosses the
wire: an HMAC under a secret of the evaluator's, which tells a child nothing it could not tell
from the texts it is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable

from memgym.types import Scenario

TOKEN_HEX = 32
"""Hex digits of a token (128 bits)."""


def scenario_keys(scenario: Scenario) -> frozenset[str]:
    """The keys of what an episode of ``scenario`` plays: an episode child that has played any
    of them must not play it again."""
    digest = hashlib.sha256(scenario.brief.encode())
    for event in scenario.events:
        digest.update(b"\0")
        digest.update(event.text.encode())
    return frozenset({f"seed {scenario.track} {scenario.seed}", f"stream {digest.hexdigest()}"})


class Tokens:
    """Keys as one worker's children see them: an HMAC of each under a secret of this
    evaluator's, drawn per worker."""

    def __init__(self) -> None:
        self._secret = os.urandom(32)

    def __call__(self, keys: Iterable[str]) -> list[str]:
        return sorted(
            hmac.new(self._secret, key.encode(), hashlib.sha256).hexdigest()[:TOKEN_HEX]
            for key in keys
        )


class Played:
    """The tokens an episode child has played, kept on both ends (the evaluator picks a child
    that may play an episode; the child refuses a repeat anyway). An episode without tokens (an
    interactive history, a check of the specs) may only be its process's last."""

    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self.open = True
        """Whether this process may serve another episode."""

    def fresh(self, tokens: Iterable[str]) -> bool:
        """Whether this process may serve an episode playing ``tokens``."""
        return self.open and self.tokens.isdisjoint(tokens)

    def start(self, tokens: object) -> None:
        """An episode playing ``tokens`` starts (``ValueError`` when it may not here)."""
        if not self.open:
            raise ValueError(REFUSED)
        if not tokens:
            self.open = False
            return
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            raise ValueError("worker: an episode's keys must be a list of text")
        if self.tokens.intersection(tokens):
            self.open = False
            raise ValueError(REPEAT)
        self.tokens.update(tokens)


REFUSED = "worker: a plugin's process serves no episode after one without keys"
REPEAT = "worker: this process has played that scenario (a plugin's child plays each once)"
