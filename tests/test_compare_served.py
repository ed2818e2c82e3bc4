"""``memgym compare`` through ``memgym serve`` with the LLM reasoner, and over worker processes:
the same table as the scripted reasoner in-process."""

import pytest

from memgym.commands.compare import run_comparison
from memgym.serve import running

MEMORIES = [
    "window:max_tokens=5000",
    "summary:max_tokens=1500",
    "mask:keep=3",
    "rag-bm25:k=3",
    "agentic:policy=strategic",
]
SUMMARY = "summary:max_tokens=1500,summary_tokens=375"


def table(comparison):
    """The comparison's numbers: every row and the leaked questions (not the reasoner's name)."""
    data = comparison.to_json()
    return data["memories"], data["leaked"], data["seeds"]


@pytest.fixture(scope="module")
def scripted():
    return run_comparison("entities", "lite", [0, 1], MEMORIES, resamples=100)


def test_llm_reasoner_through_the_server_gives_the_scripted_numbers(scripted):
    models, spent = set(), []
    with running() as server:
        served = run_comparison(
            "entities",
            "lite",
            [0, 1],
            [*MEMORIES, f"{SUMMARY},summarizer=llm,base_url={server.base_url}"],
            reasoner=f"llm:base_url={server.base_url}",
            resamples=100,
            on_episode=lambda r: (models.add(r.model), spent.append(r.usage.get("calls", 0))),
        )
        requests = server.stats["requests"]
    assert models == {"memgym-scripted"}  # the model id, not "scripted"
    assert 0 < sum(spent) < requests  # episodes' calls (the closed-book probes are not episodes)
    assert served.reasoner.startswith("llm:") and scripted.reasoner == "scripted"
    rows, leaked, seeds = table(served)
    llm_summary = rows.pop()  # the LLM summariser's row: the extractive row's numbers
    assert llm_summary["memory"].startswith(f"{SUMMARY},summarizer=llm,")
    extractive = next(r for r in rows if r["memory"] == SUMMARY)
    assert {**llm_summary, "memory": SUMMARY} == extractive
    assert (rows, leaked, seeds) == table(scripted)
    assert 0 < scripted.scores["window:max_tokens=5000"].accuracy < 1


def test_worker_processes_give_the_same_results(scripted):
    stored = []
    parallel = run_comparison(
        "entities",
        "lite",
        [0, 1],
        MEMORIES,
        resamples=100,
        workers=2,
        on_episode=lambda r: stored.append((r.seed, r.memory, len(r.compactions))),
    )
    assert table(parallel) == table(scripted)
    assert [(s, m) for s, m, _ in stored] == [
        (seed, row["memory"]) for seed in (0, 1) for row in table(scripted)[0]
    ]
    assert any(n for *_, n in stored)  # compaction records come back from the workers


def test_workers_need_a_spec_and_a_positive_count(track):
    with pytest.raises(ValueError, match="workers must be a positive integer"):
        run_comparison("entities", "lite", [0], [], workers=0)
    with pytest.raises(TypeError, match="spec string"):
        run_comparison("entities", "lite", [0, 1], [], reasoner=lambda: None, workers=2)


OTHER_TRACKS = ("research", "codeqa", "dialogue")
TRACK_MEMORIES = [
    "window:max_tokens=2000",
    "mask:keep=4",
    "rag-bm25:k=3",
    "agentic:policy=strategic",
]


@pytest.mark.parametrize("track_name", OTHER_TRACKS)
def test_every_track_gives_the_scripted_numbers_through_the_server(track_name):
    """The served LLM reasoner is the scripted one on every track, not just on entities."""
    scripted = run_comparison(track_name, "lite", [0], TRACK_MEMORIES, resamples=50)
    with running() as server:
        served = run_comparison(
            track_name,
            "lite",
            [0],
            TRACK_MEMORIES,
            reasoner=f"llm:base_url={server.base_url}",
            resamples=50,
        )
    assert table(served) == table(scripted)
    assert scripted.scores["oracle"].accuracy > scripted.scores["none"].accuracy
