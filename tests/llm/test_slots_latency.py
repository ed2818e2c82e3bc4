"""Local-server helpers: each conversation keeps one server slot (``slots=N``), and a call's
``latency_s`` is the time of its HTTP request, not the time it waited for a concurrency slot."""

import asyncio

from memgym.llm.client import LLMClient
from memgym.llm.slots import SlotPool
from memgym.run.results import ResultsStore
from memgym.run.runner import run_concurrent
from memgym.run.work import stream
from memgym.serve import Faults, running


def test_the_pool_hands_out_the_least_shared_slot():
    pool = SlotPool(2)
    assert [pool.take(), pool.take(), pool.take()] == [0, 1, 0]
    pool.give(1)
    assert pool.take() == 1 and pool.holders == [2, 1]


def test_each_episode_keeps_its_slot(tmp_path):
    with running() as server:
        reasoner = f"llm:base_url={server.base_url},slots=2"
        items = list(
            stream("entities", "lite", [0, 1], {}, [("agentic:policy=strategic", reasoner)])
        )
        with ResultsStore(tmp_path / "r.sqlite") as store:
            results = run_concurrent(items, store, store.start_run({}), concurrency=2)
        stats = dict(server.stats)
    calls = sum(r.usage["calls"] for r in results)
    assert stats["slot_0"] + stats["slot_1"] == stats["requests"] == calls
    # Two episodes at once, two slots: each episode's calls all went to its own slot.
    assert sorted([stats["slot_0"], stats["slot_1"]]) == sorted(r.usage["calls"] for r in results)


def test_latency_is_model_time_not_queueing():
    with running(faults=Faults(latency=0.3)) as server:
        client = LLMClient("m", server.base_url, concurrency=1)
        spec = '{"op":"value","entity":"x","attribute":"y"}'
        messages = [{"role": "user", "content": "What is y of x?"}]

        async def both():
            calls = [
                client.chat(messages, headers={"X-Memgym-Spec": spec}, max_tokens=8)
                for _ in range(2)
            ]
            return await asyncio.gather(*calls)

        first, second = asyncio.run(both())
    # The second call waited ~0.3 s for the one slot; that wait is not its latency.
    assert 0.3 <= first.latency_s < 0.5 and 0.3 <= second.latency_s < 0.5
    assert client.ledger.totals()["latency_s"] < 1.0
