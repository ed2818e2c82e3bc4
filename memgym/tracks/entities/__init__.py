"""The entities track: documents about fictional entities in ten domains, with corrections.

Parts, one job each: ``templates`` (domain data and priors), ``names`` (fictional names),
``values`` (typed value draws), ``world`` (entities, facts, changes), ``phrases`` (statement
wording), ``render`` (documents, corrections, updates), ``memos`` (distractors, brief),
``reader`` (text -> claims, the inverse of render), ``stream`` (event order, the world at a
point), ``mix`` (question kinds), ``asking`` (question wording), ``spread`` (where a value question
goes and whose value it asks), ``questions`` (specs and gold),
``assemble`` (the Scenario), ``params`` (tiers and validation) and ``track`` (the Track).
"""

from memgym.tracks.entities.track import EntitiesTrack

__all__ = ["EntitiesTrack"]
