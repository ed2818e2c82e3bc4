"""The scripted reasoner: exact, deterministic, no LLM, and it knows only what it can read.

It reads claims from the view's messages with the track's reader, searches the view's store (if
any) the way a careful agent would, by the names and filter values the question mentions, and
answers the question's structured spec with ``memgym.query.evaluate``. With perfect memory it is
always right; everything it gets wrong is the memory's fault, which is what isolation needs.
"""

from __future__ import annotations

from collections.abc import Callable

from memgym.caches import on_next_scenario
from memgym.claims import Claim
from memgym.memory.store import Store
from memgym.query import ABSTAIN, Fragment, Table, entities_named, evaluate, filter_terms, links
from memgym.reasoners.base import Reasoner, register_reasoner
from memgym.tracks.base import Track
from memgym.types import Question, View

NAME_K = 3
"""Hits read first per entity-name search; the reasoner pages on (x4) while none holds the
entity's own record, up to ``SET_K`` (a name can also appear in other records as a relation)."""
SET_K = 50
"""Hits read per filter-value search (set questions need every matching record)."""
PATH_SEARCHES = 64
"""Records a path question may search for while following links."""
FRAGMENTS = 4096
"""Entry texts whose folded claims the track's scripted reasoners keep (emptied when full)."""


@register_reasoner("scripted")
class ScriptedReasoner(Reasoner):
    """Answers from the claims it can read in the view and find in the store."""

    name = "scripted"

    def __init__(self, track: Track) -> None:
        self.read: Callable[[str], list[Claim]] = track.read_cached
        # Shared by every scripted reasoner of the track, as its read cache is: the policies
        # of one scenario store many identical records. Emptied at the next scenario.
        fragments = track.__dict__.get("_fragment_cache")
        if fragments is None:
            fragments = track.__dict__["_fragment_cache"] = {}
            on_next_scenario(fragments.clear)
        self._fragments: dict[str, Fragment] = fragments

    def answer(self, question: Question, view: View) -> str:
        known = self.read(view.text())
        hits: dict[int, str] = {}
        if isinstance(view.store, Store):
            self._search(view.store, question.spec, known, hits)
        if not known and not hits:  # nothing read: no count of zero, no guess
            return ABSTAIN
        return evaluate(question.spec, self._table(known, hits))

    def _table(self, known: list[Claim], hits: dict[int, str]) -> Table:
        """The view's claims, then every hit's in entry id order (later claims win)."""
        table = Table.from_claims(known)
        for entry_id in sorted(hits):
            table.merge(self._fragment(hits[entry_id]))
        return table

    def _fragment(self, text: str) -> Fragment:
        """The claims of an entry's text, read and folded once."""
        fragment = self._fragments.get(text)
        if fragment is None:
            if len(self._fragments) >= FRAGMENTS:
                self._fragments.clear()
            fragment = self._fragments[text] = Fragment.of(self.read(text))
        return fragment

    def _search(self, store: Store, spec: dict, known: list[Claim], hits: dict[int, str]) -> None:
        for name in entities_named(spec):
            self._find(store, name, hits)
        for term in filter_terms(spec):
            self._collect(store, term, SET_K, hits)
        op = spec.get("op")
        if op == "hop":
            link = self._table(known, hits).get(spec["entity"], spec["relation"])
            if link is not None:
                self._find(store, link.value, hits)
        if op == "path":
            self._follow(store, spec, known, hits)
        if op == "chain":
            self._chain(store, spec, known, hits)

    def _chain(self, store: Store, spec: dict, known: list[Claim], hits: dict[int, str]) -> None:
        """Follow a chain hop by hop: search for each entity a link leads to, then its link."""
        entity = spec["entity"]
        relations = spec["relations"]
        for i, relation in enumerate(relations):
            link = self._table(known, hits).get(entity, relation)
            if link is None:
                break
            entity = link.value
            if i + 1 < len(relations) or "attribute" in spec:
                self._find(store, entity, hits)

    def _follow(self, store: Store, spec: dict, known: list[Claim], hits: dict[int, str]) -> None:
        """Search the records along ``spec["relation"]`` links from ``spec["from"]``, breadth
        first, until ``spec["to"]`` is reached (at most ``PATH_SEARCHES`` searches)."""
        searched = {spec["from"]}
        frontier = [spec["from"]]
        while frontier and spec["to"] not in searched and len(searched) < PATH_SEARCHES:
            table = self._table(known, hits)
            nxt = [n for name in frontier for n in links(table, name, spec["relation"])]
            frontier = [n for n in dict.fromkeys(nxt) if n not in searched]
            for name in frontier:
                searched.add(name)
                if name != spec["to"]:
                    self._find(store, name, hits)

    def _find(self, store: Store, name: str, hits: dict[int, str]) -> None:
        """Search for ``name``, reading further pages until its own record turns up."""
        k = NAME_K
        while True:
            page = store.search(name, k=k).hits
            found = False
            for entry in page:
                hits[entry.id] = entry.text
                found = found or name in self._fragment(entry.text).rows
            if found or len(page) < k or k >= SET_K:
                return
            k = min(SET_K, k * 4)

    @staticmethod
    def _collect(store: Store, query: str, k: int, hits: dict[int, str]) -> None:
        result = store.search(query, k=k)
        for entry in result.hits:
            hits[entry.id] = entry.text
