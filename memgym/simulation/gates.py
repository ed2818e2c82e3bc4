"""Ablation gates: is a generated scenario a fair memory test? Regenerate it until it is.

A scenario passes when the scripted reasoner scores at least ``oracle_min`` with the ``oracle``
memory (every question is answerable from its evidence), at most ``none_max`` with the ``none``
memory (no memoryless guess hits) and at most ``distractors_max`` with the ``distractors`` memory
(near misses give nothing away). ``generate_gated`` tries sub-seeds of one seed in a fixed order
and returns the first scenario that passes, with the reports of those it rejected.

Gating is opt-in: ``Track.generate`` stays cheap and ungated (tracks guarantee the gates by
construction and test them), and whoever needs a certified scenario (``memgym audit``) calls
``generate_gated``. Attempt 0 is exactly ``track.generate(seed, tier, **overrides)``. Attempt
``k >= 1``: a track with a ``subseed`` parameter (an independent scenario for the same seed) is
asked for ``subseed = base + k`` (``base`` the resolved value, 0 by default), so the scenario keeps
its seed and records the sub-seed in its params; any other track is asked for the seed
``subseed(seed, k)``, a 48-bit number taken from a hash of (seed, k) so that the sub-seeds of
different seeds never collide with each other or with small seeds. Either way the scenario
records what it was generated from, so it stays reproducible alone.

Cost: ``none`` and ``oracle`` observe nothing, so they run over the scenario's core events only
(no filler is generated for them). The ``distractors`` ablation streams the whole lazy stream, as
the episode loop does (filler is kind ``distractor`` too); ``stream_filler=False`` skips filler
for it (it states nothing by each track's contract and tests), which saves that one pass: about
1.5 to 4 s per scenario at 1M tokens.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from memgym.salt import evaluation_seed
from memgym.tracks.base import Track
from memgym.tracks.registry import get_track
from memgym.types import EpisodeResult, Scenario

ABLATIONS = ("oracle", "none", "distractors")
"""The memories every gate check runs, in report order."""
MAX_TRIES = 10
"""Default attempts per seed before ``generate_gated`` gives up."""


@dataclass(frozen=True)
class Gates:
    """Accuracy thresholds of the scripted reasoner per ablation memory."""

    oracle_min: float = 0.95
    none_max: float = 0.05
    distractors_max: float = 0.10

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not 0 <= value <= 1
            ):
                raise ValueError(f"gate {name} must be a number between 0 and 1, got {value!r}")

    def failures(self, accuracy: Mapping[str, float]) -> list[str]:
        """One line per gate that ``accuracy`` (memory -> accuracy) fails, e.g.
        ``"oracle 0.900 < 0.95"``; empty when every gate passes."""
        out = []
        if accuracy["oracle"] < self.oracle_min:
            out.append(f"oracle {accuracy['oracle']:.3f} < {self.oracle_min}")
        if accuracy["none"] > self.none_max:
            out.append(f"none {accuracy['none']:.3f} > {self.none_max}")
        if accuracy["distractors"] > self.distractors_max:
            out.append(f"distractors {accuracy['distractors']:.3f} > {self.distractors_max}")
        return out


@dataclass(frozen=True)
class GateReport:
    """The ablation accuracies of one scenario and the gates they fail."""

    track: str
    seed: int
    """The scenario's seed (a derived seed after regeneration, for tracks without ``subseed``)."""
    scenario_hash: str
    questions: int
    accuracy: dict[str, float]
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class Gated:
    """What ``generate_gated`` found for one seed: the scenario it kept and the attempts."""

    seed: int
    scenario: Scenario
    """The first passing scenario, or the last one tried when none passed."""
    report: GateReport
    rejected: list[GateReport]
    """Reports of the scenarios rejected before ``scenario``, in attempt order."""

    @property
    def accepted(self) -> bool:
        return self.report.passed

    @property
    def generated(self) -> int:
        """Scenarios generated for this seed (rejected ones included)."""
        return len(self.rejected) + 1


def subseed(seed: int, attempt: int) -> int:
    """The seed of ``attempt`` (0, 1, ...) for ``seed``: ``seed`` itself first, then a 48-bit
    number from sha256 of both, the same on every machine."""
    if attempt < 0:
        raise ValueError(f"attempt must be >= 0, got {attempt}")
    if attempt == 0:
        return seed
    digest = hashlib.sha256(f"memgym-gates:{seed}:{attempt}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


def _track(track: Track | str) -> Track:
    return get_track(track) if isinstance(track, str) else track


def ablation_result(
    track: Track | str, scenario: Scenario, memory: str, stream_filler: bool = True
) -> EpisodeResult:
    """The scripted reasoner's episode with ``memory`` on ``scenario``. ``none`` and ``oracle``
    skip filler (they observe nothing); ``distractors`` skips it unless ``stream_filler``; any
    other memory streams everything."""
    from memgym.memory import make_memory
    from memgym.reasoners import make_reasoner
    from memgym.run.episode import evaluate

    t = _track(track)
    skip = memory in ABLATIONS and not (stream_filler and memory == "distractors")
    episode = scenario.model_copy(update={"filler": {}}) if skip and scenario.filler else scenario
    return evaluate(episode, make_memory(memory, t), make_reasoner("scripted", t))


def ablation_accuracy(
    track: Track | str, scenario: Scenario, memory: str, stream_filler: bool = True
) -> float:
    """``ablation_result(...).accuracy``."""
    return ablation_result(track, scenario, memory, stream_filler).accuracy


def check(
    track: Track | str,
    scenario: Scenario,
    gates: Gates | None = None,
    stream_filler: bool = True,
) -> GateReport:
    """Run the three ablations on ``scenario`` and judge them against ``gates``."""
    gates = gates or Gates()
    accuracy = {m: ablation_accuracy(track, scenario, m, stream_filler) for m in ABLATIONS}
    failures = gates.failures(accuracy)
    if not scenario.questions:
        failures.insert(0, "scenario has no questions")
    return GateReport(
        track=scenario.track,
        seed=scenario.seed,
        scenario_hash=scenario.hash,
        questions=len(scenario.questions),
        accuracy=accuracy,
        failures=failures,
    )


def generate_gated(
    track: Track | str,
    seed: int,
    tier: str | None = None,
    max_tries: int = MAX_TRIES,
    gates: Gates | None = None,
    stream_filler: bool = True,
    **overrides: Any,
) -> Gated:
    """Generate attempt 0, 1, ... (see the module docstring) until a scenario passes ``gates``
    or ``max_tries`` scenarios were tried; deterministic for equal arguments (and salt: under a
    salt, ``memgym.salt``, seed ``seed`` is drawn as its evaluation seed)."""
    if isinstance(max_tries, bool) or not isinstance(max_tries, int) or max_tries < 1:
        raise ValueError(f"max_tries must be a positive integer, got {max_tries!r}")
    t = _track(track)
    base = t.params(tier, **overrides).get("subseed")
    drawn = evaluation_seed(t.name, seed)  # the seed itself unless a salt is set
    rejected: list[GateReport] = []
    for attempt in range(max_tries):
        if attempt == 0:
            scenario = t.generate(drawn, tier, **overrides)
        elif isinstance(base, int) and not isinstance(base, bool):
            scenario = t.generate(drawn, tier, **{**overrides, "subseed": base + attempt})
        else:
            scenario = t.generate(subseed(drawn, attempt), tier, **overrides)
        report = check(t, scenario, gates, stream_filler)
        if report.passed or attempt == max_tries - 1:
            return Gated(seed=seed, scenario=scenario, report=report, rejected=rejected)
        rejected.append(report)
    raise AssertionError("unreachable")  # pragma: no cover
