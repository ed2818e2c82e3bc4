"""Per-call usage and cost."""

from memgym.llm.accounting import CallRecord, Ledger, Usage, cost


def test_cost_from_a_price_table():
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=500_000)
    assert cost(usage, "m", {"m": (0.5, 2.0)}) == 1.5
    assert cost(usage, "other", {"m": (0.5, 2.0)}) is None
    assert cost(usage, "m", None) is None
    assert usage.total_tokens == 1_500_000


def test_ledger_totals_count_retries_and_cache_hits():
    ledger = Ledger()
    ledger.add(CallRecord("m", Usage(10, 2), 0.1, 0.5, attempts=3, cached=False))
    ledger.add(CallRecord("m", Usage(10, 2), None, 0.0, attempts=0, cached=True))
    ledger.add(CallRecord("m", Usage(), None, 0.2, attempts=2, cached=False, status="rate_limited"))
    totals = ledger.totals()
    assert totals["calls"] == 3 and totals["cached"] == 1 and totals["failed"] == 1
    assert totals["attempts"] == 5 and totals["retries"] == 3
    assert totals["prompt_tokens"] == 10 and totals["cost_usd"] == 0.1
