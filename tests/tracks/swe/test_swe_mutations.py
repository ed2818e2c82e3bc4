"""Seeded AST mutations of real standard-library modules: one line changed, the AST as intended."""

from __future__ import annotations

import ast
import random

from memgym.tracks.swe.codebases import CODEBASES, cached_source
from memgym.tracks.swe.mutations import apply_all, mutate, sites


def test_every_mutation_changes_one_line_into_the_mutated_ast() -> None:
    rng = random.Random(7)
    kinds = set()
    for name in CODEBASES:
        source = cached_source(name)
        original = ast.dump(ast.parse(source))
        for site in rng.sample(sites(source), 12):
            mutation = mutate(source, site, random.Random(site.index))
            if mutation is None:
                continue
            kinds.add(mutation.site.kind)
            bugged = apply_all(source, [mutation])
            before, after = source.split("\n"), bugged.split("\n")
            assert len(before) == len(after)  # line numbers never move
            changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
            assert changed == [mutation.site.line - 1]
            assert ast.dump(ast.parse(bugged)) != original  # a real change of the program
    assert {"compare", "operator", "off_by_one", "negate"} <= kinds


def test_mutations_are_seeded() -> None:
    source = cached_source("fractions")
    site = sites(source)[40]
    first = mutate(source, site, random.Random(3))
    assert first == mutate(source, site, random.Random(3))
