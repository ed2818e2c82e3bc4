"""No bounded memory answers research questions: the chain's pages are a few among many
look-alike results (documents too), so a memory of the first, last or a sample of K pages
seldom holds a whole chain. Scored by validate's family on seeds it was not tuned on."""

from __future__ import annotations

from memgym.simulation.bounded import CHEAT_CEILING, UNION, bounded_scores
from memgym.tracks import get_track


def test_pages_are_mostly_lookalikes() -> None:
    scenario = get_track("research").generate(200, "lite")
    evidence = {f for q in scenario.questions for f in q.evidence}
    pages = [e for e in scenario.events if e.kind in ("document", "correction")]
    holding = [e for e in pages if evidence & set(e.facts)]
    assert len(pages) >= 5 * len(holding) > 0


def test_the_bounded_family_stays_under_the_ceiling() -> None:
    rows = bounded_scores("research", "lite", [200, 201, 202, 203])
    judged = [r for r in rows if r.judged]
    assert rows[-1].member == UNION and rows[-1].judged
    assert len(judged) > 20
    assert max(r.composite for r in judged) <= CHEAT_CEILING, [
        (r.member, r.composite) for r in judged if r.composite > CHEAT_CEILING
    ]
