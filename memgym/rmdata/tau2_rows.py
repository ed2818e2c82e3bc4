"""τ² compactions as labelled MemRM rows: a real, scenario-OOD test split for ``memgym rm``.

Every compaction a strategy made in a stored tau2 episode becomes one row (``memgym.rm.rows``
format). Its label comes from τ²-bench's own verdicts on paired episodes: HARMFUL when a span it
dropped holds a value that a gold step of some task needs, that task was still ahead (its call
was in progress or later) and the same agent solved it with ``full`` on the same scenario but
not with this strategy; SAFE otherwise. Episodes without a ``full`` twin give no rows.

    memgym compare --track tau2 --tier long --results r.sqlite ...
    python -m memgym.rmdata.tau2_rows r.sqlite tau2-rows.jsonl
    memgym rm add-split tau2-rows.jsonl --name tau2
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from typing import Any

from memgym.types import CompactionRecord, EpisodeResult

CALL = re.compile(r"^\[Call (\d+)\]")


def harm_rows(episodes: Iterable[EpisodeResult]) -> list[dict[str, Any]]:
    """The labelled rows of every compaction in ``episodes`` that has a ``full`` twin."""
    from memgym.rm.rows import record_row
    from memgym.tracks.tau2 import loader
    from memgym.tracks.tau2.plan import gold_steps
    from memgym.tracks.tau2.track import Tau2Track

    episodes = list(episodes)
    solved_full = {
        (e.scenario_hash, e.reasoner): {a.question_id for a in e.answers if a.correct}
        for e in episodes
        if e.memory == "full" and e.track == "tau2"
    }
    track = Tau2Track()
    rows: list[dict[str, Any]] = []
    for episode in episodes:
        full = solved_full.get((episode.scenario_hash, episode.reasoner))
        if full is None or episode.memory == "full" or not episode.compactions:
            continue
        scenario = track.generate(episode.seed, None, **episode.params)
        plan = track.final_calls(scenario)
        lost = full - {a.question_id for a in episode.answers if a.correct}
        key = json.loads(scenario.brief.splitlines()[-1]).get("rename")
        needs: dict[str, set[str]] = {}
        for task_id in lost:
            domain, tid = task_id.split("/", 1)
            task = loader.tasks(domain)[tid]
            if key is not None:  # the world the episode served, renamed for its seed
                task = loader.renaming(domain, key).task(task)
            needs[task_id] = {n for step in gold_steps(task) for n in step.needs}
        for record in episode.compactions:
            now = call_in_progress(record)
            ahead = [t for t in lost if plan[t] >= now]
            dropped = "\n".join(s.text for s in record.dropped)
            harmful = any(n in dropped for t in ahead for n in needs[t])
            rows.append(
                record_row(record, scenario.brief, track="tau2", harmful=int(harmful),
                           label="HARMFUL" if harmful else "SAFE", seed=episode.seed,
                           agent=episode.reasoner)
            )  # fmt: skip
    return rows


def call_in_progress(record: CompactionRecord) -> int:
    """The number of the call in progress at the compaction (its latest ``[Call N]`` opening)."""
    numbers = [int(m.group(1)) for msg in record.before if (m := CALL.match(msg.content or ""))]
    return max(numbers, default=1)


def main(argv: list[str]) -> int:
    """``python -m memgym.rmdata.tau2_rows RESULTS.sqlite OUT.jsonl``: every stored tau2
    episode's compactions, labelled, as JSONL for ``memgym rm add-split``."""
    from memgym.rm.rows import write_jsonl
    from memgym.run.results import ResultsStore

    if len(argv) != 2:
        print("usage: python -m memgym.rmdata.tau2_rows RESULTS.sqlite OUT.jsonl", file=sys.stderr)
        return 2
    with ResultsStore(argv[0]) as store:
        rows = harm_rows(e for e in store.episodes() if e.track == "tau2")
    write_jsonl(argv[1], rows)
    harmful = sum(r["harmful"] for r in rows)
    print(f"{len(rows)} rows, {harmful} HARMFUL -> {argv[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
