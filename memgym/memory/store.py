"""The budgeted, searchable store that agent-managed memory writes into.

SQLite with an FTS5 index (``unicode61``, diacritics folded) over an ordinary table. It lives in
memory by default and on disk (WAL) when a path is given. On disk, triggers keep the index in sync,
so every change is one atomic SQL statement; in memory, the index catches up with the entries
changed since the last search when the next search starts (an entry edited several times in
between is indexed once; the same final index, so the same results). Budgets are checked before anything touches the database, and every
refusal is a ``StoreResult(ok=False, error=...)`` that leaves the store exactly as it was: a model's
bad tool call must never end an episode.

Search is FTS5 BM25 over the query's words, OR-ed together, each quoted as an FTS5 string and bound
as a parameter, so no query text is ever read as SQL or FTS5 syntax. Entries that contain the whole
query as one phrase (case- and accent-insensitive) rank above all others. FTS5 scores every row a
query matches at about a microsecond each, so search first scores only the rows holding the query's
rarer words and adds the common words' share to those rows; it falls back to scoring every match
whenever a row outside could still reach the top k (a max-score bound), so the top k stay exact.
Words in at least half the entries, whose BM25 weight FTS5 clamps to 1e-6, are searched only when
the pruned pass can afford them or no rarer word is in the query.
"""

from __future__ import annotations

import heapq
import math
import os
import re
import sqlite3
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from types import TracebackType
from typing import Self

from memgym.caches import per_scenario
from memgym.tokens import count_tokens

MAX_QUERY_TERMS = 32
"""Distinct query words searched for; later ones are ignored (bounds search time and scores)."""

EXACT_BOOST = 1000.0
"""Added to the score of a hit that contains the whole query as a phrase."""

ROW_BUDGET = 256
"""Matching rows the first, pruned search pass may score before falling back to a full pass."""

_BM25_MAX_TF = 2.2  # FTS5 bm25's k1 + 1: the most one word can add to a row, per unit of idf
_TERM = re.compile(r"[^\W_]+")  # runs of letters and digits, the word pieces unicode61 indexes

_TABLES = """
CREATE TABLE IF NOT EXISTS entries(
    id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, tokens INTEGER NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts5(
    text, content='entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
"""
_SCHEMA = (
    _TABLES
    + """
CREATE TRIGGER IF NOT EXISTS entries_ai AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS entries_ad AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts(entries_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER IF NOT EXISTS entries_au AFTER UPDATE OF text ON entries BEGIN
    INSERT INTO entries_fts(entries_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO entries_fts(rowid, text) VALUES (new.id, new.text);
END;
"""
)

_INSERT = "INSERT INTO entries(text, tokens) VALUES (?, ?)"
_FTS_ADD = "INSERT INTO entries_fts(rowid, text) VALUES (?, ?)"
_FTS_DROP = "INSERT INTO entries_fts(entries_fts, rowid, text) VALUES ('delete', ?, ?)"
_UPDATE = "UPDATE entries SET text = ?, tokens = ? WHERE id = ?"
_DELETE = "DELETE FROM entries WHERE id = ?"
_ALL = "SELECT id, text, tokens FROM entries ORDER BY id"
_SCORE = "SELECT rowid, bm25(entries_fts) FROM entries_fts WHERE entries_fts MATCH ?"
_IDS = "SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?"
# Full pass: FTS5 ranks and cuts every match, then only the k survivors' texts are read.
_TOP = """
SELECT e.id, e.text, e.tokens, m.r, m.exact FROM (
    SELECT rowid AS id, bm25(entries_fts) AS r, {exact} AS exact
    FROM entries_fts WHERE entries_fts MATCH ?1 ORDER BY exact DESC, r, id DESC LIMIT ?2
) AS m JOIN entries AS e ON e.id = m.id ORDER BY m.exact DESC, m.r, m.id DESC
"""
_TOP_PHRASE = _TOP.format(
    exact="rowid IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?3)"
)
_TOP_WORD = _TOP.format(exact="1")


@dataclass(frozen=True)
class Budget:
    """Limits on a store; ``None`` means unlimited. Edits and deletes consume no writes."""

    max_writes: int | None = None
    max_tokens_per_write: int | None = None
    max_total_tokens: int | None = None

    def __post_init__(self) -> None:
        for name in ("max_writes", "max_tokens_per_write", "max_total_tokens"):
            value = getattr(self, name)
            if value is not None and (not _is_int(value) or value < 0):
                raise ValueError(f"Budget.{name} must be a non-negative int or None, got {value!r}")


@dataclass(frozen=True)
class Entry:
    """One stored entry. ``score`` is search relevance (higher is better), 0 outside search."""

    id: int
    text: str
    tokens: int
    score: float = 0.0


@dataclass(frozen=True)
class StoreResult:
    """The outcome of one store operation; ``error`` says what went wrong and what to do."""

    ok: bool
    op: str
    entry: Entry | None = None
    hits: tuple[Entry, ...] = ()
    error: str | None = None


class Store:
    """A budgeted SQLite FTS5 store; ``path=None`` keeps it in memory.

    Reopening a file store restores its entries, ``writes_used`` and ``tokens_used`` (the budget is
    whatever the new instance is given); ``refusals`` counts this instance's refused operations.
    Open one ``Store`` per file at a time, and use it from the thread that made it.
    """

    row_budget: int = ROW_BUDGET  # per instance, so tests can force the pruned pass on tiny stores

    def __init__(
        self, budget: Budget = Budget(), path: str | os.PathLike[str] | None = None
    ) -> None:
        self.budget = budget
        self._con = sqlite3.connect(":memory:" if path is None else path, isolation_level=None)
        self._cur = cur = self._con.cursor()
        try:
            if path is None:
                _copy_schema(self._con)  # no triggers: search indexes what changed
                cur.execute("PRAGMA journal_mode=MEMORY")
                cur.execute("PRAGMA synchronous=OFF")
            else:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.executescript(_SCHEMA)
        except sqlite3.OperationalError as exc:
            self._con.close()
            if "fts5" in str(exc):
                raise RuntimeError("memgym's Store needs an SQLite built with FTS5") from exc
            raise
        self._doc_freq: Counter[str] = Counter()  # folded word -> live entries containing it
        # Word sets are counted lazily, only when a search needs the frequencies: entries
        # changed since the last search wait in ``_unindexed`` (id -> text, None once deleted).
        self._words: dict[int, frozenset[str]] = {}
        self._unindexed: dict[int, str | None] = {}
        self._rows: dict[int, Entry] = {}  # the live entries, so edits need no SELECT
        # In memory, the text each entry has in the FTS index (None on disk: triggers index).
        self._fts: dict[int, str] | None = {} if path is None else None
        self._tokens = 0
        for stored in cur.execute(_ALL).fetchall():
            entry = self._rows[stored[0]] = Entry(*stored)
            self._unindexed[entry.id] = entry.text
            self._tokens += entry.tokens
        row = cur.execute("SELECT seq FROM sqlite_sequence WHERE name = 'entries'").fetchone()
        self._writes: int = row[0] if row else 0
        self._refusals = 0

    @property
    def _live(self) -> int:
        """Live entries."""
        return len(self._rows)

    @property
    def writes_used(self) -> int:
        """Entries ever written (deleting an entry does not give its write back)."""
        return self._writes

    @property
    def tokens_used(self) -> int:
        """Sum of the tokens of the live entries."""
        return self._tokens

    @property
    def refusals(self) -> int:
        """Operations this instance refused."""
        return self._refusals

    def write(self, text: str) -> StoreResult:
        """Add a new entry; consumes one write."""
        limit = self.budget.max_writes
        if limit is not None and self._writes >= limit:
            return self._refuse(
                "write",
                f"write refused: budget of {limit} writes used; "
                "edit an existing entry instead (deleting does not return writes)",
            )
        tokens, error = self._check_text("write", text, freed=0)
        if error is not None:
            return self._refuse("write", error)
        try:
            self._cur.execute(_INSERT, (text, tokens))
        except UnicodeEncodeError:
            return self._refuse("write", "write refused: text is not valid unicode; resend it")
        entry_id = self._cur.lastrowid
        assert entry_id is not None  # an INSERT always sets it
        self._writes = entry_id
        self._tokens += tokens
        entry = self._rows[entry_id] = Entry(entry_id, text, tokens)
        self._unindexed[entry_id] = text
        return StoreResult(True, "write", entry=entry)

    def edit(self, entry_id: int, text: str) -> StoreResult:
        """Replace an entry's text; consumes no write but obeys both token caps."""
        old, error = self._get("edit", entry_id)
        if old is None:
            return self._refuse("edit", error)
        tokens, refusal = self._check_text("edit", text, freed=old.tokens)
        if refusal is not None:
            return self._refuse("edit", refusal)
        try:
            self._cur.execute(_UPDATE, (text, tokens, entry_id))
        except UnicodeEncodeError:
            return self._refuse("edit", "edit refused: text is not valid unicode; resend it")
        self._tokens += tokens - old.tokens
        entry = self._rows[entry_id] = Entry(entry_id, text, tokens)
        self._unindexed[entry_id] = text
        return StoreResult(True, "edit", entry=entry)

    def delete(self, entry_id: int) -> StoreResult:
        """Remove an entry, freeing its tokens; ``entry`` is the removed entry."""
        old, error = self._get("delete", entry_id)
        if old is None:
            return self._refuse("delete", error)
        self._cur.execute(_DELETE, (entry_id,))
        del self._rows[entry_id]
        self._tokens -= old.tokens
        self._unindexed[entry_id] = None
        return StoreResult(True, "delete", entry=old)

    def read(self, entry_id: int) -> StoreResult:
        """Return one entry by id."""
        entry, error = self._get("read", entry_id)
        if entry is None:
            return self._refuse("read", error)
        return StoreResult(True, "read", entry=entry)

    def search(self, query: str, k: int = 5) -> StoreResult:
        """Return up to ``k`` entries holding any word of ``query``, best first.

        Entries containing the whole query as a phrase come first (their score carries
        ``EXACT_BOOST``; for a one-word query that is every hit), then BM25 order, then newer first.
        A query without letters or digits (empty, only punctuation) matches nothing.
        """
        if not isinstance(query, str):
            error = f"search refused: query must be text, got {_kind(query)}"
            return self._refuse("search", error)
        if not _is_int(k) or k < 1:
            error = f"search refused: k must be a positive integer, got {k!r}"
            return self._refuse("search", error)
        words = _TERM.findall(query)
        if not words or self._live == 0:
            return StoreResult(True, "search")
        if self._unindexed:
            self._catch_up()
        phrase = _fts_string(" ".join(words)) if len(words) > 1 else None
        distinct: dict[str, str] = {}  # folded key -> first spelling, which FTS5 folds itself
        for word in words:
            distinct.setdefault(_fold(word), word)
        ranked = sorted(
            (self._doc_freq[key], _fts_string(word))
            for key, word in list(distinct.items())[:MAX_QUERY_TERMS]
        )
        rows, cut = ranked[0][0], 1
        while cut < len(ranked) and rows + ranked[cut][0] <= self.row_budget:
            rows += ranked[cut][0]
            cut += 1
        rare = [term for _, term in ranked[:cut]]
        common = [(df, term) for df, term in ranked[cut:] if 2 * df < self._live]
        limit = min(k, self._live)
        hits = None
        if common and phrase is not None and rows <= self.row_budget:
            hits = self._search_pruned(rare, common, phrase, limit)
        if hits is None:
            hits = self._search_full(rare + [term for _, term in common], phrase, limit)
        return StoreResult(True, "search", hits=hits)

    def entries(self) -> list[Entry]:
        """All live entries in id order (for scoring and tests, not an agent tool)."""
        return [Entry(*row) for row in self._cur.execute(_ALL).fetchall()]

    def close(self) -> None:
        """Close the database; a file store keeps its entries for the next ``Store(path=...)``."""
        self._con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _search_full(self, terms: list[str], phrase: str | None, limit: int) -> tuple[Entry, ...]:
        """Score every row matching any of ``terms`` and return the top ``limit``."""
        any_term = " OR ".join(terms)
        if phrase is None:
            rows = self._cur.execute(_TOP_WORD, (any_term, limit)).fetchall()
        else:
            rows = self._cur.execute(_TOP_PHRASE, (any_term, limit, phrase)).fetchall()
        return tuple(Entry(i, text, n, _score(r, exact)) for i, text, n, r, exact in rows)

    def _search_pruned(
        self, rare: list[str], common: list[tuple[int, str]], phrase: str, limit: int
    ) -> tuple[Entry, ...] | None:
        """Score only the rows holding a rare term; None when a row without one could place."""
        cur = self._cur
        any_rare = " OR ".join(rare)
        scores = dict(cur.execute(_SCORE, (any_rare,)).fetchall())
        any_common = " OR ".join(term for _, term in common)
        # Rows with a rare and a common term: each phrase appears once, so bm25 is the full score.
        scores.update(cur.execute(_SCORE, (f"({any_rare}) AND ({any_common})",)).fetchall())
        exact = {rowid for (rowid,) in cur.execute(_IDS, (phrase,))}
        top = heapq.nlargest(limit, scores.items(), key=lambda it: (it[0] in exact, -it[1], it[0]))
        if len(top) < limit:
            return None
        last_id, last_r = top[-1]
        bound = sum(_BM25_MAX_TF * _idf(df, self._live) for df, _ in common)
        if last_id not in exact and -last_r < bound:
            return None
        hits = []
        for rowid, r in top:
            entry = self._rows[rowid]
            hits.append(Entry(rowid, entry.text, entry.tokens, _score(r, rowid in exact)))
        return tuple(hits)

    def _catch_up(self) -> None:
        """Bring the document frequencies, and in memory the FTS index, up to date with the
        entries changed since last time (each once, however often it was edited in between)."""
        freq, words, fts = self._doc_freq, self._words, self._fts
        if fts is not None:
            self._cur.execute("BEGIN")
        for entry_id, text in self._unindexed.items():
            if fts is not None:
                indexed = fts.pop(entry_id, None)
                if indexed is not None:
                    self._cur.execute(_FTS_DROP, (entry_id, indexed))
                if text is not None:
                    self._cur.execute(_FTS_ADD, (entry_id, text))
                    fts[entry_id] = text
            old = words.pop(entry_id, None)
            new = None if text is None else _text_words(text)
            if old is not None:
                for key in old - new if new is not None else old:
                    freq[key] -= 1
                    if not freq[key]:
                        del freq[key]
            if new is not None:
                for key in new - old if old is not None else new:
                    freq[key] += 1
                words[entry_id] = new
        if fts is not None:
            self._cur.execute("COMMIT")
        self._unindexed.clear()

    def _refuse(self, op: str, error: str) -> StoreResult:
        self._refusals += 1
        return StoreResult(False, op, error=error)

    def _get(self, op: str, entry_id: int) -> tuple[Entry | None, str]:
        if not _is_int(entry_id):
            return None, f"{op} refused: entry id must be an integer, got {_kind(entry_id)}"
        entry = self._rows.get(entry_id)
        if entry is None:
            hint = "use an id that write or search returned"
            return None, f"{op} refused: no entry with id {entry_id}; {hint}"
        return entry, ""

    def _check_text(self, op: str, text: str, freed: int) -> tuple[int, str | None]:
        """Return the token count of ``text`` and the error refusing it (None if it fits)."""
        if not isinstance(text, str):
            return 0, f"{op} refused: text must be a string, got {_kind(text)}"
        tokens = count_tokens(text)
        if tokens == 0:
            return 0, f"{op} refused: text is empty; give the content to store"
        cap = self.budget.max_tokens_per_write
        if cap is not None and tokens > cap:
            return tokens, (
                f"{op} refused: text is {tokens} tokens, over the limit of {cap} tokens per entry; "
                "shorten it"
            )
        total, after = self.budget.max_total_tokens, self._tokens - freed + tokens
        if total is not None and after > total:
            return tokens, (
                f"{op} refused: would bring memory to {after} tokens, over the total budget of "
                f"{total} ({self._tokens} used); delete or shorten entries first"
            )
        return tokens, None


_TEMPLATE: dict[int, sqlite3.Connection] = {}  # process id -> an empty database with the schema
_TEMPLATE_LOCK = threading.Lock()


def _copy_schema(con: sqlite3.Connection) -> None:
    """Give the new in-memory database ``con`` the schema by copying an empty one made once per
    process (measured: ~0.01 ms a copy against ~0.2 ms running the schema script)."""
    with _TEMPLATE_LOCK:
        template = _TEMPLATE.get(os.getpid())
        if template is None:
            template = sqlite3.connect(":memory:", check_same_thread=False)
            try:
                template.executescript(_TABLES)
            except sqlite3.OperationalError:
                template.close()
                raise
            _TEMPLATE.clear()  # one made before a fork belongs to the parent
            _TEMPLATE[os.getpid()] = template
        template.backup(con)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: object) -> str:
    """Describe a bad argument briefly for an error message."""
    shown = repr(value)
    return f"{type(value).__name__} {shown[:40] + '...' if len(shown) > 40 else shown}"


def _fts_string(term: str) -> str:
    """Quote ``term`` as an FTS5 string, which FTS5 never reads as an operator or column."""
    return '"' + term.replace('"', '""') + '"'


def _text_words(text: str) -> frozenset[str]:
    """The folded words of ``text``: the union of its lines' (no word spans a line break, and
    an edited entry keeps most of its lines)."""
    if "\n" not in text:
        return _line_words(text)
    return frozenset().union(*map(_line_words, text.split("\n")))


@per_scenario
@lru_cache(maxsize=1 << 14)
def _line_words(line: str) -> frozenset[str]:
    return frozenset(map(_fold, _TERM.findall(line)))


@lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    """Fold ``word`` as unicode61 does (lower case, Latin diacritics removed) for frequency keys."""
    word = word.lower()
    if word.isascii():
        return word
    return "".join(map(_fold_char, word))


def _fold_char(char: str) -> str:
    parts = unicodedata.normalize("NFD", char)
    if len(parts) > 1 and ord(parts[0]) < 0x250 and all(map(unicodedata.combining, parts[1:])):
        return parts[0]
    return char


def _idf(doc_freq: int, rows: int) -> float:
    """FTS5 bm25's inverse document frequency (clamped to 1e-6 like FTS5)."""
    return max(1e-6, math.log((rows - doc_freq + 0.5) / (doc_freq + 0.5)))


def _score(bm25: float, exact: bool) -> float:
    """Turn FTS5's bm25 (lower is better) into a score (higher is better)."""
    return -bm25 + (EXACT_BOOST if exact else 0.0)
