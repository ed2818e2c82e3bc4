"""Each seed's rewrite of a code base: renamed, relaid, and behaving exactly as the original on
every probe (recomputed here by running both)."""

from __future__ import annotations

import ast
import dataclasses
import io
import tokenize

from memgym.tracks.swe.codebases import CODEBASES, cached_source, get_codebase
from memgym.tracks.swe.disguise import normalise, variant
from memgym.tracks.swe.hidden import evaluate_sources


def _locals(source: str) -> set[str]:
    return {
        n.id
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def test_the_rewrite_behaves_as_the_original_on_every_probe() -> None:
    for name in CODEBASES:
        codebase = get_codebase(name)
        code = variant(name, 0)
        original_as = dataclasses.replace(code, source=cached_source(name))
        probes = list(codebase.probes)
        before, after = evaluate_sources(original_as, [original_as.source, code.source], probes)
        assert before == after, name
        assert not before[0].startswith("!Import"), name


def test_the_rewrite_matches_no_installed_copy() -> None:
    for name in CODEBASES:
        original = cached_source(name)
        code = variant(name, 0)
        assert code.module != name and code.source != original
        assert code.source == normalise(code.source)  # one layout throughout
        tokens = tokenize.generate_tokens(io.StringIO(code.source).readline)
        assert not any(t.type == tokenize.COMMENT for t in tokens)  # comments are gone
        renamed = _locals(original) - _locals(code.source)
        assert len(renamed) >= 0.3 * len(_locals(original)), name


def test_the_rewrite_is_seeded() -> None:
    first = variant("shlex", 4)
    variant.cache_clear()
    assert variant("shlex", 4) == first
    assert variant("shlex", 4).source != variant("shlex", 12).source
