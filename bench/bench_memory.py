"""Memory benchmarks: rag-embed throughput, and ``memgym compare`` through ``memgym serve``.

Run: ``python bench/bench_memory.py embed [--tier standard] [--seeds 3]`` prints how fast the
packaged embedding model embeds a scenario's observations (chunks per second, tokens per second;
CPU seconds beside wall seconds: on a shared machine the wall figure measures the neighbours).

``python bench/bench_memory.py served [--tier standard] [--seeds 10] [--workers 1]`` runs the whole
comparison (none, oracle, full, window / summary / mask / rag-bm25 at two budgets, agentic) twice:
with the scripted reasoner in-process, then with the LLM reasoner against an in-process
``memgym serve`` (and the LLM summariser for one summary row); it prints both wall times and
whether every number of the two tables matched exactly.
"""

from __future__ import annotations

import argparse
import time

from memgym.tokens import count_tokens
from memgym.tracks import get_track

MEMORIES = [
    "window:max_tokens=2000",
    "window:max_tokens=4000",
    "summary:max_tokens=2000",
    "summary:max_tokens=4000",  # also run with the LLM summariser (LLM_SUMMARY) when served
    "mask:keep=2",
    "mask:keep=5",
    "rag-bm25:k=3",
    "rag-bm25:k=8",
    "agentic:policy=strategic",
]
LLM_SUMMARY = "summary:max_tokens=4000,summary_tokens=1000"


def bench_embed(tier: str, seeds: int) -> None:
    from memgym.memory import rag_embed

    start = time.perf_counter()
    rag_embed.load_model()
    print(f"model load: {time.perf_counter() - start:.1f} s")
    track = get_track("entities")
    for chunk_tokens in (0, 60):
        texts = [
            c
            for seed in range(seeds)
            for e in track.generate(seed, tier).events
            if e.kind != "question"
            for c in rag_embed.chunk(e.text, chunk_tokens)
        ]
        rag_embed._EMBEDDINGS.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        rag_embed.embed(texts)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        tokens = sum(count_tokens(t) for t in texts)
        print(
            f"chunk_tokens={chunk_tokens}: {len(texts)} chunks, {tokens} tokens in {wall:.1f} s "
            f"wall ({cpu:.1f} s CPU): {len(texts) / wall:.0f} chunks/s, {tokens / wall:.0f} tokens/s"
        )


def bench_served(tier: str, seeds: int, workers: int) -> None:
    from memgym.commands.compare import run_comparison
    from memgym.serve import running

    seed_list = list(range(seeds))
    start = time.perf_counter()
    scripted = run_comparison("entities", tier, seed_list, MEMORIES, workers=workers)
    local = time.perf_counter() - start
    with running() as server:
        start = time.perf_counter()
        served = run_comparison(
            "entities",
            tier,
            seed_list,
            [*MEMORIES, f"{LLM_SUMMARY},summarizer=llm,base_url={server.base_url}"],
            reasoner=f"llm:base_url={server.base_url}",
            workers=workers,
        )
        remote = time.perf_counter() - start
        requests = server.stats["requests"]
    a, b = scripted.to_json(), served.to_json()
    llm_row = {**b["memories"].pop(), "memory": LLM_SUMMARY}
    same = a["memories"] == b["memories"] and a["leaked"] == b["leaked"]
    same_summary = llm_row == next(r for r in a["memories"] if r["memory"] == LLM_SUMMARY)
    print(f"{tier} / {seeds} seeds / {len(b['memories']) + 1} memory rows / workers={workers}")
    print(f"scripted in-process: {local:.1f} s")
    print(f"llm through memgym serve: {remote:.1f} s, {requests} requests")
    print(
        f"every number matched: {same}; LLM-summary row equals the extractive row: {same_summary}"
    )
    if not same:
        for x, y in zip(a["memories"], b["memories"]):
            if x != y:
                print(" differs:", x, y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["embed", "served"])
    parser.add_argument("--tier", default="standard")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if args.what == "embed":
        bench_embed(args.tier, args.seeds or 3)
    else:
        bench_served(args.tier, args.seeds or 10, args.workers)


if __name__ == "__main__":
    main()
