"""The ``dialogue`` track: a long tool-use customer-support dialogue (flight booking).

Parts: ``params`` (tiers, validation), ``vocab`` (word lists), ``world`` (customer profile,
changes, party, colleagues), ``catalogue`` (flight search results with near misses), ``phrases``
and ``render`` (turn texts), ``reader`` (claims from them), ``filler`` (off-topic chat and the
length plan), ``questions``, ``assemble`` (steps, facts, gold) and ``track`` (the Track).
"""

from memgym.tracks.dialogue.track import DialogueTrack

__all__ = ["DialogueTrack"]
