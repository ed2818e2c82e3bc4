"""``memgym serve`` as a user runs it: a background process on a free port, stopped with ``kill``
(SIGTERM), which ends it cleanly with the counts of what it served."""

import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request


def test_serve_runs_in_the_background_and_stops_on_sigterm_with_its_stats():
    child = subprocess.Popen(
        [sys.executable, "-m", "memgym.cli", "serve", "--port", "0", "--rate-5xx", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        seen, deadline = "", time.monotonic() + 60
        while (found := re.search(r"http://127\.0\.0\.1:\d+/v1", seen)) is None:
            assert child.poll() is None and time.monotonic() < deadline, seen
            seen += child.stderr.readline()
        request = urllib.request.Request(
            found.group(0) + "/chat/completions",
            data=json.dumps({"model": "m", "messages": []}).encode(),
            headers={"Content-Type": "application/json"},
        )
        for _ in range(2):
            try:
                urllib.request.urlopen(request, timeout=10)
                raise AssertionError("--rate-5xx 1 should refuse every request")
            except urllib.error.HTTPError as exc:
                assert exc.code == 503
    finally:
        child.send_signal(signal.SIGTERM)
        rest = child.stderr.read()
        child.wait(timeout=10)
    assert child.returncode == 0
    assert "served: {'requests': 2, 'http_503': 2}" in " ".join(rest.split())
