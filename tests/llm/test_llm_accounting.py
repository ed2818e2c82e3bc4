"""Per-call usage and cost."""

from memgym.llm.accounting import CallRecord, Ledger, Usage, cost
from memgym.llm.usage import describe


def test_cost_from_a_price_table():
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=500_000)
    assert cost(usage, "m", {"m": (0.5, 2.0)}) == 1.5
    assert cost(usage, "other", {"m": (0.5, 2.0)}) is None
    assert cost(usage, "m", None) is None
    assert usage.total_tokens == 1_500_000


def test_ledger_totals_count_retries_and_cache_hits():
    ledger = Ledger()
    ledger.add(
        CallRecord("m", Usage(10, 2), 0.1, 0.5, 3, False, retried=("rate_limited", "timeout"))
    )
    ledger.add(CallRecord("m", Usage(10, 2), None, 0.0, attempts=0, cached=True))
    ledger.add(CallRecord("m", Usage(), None, 0.2, 2, False, "rate_limited", ("rate_limited",)))
    totals = ledger.totals()
    assert totals["calls"] == 3 and totals["cached"] == 1 and totals["failed"] == 1
    assert totals["attempts"] == 5 and totals["retries"] == 3
    assert totals["prompt_tokens"] == 10 and totals["cost_usd"] == 0.1
    assert totals["cached_prompt_tokens"] == 10 and totals["cached_completion_tokens"] == 2
    assert "1 cached of 12 tokens" in describe(totals)
    assert totals["retries_rate_limited"] == 2 and totals["retries_timeout"] == 1
    assert "retries_server_error" not in totals  # only reasons that happened


def test_the_usage_line_breaks_retries_down_by_reason():
    usage = {"calls": 4, "retries": 3, "retries_rate_limited": 1, "retries_server_error": 2}
    line = describe(usage)
    assert "4 LLM calls (0 cached), 3 retries (1 rate_limited, 2 server_error), 0 failed" in line
    assert "3 retries, 0 failed" in describe({"calls": 4, "retries": 3})
