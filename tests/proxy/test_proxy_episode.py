"""The headline check: a memgym episode played by an agent that only knows the OpenAI API,
through ``memgym proxy`` to ``memgym serve``, scores exactly as the same strategy run natively
(``run_episode`` with an ``LLMReasoner`` asking ``memgym serve``), and the proxy's compaction
records drop exactly the texts the native memory drops."""

import pytest

from memgym.memory import make_memory
from memgym.proxy import MemoryProxy, RecordLog, read_records, running
from memgym.proxy.naive_agent import replay
from memgym.reasoners.llm import LLMReasoner
from memgym.run.episode import evaluate
from memgym.serve import Faults
from memgym.serve import running as serving


def scores(result):
    return (
        result.axes,
        result.composite,
        result.accuracy,
        result.correct,
        [(a.question_id, a.answer, a.correct, a.status) for a in result.answers],
    )


@pytest.mark.parametrize(
    "spec", ["window:max_tokens=2000", "mask:keep=5", "summary:max_tokens=2000"]
)
def test_a_naive_openai_agent_through_the_proxy_scores_as_the_native_run(track, spec, tmp_path):
    scenario = track.generate(0, "lite")
    with serving() as upstream:
        reasoner = LLMReasoner(track, base_url=upstream.base_url)
        try:
            native = evaluate(scenario, make_memory(spec, track), reasoner)
        finally:
            reasoner.close()
        log = RecordLog(tmp_path / "records.jsonl")
        with running(MemoryProxy(spec, records=log), upstream.base_url) as proxy:
            proxied = replay(scenario, proxy.base_url, conversation="episode-0")
        log.close()
        direct = replay(scenario, upstream.base_url, conversation="direct")  # no memory at all
    assert scores(proxied) == scores(native)
    assert proxied.status == "ok" and len(proxied.answers) == len(scenario.questions)
    assert native.compactions, "the budget must bite for the check to mean anything"
    records = list(read_records(tmp_path / "records.jsonl"))
    # events after the last question (a question waits 4 items behind its evidence, so the
    # stream may end on an update) reach no request, so the proxy cannot compact for them
    asked = max(e.step for e in scenario.events if e.question is not None)
    assert [[s.text for s in r.dropped] for r in records] == [
        [s.text for s in c.dropped] for c in native.compactions if c.step < asked
    ]
    assert {r.episode for r in records} == {"episode-0"}
    assert direct.accuracy >= native.accuracy  # the full history is the ceiling here


def test_a_context_overflow_upstream_is_forced_down_and_retried(track, tmp_path):
    """``memgym serve`` with a small context: the full history overflows it; the proxy (memory
    ``full``, which never compacts) forces compactions and every question gets an answer."""
    scenario = track.generate(0, "lite")
    log = RecordLog(tmp_path / "forced.jsonl")
    with serving(faults=Faults(context=3000)) as upstream:
        direct = replay(scenario, upstream.base_url, conversation="d")
        with running(MemoryProxy("full", records=log), upstream.base_url) as proxy:
            proxied = replay(scenario, proxy.base_url, conversation="f")
            stats = dict(proxy.stats)
    log.close()
    # Without the proxy the requests overflow: scored wrong, counted, the episode kept.
    lost = [a for a in direct.answers if a.status == "context_overflow"]
    assert direct.status == "ok" and direct.overflows == len(lost) > 0
    assert not any(a.correct for a in lost) and {a.status for a in direct.answers} <= {
        "ok",
        "context_overflow",
    }
    assert proxied.status == "ok" and all(a.status == "ok" for a in proxied.answers)
    records = list(read_records(tmp_path / "forced.jsonl"))
    assert stats["forced"] == len(records) > 0
    assert all(r.strategy == "full+forced" and r.tokens_after < r.tokens_before for r in records)
