"""The swe track: sessions of issues in real Python code, with seeded bugs and hidden tests.

``generate`` draws the code base (seed % 8 unless ``codebase`` is given) and ``tasks`` checked
bugs (``tasks.build_tasks``), writes each fix issue from its failing call, adds ``redo`` issues
that ask for earlier fixes again after the tree is reset (``redo``: the scored, memory-sensitive
tasks) and plans the reads that bring the gold agent's history to ``target_tokens``. The scenario
carries one ``task`` event per issue (its text), one fact per bug with its spec (bug, fix, hidden
tests), an ``issues`` fact with the order of fixes and redos, and a ``generation`` fact with the
generation yield. ``open`` gives a live ``SweSession``; ``check`` re-runs the hidden tests on the
bugged and the fixed trees and checks that no redone fix can be read in the bugged tree.
"""

from __future__ import annotations

import json
import random
import threading
from typing import Any

from memgym.tokens import count_tokens
from memgym.tracks.interactive import InteractiveTrack
from memgym.tracks.registry import register_track
from memgym.tracks.session import Session
from memgym.tracks.swe import params as parameters
from memgym.tracks.swe import task_cache
from memgym.tracks.swe.codebases import CODEBASES, cached_source, get_codebase, source_sha
from memgym.tracks.swe.disguise import Variant, variant
from memgym.tracks.swe.drift import house, with_lines
from memgym.tracks.swe.hidden import evaluate_sources, failing
from memgym.tracks.swe.issue_text import issue_text
from memgym.tracks.swe.mutations import Mutation, Site, apply_all
from memgym.tracks.swe.redo import FIX, Issue, plan_issues, redo_text, redoable
from memgym.tracks.swe.sandbox import INSTALL_HINT, SandboxLimits, bwrap
from memgym.tracks.swe.session import SweSession
from memgym.tracks.swe.tasks import TaskSpec, build_tasks
from memgym.types import Event, Fact, Scenario

READ_LINES = 60
"""Lines of one padding read (``sed -n``) of the gold plan."""
MAX_READS = 600

_GENERATING = threading.Lock()
"""Held while a scenario is generated or read from the cache: episodes of one seed run on
threads (``memgym eval``, ``run --concurrency``) would otherwise generate it at once, and
CPython 3.11's ``ast.parse`` on several threads at once raises "AST constructor recursion depth
mismatch" (measured: the smoke protocol's swe episodes at concurrency 4)."""


def brief(code: Variant, tasks: int, redo: bool) -> str:
    again = ": fixes, then fixes to make again" if redo else ""
    return (
        f"You will work through {tasks} issues, one at a time, in {code.filename}, a Python "
        f"module with seeded bugs{again}. Hidden tests check each."
    )


@register_track("swe")
class SweTrack(InteractiveTrack, parameters=parameters):
    """Seeded bugs in real modules; see ``memgym.tracks.swe`` for the parts."""

    cheats = (
        "swe-explore",
        "swe-stash",
        "swe-keyring",
        "swe-prior",
        "swe-copy",
        "swe-regen",
        "swe-shape",
    )
    gated = True

    def __init__(self) -> None:
        # The swe-* attack agents register here, not at import: the agent registry imports the
        # tracks, so importing it while the tracks load would be circular.
        from memgym.tracks.swe import attacks  # noqa: F401

    def require(self) -> None:
        """Debian's bubblewrap, which sandboxes every command of a session (one line without it,
        before a run starts: without it each session would end ``infra_error``)."""
        if bwrap() is None:
            raise ValueError(INSTALL_HINT)

    def generate(self, seed: int, tier: str | None = None, **overrides: Any) -> Scenario:
        """The scenario of ``seed``, from the task cache (``task_cache``) when it holds it."""
        p = self.params(tier, **overrides)
        names = list(CODEBASES)
        name = p["codebase"] or names[seed % len(names)]
        get_codebase(name)
        entry = task_cache.key(seed, p, name, source_sha(cached_source(name)))
        with _GENERATING:  # one at a time: concurrent ast.parse can fail on CPython 3.11
            return task_cache.cached(entry, lambda: self._generate(seed, p, name))

    def _generate(self, seed: int, p: dict[str, Any], name: str) -> Scenario:
        codebase = get_codebase(name)
        own = house(codebase.name, seed)
        code = own.code
        rng = random.Random(f"swe|{seed}|{codebase.name}")
        gen = build_tasks(code, own.results, rng, p["tasks"], f"{codebase.name}/{seed}", own.plain)
        if not gen.tasks:
            raise ValueError(f"swe: no task could be made in {codebase.name} for seed {seed}")
        bugged = apply_all(code.source, [_mutation(s) for s in gen.tasks])
        order = plan_issues(gen.tasks, bugged, p["redo"])
        if p["redo"] and all(o.kind == FIX for o in order):
            raise ValueError(f"swe: no fix of seed {seed} can be redone from memory alone "
                             "(each can be read in the bugged tree): use another seed or redo=0")  # fmt: skip
        texts = [
            issue_text(code, i + 1, *gen.tasks[o.spec].issue) if o.kind == FIX
            else redo_text(code, i + 1, o.spec + 1)
            for i, o in enumerate(order)
        ]  # fmt: skip
        reads = _reads(code, gen.tasks, texts, p["target_tokens"], rng)
        facts = [
            Fact(id=s.task_id, entity=s.task_id, attribute="spec",
                 value=json.dumps({**s.to_json(), "reads": r}, sort_keys=True), step=i)
            for i, (s, r) in enumerate(zip(gen.tasks, reads, strict=True))
        ]  # fmt: skip
        stats = {"codebase": codebase.name, "sha": codebase.sha(), "module": code.module,
                 "variant": source_sha(code.source), "drift": [list(x) for x in own.lines],
                 "tried": gen.tried,
                 "kept": len(gen.tasks), "rejected": dict(sorted(gen.rejected.items()))}  # fmt: skip
        plan = [[o.kind, o.spec, o.scored] for o in order]
        facts.append(Fact(id="issues", entity="issues", attribute="order",
                          value=json.dumps(plan), step=0))  # fmt: skip
        facts.append(
            Fact(
                id="generation",
                entity="generation",
                attribute="yield",
                value=json.dumps(stats),
                step=0,
            )
        )
        events = [Event(step=i, kind="task", text=text) for i, text in enumerate(texts)]
        return Scenario(
            track=self.name, seed=seed, params=p, brief=brief(code, len(texts), len(texts) > len(gen.tasks)),
            facts=facts, events=events,
        )  # fmt: skip

    def open(self, scenario: Scenario) -> Session:
        code, specs, reads = unpack(scenario)
        bugged = apply_all(code.source, [_mutation(s) for s in specs])
        p = scenario.params
        limits = SandboxLimits(wall_seconds=float(p["command_seconds"]),
                               output_chars=int(p["output_chars"]))  # fmt: skip
        texts = [e.text for e in scenario.events]
        return SweSession(code, bugged, specs, texts, reads, limits, issues(scenario))

    def generation(self, scenario: Scenario) -> dict[str, int]:
        """Candidate bugs tried, kept and rejected (by reason) for this scenario."""
        stats = json.loads(str(next(f.value for f in scenario.facts if f.id == "generation")))
        counts = {"tried": stats["tried"], "kept": stats["kept"]}
        counts.update({f"rejected:{k}": v for k, v in stats["rejected"].items()})
        return counts

    def check(self, scenario: Scenario) -> list[str]:
        """Every task's hidden tests fail with all bugs in place and pass with its own fixed,
        and fail on the standard library's code (renamed only: what a model knows)."""
        code, specs, _ = unpack(scenario)
        source = code.source
        mutations = [_mutation(s) for s in specs]
        plain = variant(code.codebase.name, scenario.seed).source
        trees = [apply_all(source, mutations), source, plain] + [
            apply_all(source, mutations[:k] + mutations[k + 1 :]) for k in range(len(specs))
        ]
        problems: list[str] = []
        for k, spec in enumerate(specs):
            tests = spec.hidden_tests()
            rows = evaluate_sources(
                code, [trees[0], trees[1], trees[k + 3], trees[2]], [t.probe for t in tests]
            )
            if not failing(tests, rows[0]):
                problems.append(f"{spec.task_id}: the hidden tests pass on the bugged tree")
            if failing(tests, rows[1]):
                problems.append(f"{spec.task_id}: the hidden tests fail on the original code")
            if failing(tests, rows[2]):
                problems.append(f"{spec.task_id}: the hidden tests fail with its own bug fixed")
            if not failing(tests, rows[3]):
                problems.append(f"{spec.task_id}: the hidden tests pass on the original module")
        for issue in issues(scenario):
            if issue.scored and not redoable(specs[issue.spec], trees[0]):
                problems.append(f"{specs[issue.spec].task_id}: its fix can be read in the tree")
        return problems


def unpack(scenario: Scenario) -> tuple[Variant, list[TaskSpec], list[list[tuple[int, int]]]]:
    """The rewritten code base, task specs and planned reads of a scenario; ``ValueError`` when
    this interpreter's copy of the code base (or its rewrite) differs from the one it was
    generated from."""
    by_id = {f.id: f for f in scenario.facts}
    stats = json.loads(str(by_id["generation"].value))
    codebase = get_codebase(stats["codebase"])
    have = source_sha(cached_source(codebase.name))
    if have != stats["sha"]:
        raise ValueError(
            f"swe: seed {scenario.seed} was generated from another {codebase.filename} "
            f"(sha {stats['sha']}); this Python's is {have}: regenerate the scenario"
        )
    drift = tuple((int(n), str(line)) for n, line in stats.get("drift", ()))
    code = with_lines(variant(codebase.name, scenario.seed), drift)
    if source_sha(code.source) != stats.get("variant"):
        raise ValueError(
            f"swe: seed {scenario.seed} was generated by another version of the swe track's "
            "rewrite of its code base: regenerate the scenario"
        )
    specs, reads = [], []
    for e in scenario.facts:
        if e.attribute != "spec":  # the generation and issues facts
            continue
        data = json.loads(str(e.value))
        reads.append([tuple(r) for r in data.pop("reads")])
        specs.append(TaskSpec(**data))
    return code, specs, reads  # type: ignore[return-value]


def issues(scenario: Scenario) -> list[Issue]:
    """The scenario's issues in order: its fixes, then its redos."""
    order = next(f.value for f in scenario.facts if f.id == "issues")
    return [Issue(kind, int(k), bool(scored)) for kind, k, scored in json.loads(str(order))]


def _mutation(spec: TaskSpec) -> Mutation:
    return Mutation(Site(0, spec.kind, spec.function, spec.line, ""), spec.gold_line, spec.bug_line)


def _reads(
    code: Variant,
    specs: list[TaskSpec],
    issues: list[str],
    target: int,
    rng: random.Random,
) -> list[list[list[int]]]:
    """Per task, the extra file reads (first and last line) that bring the gold history to about
    ``target`` tokens: chunks of the file away from the task's bug, spread over the tasks (a
    small file is read again)."""
    lines = code.source.split("\n")
    chunks = [(a, min(a + READ_LINES - 1, len(lines))) for a in range(1, len(lines), READ_LINES)]
    cost = {c: count_tokens("\n".join(lines[c[0] - 1 : c[1]])) for c in chunks}
    used = sum(count_tokens(t) for t in issues)
    used += sum(count_tokens("\n".join(lines[s.start - 1 : s.end])) for s in specs)
    reads: list[list[list[int]]] = [[] for _ in specs]
    order = list(chunks)
    rng.shuffle(order)
    k = 0
    for chunk in order * (1 + target // max(1, sum(cost.values()))):  # small files: read again
        if used >= target or k >= MAX_READS:
            break
        if chunk[0] <= specs[k % len(specs)].line <= chunk[1]:
            continue
        reads[k % len(specs)].append(list(chunk))
        used += cost[chunk] + 20
        k += 1
    return reads
