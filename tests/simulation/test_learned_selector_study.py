"""``bench/studies/learned_selector.py``: what the learned text-only selector sees and keeps."""

from __future__ import annotations

from memgym.tokens import count_tokens
from memgym.tracks import get_track
from tests.bench_scripts import load_bench_script

study = load_bench_script("learned_selector")


def test_mask_hides_names_and_digits_but_keeps_how_sentences_open() -> None:
    text = "User: Wait, my mistake. It is Porto.\nAgent: Noted for Maya Okafor: born 1990-02-03."
    assert study.mask(text) == (
        "User: Wait, my mistake. It is N.\nAgent: Noted for N N: born 0000-00-00."
    )


def test_kept_takes_the_top_scored_rows_that_fit_in_stream_order() -> None:
    scenario = get_track("dialogue").generate(0, "lite")
    rows, questions = study.rows_of(scenario)
    assert questions and rows
    assert any(r.evidence for r in rows) and not all(r.evidence for r in rows)
    cited = {f for q in scenario.questions for f in q.evidence}
    assert all(r.evidence == bool(cited & set(r.event.facts)) for r in rows)
    scores = [float(i % 7) for i in range(len(rows))]
    texts = study.kept(rows, scores, len(rows), 300)
    assert sum(map(count_tokens, texts)) <= 300
    chosen = [i for i, r in enumerate(rows) if r.text in texts]
    assert chosen == sorted(chosen)  # stream order
    best = max(i for i in range(len(rows)) if scores[i] == 6.0 and rows[i].tokens <= 300)
    assert rows[best].text in texts or sum(map(count_tokens, texts)) + rows[best].tokens > 300
    assert study.kept(rows, scores, 0, 300) == ()
