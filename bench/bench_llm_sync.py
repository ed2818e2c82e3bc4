"""Overhead per call of ``SyncLLMClient`` (what reasoners and agents use), against a base commit.

    python bench/bench_llm_sync.py [--base 23f3e89] [--calls 500] [--repeats 3]

One zero-latency ``memgym serve`` answers every call. For this tree and a worktree of ``--base``
(interleaved, ``--repeats`` times each), a child process sends the same real request (the ``llm``
reasoner's messages for a lite entities question over a window view) ``--calls`` times one at a
time through ``SyncLLMClient.chat``, and as many times through the baseline: ``http.client`` on
one kept-alive connection, body and reply as JSON. Overhead = client minus baseline, per call:
the median wall time, and the CPU time of the child process per call (user + system; the
machine is shared, so wall times are noisy: the CPU figure is the one to compare). Target:
<= 2 ms overhead per call.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys

from base_checkout import REPO, base_checkout, run_in
from reference import QUIET_MS, calibrated, reference_ms

TARGET_MS = 2.0
BASE = "23f3e89"
"""The commit before the speed work of issue #24."""

CHILD = """
import http.client, json, resource, statistics, sys, time
from memgym.llm import SyncLLMClient

messages, headers = json.loads(sys.stdin.read())
port, calls = {port}, {calls}
body = json.dumps({{"model": "memgym-scripted", "messages": messages, "temperature": 0.0}})
conn = http.client.HTTPConnection("127.0.0.1", port)
sent = {{"Content-Type": "application/json", **headers}}

def raw():
    conn.request("POST", "/v1/chat/completions", body.encode(), sent)
    json.loads(conn.getresponse().read())

client = SyncLLMClient("memgym-scripted", f"http://127.0.0.1:{{port}}/v1")
def sync():
    client.chat(messages, headers=headers, temperature=0.0)

def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime

out = {{}}
for name, call in (("raw", raw), ("sync", sync), ("raw2", raw), ("sync2", sync)):
    for _ in range(20):
        call()
    walls, start = [], cpu()
    for _ in range(calls):
        t = time.perf_counter()
        call()
        walls.append((time.perf_counter() - t) * 1e3)
    out[name] = (statistics.median(walls), (cpu() - start) / calls * 1e3)
client.close()
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE, help=f"the commit to compare with (default {BASE})")
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from bench_llm import free_port, request, start_server

    trees = {"base": base_checkout(args.base), "this": REPO}
    port = free_port()
    server = start_server(port)
    sent = json.dumps(request())  # built by this tree, so a base with older types sends the same
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    references = [reference_ms()]
    try:
        for _ in range(max(1, args.repeats)):
            for name, tree in trees.items():
                child = CHILD.format(port=port, calls=args.calls)
                out = json.loads(run_in(tree, ["-c", child], stdin=sent)[0])
                raw_wall = min(out["raw"][0], out["raw2"][0])
                raw_cpu = min(out["raw"][1], out["raw2"][1])
                wall = min(out["sync"][0], out["sync2"][0]) - raw_wall
                cpu = min(out["sync"][1], out["sync2"][1]) - raw_cpu
                figures[name].append((wall, cpu))
            references.append(reference_ms())
    finally:
        server.terminate()
        server.wait()
    print(
        f"SyncLLMClient.chat overhead per call over http.client ({args.calls} calls x "
        f"{len(figures['this'])} runs each, interleaved; best run)"
    )
    best = {}
    for name in trees:
        wall = min(w for w, _ in figures[name])
        cpu = min(c for _, c in figures[name])
        best[name] = (wall, cpu)
        label = f"base ({args.base})" if name == "base" else "this"
        print(
            f"  {label}: {wall:.3f} ms wall (median call), {cpu:.3f} ms CPU per call "
            f"(medians over runs: {statistics.median(w for w, _ in figures[name]):.3f} wall,"
            f" {statistics.median(c for _, c in figures[name]):.3f} CPU)"
        )
    print(
        f"  ratio base / this: {best['base'][0] / best['this'][0]:.2f}x wall, "
        f"{best['base'][1] / best['this'][1]:.2f}x CPU"
    )
    reference = statistics.median(references)
    calib = calibrated(best["this"][1], reference)
    ok = calib <= TARGET_MS  # CPU, calibrated: both wall and CPU time move with the load
    print(
        f"  reference workload {reference:.2f} ms CPU in this run (quiet machine {QUIET_MS} ms):"
        f" this {calib:.3f} ms CPU calibrated; target <= {TARGET_MS} ms CPU overhead per call "
        f"(calibrated): {'met' if ok else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
