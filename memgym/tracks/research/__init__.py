"""The research track: multi-hop deep research over a fictional knowledge graph.

Parts, one job each: ``schema`` (entity types, fields, frames), ``names`` (fictional names and
near misses), ``params`` (tiers and validation), ``world`` (tasks, chains, siblings, facts,
corrections), ``render`` (results, errata, questions, brief), ``reader`` (text -> claims, the
inverse of render), ``filler`` (unrelated pages on demand and their count), ``questions`` (chain
specs and gold), ``assemble`` (blocks, steps, the Scenario) and ``track`` (the Track).
"""

from memgym.tracks.research.track import ResearchTrack

__all__ = ["ResearchTrack"]
