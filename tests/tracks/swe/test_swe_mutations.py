"""Seeded AST mutations of the rewritten code bases: one line changed, in the layout of every
other line, and no shape a person would not write."""

from __future__ import annotations

import ast
import random
import re

from memgym.tracks.swe.codebases import CODEBASES
from memgym.tracks.swe.disguise import normalise, variant
from memgym.tracks.swe.mutations import apply_all, mutate, sites

ODD_SHAPES = re.compile(
    r"\b(?:if|while|and|or) not (?!in\b)[\w.\[\]()]+ (?:[<>]=?|[!=]=|is|in) |^\s*pass$",
    re.MULTILINE,
)
"""``if not n < 1:`` (a negation spliced around a comparison) and a body replaced by ``pass``."""


def test_every_mutation_changes_one_line_and_keeps_the_layout() -> None:
    rng = random.Random(7)
    kinds = set()
    for name in CODEBASES:
        source = variant(name, 0).source
        original = ast.dump(ast.parse(source))
        odd_before = len(ODD_SHAPES.findall(source))
        for site in rng.sample(sites(source), 5):
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
            assert normalise(bugged) == bugged  # the bug's line is laid out like all others
            assert len(ODD_SHAPES.findall(bugged)) <= odd_before, mutation.bug_line
    assert {"compare", "operator", "off_by_one", "negate"} <= kinds


def test_negation_inverts_a_comparison_instead_of_wrapping_it() -> None:
    source = "def f(n):\n    if n < 1:\n        return 0\n    return n\n"
    (site,) = [s for s in sites(source) if s.kind == "negate"]
    mutation = mutate(normalise(source), site, random.Random(0))
    assert mutation is not None and mutation.bug_line == "    if n >= 1:"


def test_mutations_are_seeded() -> None:
    source = variant("fractions", 3).source
    site = sites(source)[40]
    first = mutate(source, site, random.Random(3))
    assert first == mutate(source, site, random.Random(3))
