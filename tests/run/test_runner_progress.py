"""The progress bar of ``memgym run``: episodes done of the total, elapsed time, ETA, and the live
LLM figures (calls, tokens, retries, errors), as a terminal shows them."""

import io
import re

from rich.console import Console

from memgym.cli import main
from memgym.commands import common
from memgym.llm.usage import progress_stats
from memgym.serve import Faults, running


def test_progress_stats_are_short_and_add_infra_episodes_to_errors():
    usage = {"calls": 139, "prompt_tokens": 168_990, "completion_tokens": 52, "retries": 3}
    line = progress_stats(usage | {"failed": 1}, 2)
    assert line == "139 calls · 169k tok · 3 retries · 3 errors"
    assert progress_stats({}) == "0 calls · 0 tok · 0 retries · 0 errors"
    assert "12.3k tok" in progress_stats({"prompt_tokens": 12_345})
    assert "950 tok" in progress_stats({"completion_tokens": 950})
    assert "4.5M tok" in progress_stats({"prompt_tokens": 4_500_000})


def test_the_bar_shows_episodes_eta_calls_tokens_retries_and_errors(tmp_path, monkeypatch):
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=160, color_system=None)
    monkeypatch.setattr(common, "err_console", terminal)
    with running(faults=Faults(rate_5xx=0.3, seed=1)) as server:
        argv = ["run", "--tier", "lite", "--seeds", "3", "--memory", "window:max_tokens=800"]
        # 30 % of requests fail; 40 retries make a call that exhausts them (0.3**41) impossible in
        # practice, whatever order the episodes' requests draw the seeded faults in
        argv += ["--reasoner", f"llm:base_url={server.base_url},backoff=0.001,max_retries=40"]
        assert main([*argv, "--results", str(tmp_path / "r.sqlite")]) == 0
        failures = server.stats["http_503"]
    frames = [f.strip() for f in re.split(r"[\r\n]", screen.getvalue()) if "episodes" in f]
    last = frames[-1]
    assert re.search(r"episodes .* 3/3 \d:\d\d:\d\d eta \d:\d\d:\d\d ", last), last
    calls = int(re.search(r"(\d+) calls", last).group(1))
    assert calls > 0 and re.search(r"\d+(\.\d)?k? tok", last)
    assert f"· {failures} retries · 0 errors" in last and failures > 0
    assert any(" 0/3 " in f for f in frames)  # drawn from the start, then redrawn live
