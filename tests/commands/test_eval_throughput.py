"""The time estimate of ``memgym eval`` is calibrated by a probe of the endpoint (issue #69: the
default 2,000 tokens/s said ~1 min for a 13.7-min CPU run): against a ``memgym serve`` that
waits 0.4 s a request, the probe's two requests take at least 0.8 s, and the estimate's time is
the estimate's tokens at the measured rate (both recomputed here from what it printed).
``--throughput`` skips the probe; a probe that fails is a warning and the default rate."""

from __future__ import annotations

import re

from memgym.cli import main
from memgym.protocol.spec import SMOKE
from memgym.protocol.throughput import PROBE_CALLS, probe_texts
from memgym.serve import Faults, running
from memgym.tokens import count_tokens

LATENCY = 0.4
ESTIMATE = re.compile(
    r"estimate: ([\d,]+) calls, ([\d,]+) tokens .*~([\d.]+) (s|min|h) at ([\d,]+) tokens/s "
    r"\(measured: (\d+) probe calls, ([\d,]+) tokens in ([\d.]+) s"
)


def estimate_only(server, capsys, *extra: str) -> str:
    capsys.readouterr()
    args = ["eval", "--estimate-only", "--protocol", "smoke", "--tracks", "entities",
            "--model", "memgym-scripted", "--base-url", server.base_url, *extra]  # fmt: skip
    assert main(args) == 0
    return capsys.readouterr().err


def number(text: str) -> float:
    return float(text.replace(",", ""))


def test_the_probe_measures_the_endpoint_and_the_time_follows(capsys):
    with running(faults=Faults(latency=LATENCY)) as server:
        err = estimate_only(server, capsys)
        assert server.stats["probes"] == PROBE_CALLS
    found = ESTIMATE.search(" ".join(err.split()))
    assert found, err
    _, tokens, time, unit, rate, calls, probed, seconds = found.groups()
    assert int(calls) == PROBE_CALLS and number(seconds) >= PROBE_CALLS * LATENCY
    assert abs(number(rate) - number(probed) / number(seconds)) <= 0.01 * number(rate) + 1
    # each probe request is a slice of about 1,000 memgym tokens of the first scenario
    texts = probe_texts(SMOKE, 1000)
    assert len(texts) == PROBE_CALLS and texts[0] != texts[1]
    assert number(probed) > sum(count_tokens(t) for t in texts)
    seconds_needed = number(tokens) / number(rate)
    shown = number(time) * {"s": 1, "min": 60, "h": 3600}[unit]
    assert abs(shown - seconds_needed) <= 0.06 * seconds_needed + 1


def test_throughput_given_skips_the_probe(capsys):
    with running() as server:
        err = estimate_only(server, capsys, "--throughput", "123")
        assert server.stats["probes"] == 0
    assert "at 123 tokens/s (--throughput)" in " ".join(err.split())


def test_a_failed_probe_is_a_warning_and_the_default_rate(capsys):
    with running(faults=Faults(rate_5xx=1.0)) as server:
        err = " ".join(estimate_only(server, capsys, "--timeout", "5").split())
    assert "warning: the throughput probe failed" in err
    assert "at 2,000 tokens/s (the default; --throughput sets it)" in err
