"""The swe track: an agent repairs seeded bugs in real Python code, issue after issue.

Parts, one job each: ``codebases`` (standard-library modules and their probe calls),
``mutations`` (seeded one-line AST mutations), ``probe_runner`` (the standalone script that
evaluates probes), ``hidden`` (hidden tests: probe results of the original code), ``tasks``
(checked generation of a session's bugs, with the yield), ``issue_text``, ``sandbox`` (bubblewrap
plus resource limits: ``runtime`` builds its root, ``process_cap`` caps processes),
``disguise`` (each seed's rewrite of a code base), ``session`` (the tools and the verifier),
``params``, ``track`` and ``attacks`` (scripted agents that try to score without memory).
"""

from memgym.tracks.swe.track import SweTrack

__all__ = ["SweTrack"]
