"""The codeqa track: a synthetic multi-module Python repository presented in chunks.

Parts: ``names`` (word pools), ``params`` (tiers and validation), ``world`` (the repository
model: modules, constants, functions, errors, call graph, value changes), ``code`` (source
rendering and chunking), ``notes`` (hotfix, changelog and distractor texts), ``filler`` (debug
logs and scratch code), ``reader`` (text -> claims), ``questions``, ``assemble`` and ``track``.
"""

from memgym.tracks.codeqa.track import CodeQATrack

__all__ = ["CodeQATrack"]
