"""Tests for the budgeted SQLite FTS5 store: operations, budgets, search safety and ranking."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from memgym.memory.store import EXACT_BOOST, Budget, Entry, Store, StoreResult
from memgym.tokens import count_tokens

FACTS = [
    "Vantor Labs revenue was 12 million in 2031.",
    "Labs everywhere: the Orrin Labs team moved to Vantor street.",
    "Vantor hired a new CEO.",
    "Kessel Group headcount is 420.",
    "The weather was mild.",
]


def _store(texts: list[str] = FACTS, budget: Budget | None = None) -> Store:
    store = Store(budget or Budget())
    for text in texts:
        assert store.write(text).ok
    return store


def _state(store: Store) -> tuple[list[Entry], int, int]:
    return store.entries(), store.writes_used, store.tokens_used


# --- operations ---------------------------------------------------------------------------------


def test_write_assigns_ids_in_order_and_counts_tokens() -> None:
    with Store() as store:
        first, second = store.write("alpha beta"), store.write("Gamma, delta!")
        assert first == StoreResult(True, "write", entry=Entry(1, "alpha beta", 2))
        assert second.entry == Entry(2, "Gamma, delta!", count_tokens("Gamma, delta!"))
        assert store.writes_used == 2
        assert store.tokens_used == 2 + count_tokens("Gamma, delta!")
        assert store.refusals == 0


def test_read_edit_delete_and_entries() -> None:
    with _store(["one fish", "two fish", "red fish"]) as store:
        assert store.read(2).entry == Entry(2, "two fish", 2)
        edited = store.edit(2, "blue fish swims")
        assert edited.ok and edited.op == "edit" and edited.entry == Entry(2, "blue fish swims", 3)
        assert store.read(2).entry.text == "blue fish swims"
        deleted = store.delete(1)
        assert deleted.ok and deleted.entry == Entry(1, "one fish", 2)
        assert [e.id for e in store.entries()] == [2, 3]
        assert store.tokens_used == 5
        assert [hit.id for hit in store.search("blue").hits] == [2]
        assert store.search("one").hits == ()


def test_ids_stay_stable_after_delete() -> None:
    with _store(["a1", "b2", "c3"]) as store:
        store.delete(3)
        store.delete(2)
        assert store.write("d4").entry.id == 4
        assert [(e.id, e.text) for e in store.entries()] == [(1, "a1"), (4, "d4")]
        assert store.read(1).entry.text == "a1"
        assert not store.read(2).ok


def test_edit_and_delete_reach_the_index() -> None:
    with _store(["the cat sat", "the dog ran"]) as store:
        store.edit(1, "the bird flew")
        assert store.search("cat").hits == ()
        assert [h.id for h in store.search("bird").hits] == [1]
        store.delete(2)
        assert store.search("dog").hits == ()


def test_context_manager_closes() -> None:
    with Store() as store:
        store.write("x")
    with pytest.raises(sqlite3.ProgrammingError):
        store.entries()


def test_file_store_persists(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite"
    with Store(Budget(max_writes=10), path=str(path)) as store:
        for text in FACTS:
            store.write(text)
        store.delete(3)
        store.edit(4, "Kessel Group headcount is 500.")
    with Store(Budget(max_writes=10), path=str(path)) as store:
        assert store.writes_used == len(FACTS)
        assert [e.id for e in store.entries()] == [1, 2, 4, 5]
        assert store.tokens_used == sum(e.tokens for e in store.entries())
        assert [h.id for h in store.search("Kessel headcount").hits] == [4]
        assert store.search("CEO").hits == ()
        assert store.write("Another fact.").entry.id == len(FACTS) + 1


# --- budgets and refusals ------------------------------------------------------------------------


def test_write_budget_refuses_without_changing_state() -> None:
    with _store(FACTS[:2], Budget(max_writes=2)) as store:
        before = _state(store)
        result = store.write("one more")
        assert not result.ok and result.op == "write" and result.entry is None
        assert "budget of 2 writes used" in result.error and "edit" in result.error
        assert _state(store) == before
        assert store.refusals == 1


def test_deletes_do_not_return_writes_and_edits_do_not_consume_them() -> None:
    with _store(["a b", "c d"], Budget(max_writes=2)) as store:
        assert store.edit(1, "a b c").ok and store.writes_used == 2
        assert store.delete(2).ok
        assert not store.write("e f").ok
        assert store.writes_used == 2


def test_per_entry_token_cap_applies_to_write_and_edit() -> None:
    with _store(["short note"], Budget(max_tokens_per_write=3)) as store:
        before = _state(store)
        refused = store.write("one two three four")
        assert not refused.ok and "4 tokens" in refused.error and "limit of 3" in refused.error
        refused_edit = store.edit(1, "one two three four")
        assert not refused_edit.ok and refused_edit.op == "edit"
        assert _state(store) == before
        assert store.write("one two three").ok
        assert store.edit(1, "a b c").ok


def test_total_token_cap_and_deletes_free_tokens() -> None:
    with _store(["a b c", "d e f"], Budget(max_total_tokens=8)) as store:
        before = _state(store)
        refused = store.write("g h i")
        assert not refused.ok and "total budget of 8" in refused.error
        assert _state(store) == before
        assert not store.edit(1, "a b c d e f").ok  # 6 + 3 > 8
        assert store.edit(1, "a b c d e").ok  # 5 + 3 <= 8: an edit may grow within the cap
        assert store.tokens_used == 8
        assert store.delete(2).ok and store.tokens_used == 5
        assert store.write("g h i").ok and store.tokens_used == 8


BAD_TEXTS = ["", "   ", "\n\t", None, 42, ["a"], b"bytes", "\ud800 lone surrogate"]


@pytest.mark.parametrize("text", BAD_TEXTS)
def test_bad_text_is_refused(text: object) -> None:
    with _store(["keep me"]) as store:
        before = _state(store)
        for result in (store.write(text), store.edit(1, text)):  # type: ignore[arg-type]
            assert not result.ok and result.error
        assert _state(store) == before
        assert store.refusals == 2


@pytest.mark.parametrize("entry_id", [0, -1, 99, "1", 1.0, True, None, 2**80, -(2**80)])
def test_bad_or_unknown_ids_are_refused(entry_id: object) -> None:
    with _store(["keep me"]) as store:
        before = _state(store)
        bad: int = entry_id  # type: ignore[assignment]
        for result in (store.read(bad), store.edit(bad, "x"), store.delete(bad)):
            assert not result.ok and result.error and "refused" in result.error
        assert _state(store) == before
        assert store.refusals == 3


@pytest.mark.parametrize("k", [0, -3, "5", 2.0, True, None])
def test_bad_k_is_refused(k: object) -> None:
    with _store() as store:
        result = store.search("Vantor", k)  # type: ignore[arg-type]
        assert not result.ok and result.op == "search" and "k must be" in result.error


def test_non_text_query_is_refused_and_huge_k_is_fine() -> None:
    with _store() as store:
        assert not store.search(None).ok  # type: ignore[arg-type]
        assert not store.search(["Vantor"]).ok  # type: ignore[arg-type]
        assert len(store.search("Vantor", 10**30).hits) == 3


def test_budget_rejects_bad_limits() -> None:
    with pytest.raises(ValueError):
        Budget(max_writes=-1)
    with pytest.raises(ValueError):
        Budget(max_total_tokens=1.5)  # type: ignore[arg-type]


def test_text_with_nul_and_unicode_round_trips() -> None:
    with _store(["naïve café\x00 Zürich Straße 東京"]) as store:
        assert store.read(1).entry.text == "naïve café\x00 Zürich Straße 東京"
        for query in ("naive", "CAFÉ", "zurich", "東京", "straße"):
            assert [h.id for h in store.search(query).hits] == [1], query


# --- search ranking ------------------------------------------------------------------------------


def test_exact_name_ranks_first() -> None:
    texts = [
        "Labs labs labs: Vantor and Orrin share the labs.",  # both words, many times, not a phrase
        "Met someone from vantor labs today.",  # the phrase, lower case
        "Vantor, Vantor, Vantor.",
    ]
    with _store(texts) as store:
        hits = store.search("Vantor Labs", k=3).hits
        assert hits[0].id == 2 and hits[0].score >= EXACT_BOOST
        assert all(hit.score < EXACT_BOOST for hit in hits[1:])
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_bm25_prefers_rare_terms_and_focused_entries() -> None:
    filler = [f"common word number {i}" for i in range(20)]
    texts = [*filler, "common zebra", "zebra zebra zebra", "a long entry " * 10 + "zebra"]
    with _store(texts) as store:
        hits = store.search("common zebra", k=5).hits
        assert hits[0].text == "common zebra"  # the phrase
        assert {hits[1].text, hits[2].text} >= {"zebra zebra zebra"}  # the rare word beats "common"
        assert all("zebra" in h.text for h in hits[:3])
        ranked = store.search("zebra", k=3).hits
        assert ranked[0].text == "zebra zebra zebra"
        assert ranked[-1].text.startswith("a long entry")


def test_search_returns_at_most_k_best_first() -> None:
    with _store([f"note {i} about apples" for i in range(30)]) as store:
        hits = store.search("apples", k=7).hits
        assert len(hits) == 7
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "?!.,;",
        '"',
        '""',
        "'",
        "*",
        "Vantor*",
        "NEAR(Vantor Labs)",
        "Vantor AND Labs",
        "Vantor OR",
        "NOT Vantor",
        "(Vantor",
        "Vantor)",
        "text:Vantor",
        "entries_fts:Vantor",
        "{text}: Vantor",
        "^Vantor",
        "Vantor + Labs",
        "'; DROP TABLE entries; --",
        '"; DROP TABLE entries; --',
        "Vantor\x00Labs",
        "\ud800Vantor",
        "Vantor" * 1000,
        " ".join(["Vantor"] * 5000),
        " ".join(f"w{i}" for i in range(500)),
    ],
)
def test_hostile_queries_are_safe(query: str) -> None:
    with _store() as store:
        result = store.search(query, k=3)
        assert result.ok and result.error is None and len(result.hits) <= 3
        assert len(store.entries()) == len(FACTS)
        words = {w.lower() for w in query.replace("\x00", " ").split()}
        for hit in result.hits:  # never match-all: every hit holds a query word
            assert "vantor" in hit.text.lower() or words & set(hit.text.lower().split())


def test_punctuation_only_query_matches_nothing() -> None:
    with _store() as store:
        for query in ("", "***", "''", '" "', "()", "-- ;"):
            assert store.search(query).hits == ()


# --- properties ----------------------------------------------------------------------------------

META = [
    '"',
    "'",
    "*",
    "^",
    "(",
    ")",
    ":",
    "-",
    "+",
    "{",
    "}",
    "NEAR",
    "NEAR(",
    "AND",
    "OR",
    "NOT",
    "text:",
    "entries_fts",
    "rank",
    "bm25(",
    "MATCH",
    "'; DROP TABLE entries; --",
    "\\",
    "%",
    "_",
    "\x00",
    "é",
    "東京",
    "Vantor",
    "Labs",
]
SECRET = "xylophone zeppelin quasar"
QUERIES = st.lists(st.one_of(st.sampled_from(META), st.text(max_size=12)), max_size=8).map(" ".join)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@settings(max_examples=300, deadline=None)
@given(query=QUERIES, k=st.integers(1, 4))
def test_random_queries_never_raise_or_exceed_k(query: str, k: int) -> None:
    with _store() as store:
        result = store.search(query, k)
        assert result.ok and len(result.hits) <= k
        assert len({hit.id for hit in result.hits}) == len(result.hits)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(query=QUERIES, others=st.lists(QUERIES, max_size=5))
def test_secret_entry_never_found_without_its_words(query: str, others: list[str]) -> None:
    folded = _fold(query)
    assume(not any(word in folded for word in SECRET.split()))
    with Store() as store:
        for text in others:
            store.write(text)  # empty ones are refused, which is fine here
        secret_id = store.write(SECRET).entry.id
        assert secret_id not in {hit.id for hit in store.search(query, 10).hits}
        assert [h.id for h in store.search("zeppelin").hits] == [secret_id]


VOCAB = ["ant", "bee", "cat", "dog", "eel", "fox", "gnu", "hen", "owl", "yak", "Vantor", "Labs"]
WORD_LISTS = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=8)


def _reference(store: Store, query: list[str], k: int) -> list[tuple[bool, float]]:
    """Rank every entry holding a query word with FTS5's bm25 directly: (exact, relevance) pairs."""
    con = store._con  # the same database, queried without the store's pruning
    terms = " OR ".join(f'"{w}"' for w in dict.fromkeys(w.lower() for w in query))
    scores = dict(
        con.execute(
            "SELECT rowid, -bm25(entries_fts) FROM entries_fts WHERE entries_fts MATCH ?", (terms,)
        )
    )
    exact = {
        r
        for (r,) in con.execute(
            "SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?",
            ('"' + " ".join(query) + '"',),
        )
    }
    return sorted(((len(query) == 1 or i in exact, s) for i, s in scores.items()), reverse=True)[:k]


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(WORD_LISTS, min_size=1, max_size=40),
    query=st.lists(st.sampled_from([*VOCAB, "zzz"]), min_size=1, max_size=5),
    k=st.integers(1, 6),
    row_budget=st.integers(1, 12),
)
def test_pruned_search_matches_full_bm25(
    texts: list[list[str]], query: list[str], k: int, row_budget: int
) -> None:
    with _store([" ".join(t) for t in texts]) as store:
        store.row_budget = row_budget
        hits = store.search(" ".join(query), k).hits
        got = [(h.score >= EXACT_BOOST, h.score % EXACT_BOOST) for h in hits]
        want = _reference(store, query, k)
        # Words in half the entries or more weigh 1e-6 in FTS5; the store may leave them out.
        tolerance = 1e-5 * len(query)
        assert len(got) <= len(want)
        for (got_exact, got_score), (want_exact, want_score) in zip(got, want):
            assert got_exact == want_exact
            assert got_score == pytest.approx(want_score, abs=tolerance)
        assert all(not exact and score <= tolerance for exact, score in want[len(got) :])


def test_a_memory_store_searches_exactly_like_a_file_store(tmp_path):
    """In memory the FTS index catches up at search time; on disk triggers keep it in sync:
    the same random writes, edits and deletes, interleaved with searches, give the same hits."""
    import random

    rng = random.Random(11)
    words = ["alpha", "Beta", "gamma", "délta", "42", "7.5", "Vantor", "Labs", "revenue"]
    memory, disk = Store(), Store(path=tmp_path / "s.sqlite")
    for _ in range(300):
        ids = [e.id for e in memory.entries()]
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        roll = rng.random()
        if roll < 0.35 or not ids:
            results = memory.write(text), disk.write(text)
        elif roll < 0.7:
            target = rng.choice(ids)
            results = memory.edit(target, text), disk.edit(target, text)
        elif roll < 0.8:
            target = rng.choice(ids)
            results = memory.delete(target), disk.delete(target)
        else:
            query = " ".join(rng.choice(words) for _ in range(rng.randint(1, 3)))
            k = rng.randint(1, 6)
            results = memory.search(query, k=k), disk.search(query, k=k)
        assert results[0] == results[1]
    assert memory.entries() == disk.entries()
    memory.close()
    disk.close()
