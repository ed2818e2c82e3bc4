"""The codeqa reader: code, hotfix and changelog text back to claims, checked against ``ast``."""

from __future__ import annotations

import ast
import builtins
import random

from memgym.claims import Claim, format_number, format_value
from memgym.tracks import get_track
from memgym.tracks.codeqa.code import end_marker, start_marker
from memgym.tracks.codeqa.stream import source_files
from memgym.tracks.codeqa.world import build_world

TRACK = get_track("codeqa")


def _triples(claims: list[Claim]) -> set[tuple[str, str, str]]:
    return {(c.entity, c.attribute, c.value) for c in claims}


def test_every_stated_fact_is_read_back_and_nothing_else() -> None:
    for seed in range(8):
        scenario = TRACK.generate(seed, "standard")
        facts = scenario.fact_index()
        for event in scenario.events:
            stated = {
                (facts[f].entity, facts[f].attribute, format_value(facts[f].value))
                for f in event.facts
            }
            assert _triples(TRACK.read(event.text)) == stated, (seed, event.step)


def test_hotfix_notes_carry_the_previous_value() -> None:
    scenario = TRACK.generate(3, "standard")
    corrections = [e for e in scenario.events if e.kind == "correction"]
    assert corrections
    for event in corrections:
        (claim,) = TRACK.read(event.text)
        assert claim.previous is not None and claim.previous != claim.value


def _ast_claims(source: str, module: str) -> set[tuple[str, str, str]]:
    """What the reader must find in a module, computed independently with ``ast``."""
    out: set[tuple[str, str, str]] = set()
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            name = node.targets[0].id  # type: ignore[attr-defined]
            out |= {(name, "value", format_number(node.value.value)), (name, "module", module)}
        if isinstance(node, ast.FunctionDef):
            out.add((node.name, "module", module))
            calls: list[str] = []
            raises: list[str] = []
            uses: list[str] = []
            for sub in sorted(
                ast.walk(node), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))
            ):
                if isinstance(sub, ast.Raise) and isinstance(sub.exc, ast.Call):
                    raises.append(sub.exc.func.id)  # type: ignore[attr-defined]
                elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name):
                    name = sub.func.id
                    if name not in dir(builtins) and name[0].islower() and name not in calls:
                        calls.append(name)
                elif isinstance(sub, ast.Name) and sub.id.isupper() and sub.id not in uses:
                    uses.append(sub.id)
            for attribute, names in (("calls", calls), ("raises", raises), ("uses", uses)):
                if names:
                    out.add((node.name, attribute, ", ".join(names)))
    return out


def test_reader_agrees_with_ast_on_whole_files() -> None:
    for seed in range(6):
        rng = random.Random(seed)
        p = TRACK.params("standard")
        world = build_world(rng, p)
        for source in source_files(rng, world, p["body_lines"]):
            if source.module is None:
                continue
            framed = "\n".join(
                (start_marker(source.path, 1, 1), source.source, end_marker(source.path, 1))
            )
            module = world.module_path(source.module)
            assert _triples(TRACK.read(framed)) == _ast_claims(source.source, module)


def test_code_outside_a_frame_and_unfinished_functions_state_nothing() -> None:
    vendored = (
        "# --- vendored snapshot of orbitkit 0.3 (legacy, not imported): legacy/spool.py ---\n"
        "SPOOL_RETRY_LIMIT = 99\n\ndef flush_cursor(items):\n    return seal_voucher(items)\n"
        "# --- end of vendored snapshot ---"
    )
    assert TRACK.read(vendored) == []
    truncated = (
        f"{start_marker('orbitkit/spool.py', 1, 2)}\nSPOOL_RETRY_LIMIT = 7\n\n"
        "def flush_cursor(items, options=None):\n    data = seal_voucher(items)"
    )
    assert TRACK.read(truncated) == [
        Claim("SPOOL_RETRY_LIMIT", "value", "7"),
        Claim("SPOOL_RETRY_LIMIT", "module", "orbitkit.spool"),
        Claim("flush_cursor", "module", "orbitkit.spool"),
    ]


def test_strings_comments_builtins_and_methods_are_not_calls() -> None:
    text = "\n".join(
        (
            start_marker("pkg/mod.py", 1, 1),
            "def probe_lease(items, options=None):",
            '    """Probe the lease (see merge_token() and LEASE_TTL_S)."""',
            "    # rotate_shard(items) is gone",
            "    data = sorted(items, key=repr)",
            "    data.append(len(data))",
            '    raise LeaseExpiredError("cannot stage_digest( now")',
            end_marker("pkg/mod.py", 1),
        )
    )
    assert TRACK.read(text) == [
        Claim("probe_lease", "module", "pkg.mod"),
        Claim("probe_lease", "raises", "LeaseExpiredError"),
    ]


def test_notes_hotfix_and_changelog_lines() -> None:
    lines = (
        "HOTFIX 2.3.1: pkg/mod.py: GRID_SAMPLE_RATIO changed from 0.40 to 0.5 (load).",
        "CHANGELOG 2.4.0",
        "- pkg/mod.py: GRID_TIMEOUT_MS is now 1200.",
        "- pkg/mod.py: docstring of seal_voucher reworded.",
        "seal_voucher | module=pkg.mod; calls=probe_lease, merge_token; raises=QuotaError",
        (
            "Review comment on PR #4 (closed without merging): it proposed changing "
            "GRID_TIMEOUT_MS in pkg/mod.py from 1200 to 800; the change was never released."
        ),
    )
    assert TRACK.read("\n".join(lines)) == [
        Claim("GRID_SAMPLE_RATIO", "value", "0.5", "0.4"),
        Claim("GRID_TIMEOUT_MS", "value", "1200"),
        Claim("seal_voucher", "module", "pkg.mod"),
        Claim("seal_voucher", "calls", "probe_lease, merge_token"),
        Claim("seal_voucher", "raises", "QuotaError"),
    ]


def test_config_audits_state_dependency_settings_no_constant_shares() -> None:
    """An audit states a setting no constant or ghost of the world is: a vendored one (sharing
    no stem with them) or a decoy change's (named as constants are)."""
    line = "CONFIG AUDIT 1.2.3: vendor/redis/settings.py: REDIS_QUEUE_TTL_S is still 900 (ok)."
    assert TRACK.read(line) == [Claim("REDIS_QUEUE_TTL_S", "value", "900")]
    assert TRACK.read(line.replace("is still", "might be")) == []
    audited = 0
    for seed in range(6):
        scenario = TRACK.generate(seed, "lite")
        world = build_world(random.Random(seed), TRACK.params("lite"))
        own = {c.name for c in world.constants} | set(world.ghost_constants)
        stems = {name.split("_")[0] for name in own}
        values = {c.value for c in world.constants} | {ch.new for ch in world.changes}
        # the decoy changes' settings, named as constants are (never one of the world's)
        changed = {
            c.entity
            for e in scenario.events
            if e.kind in ("correction", "update")
            for c in TRACK.read(e.text)
        }
        for event in scenario.events:
            if not event.text.startswith("CONFIG AUDIT "):
                continue
            (claim,) = TRACK.read(event.text)
            audited += 1
            assert claim.entity not in own
            if claim.entity not in changed:  # a vendored setting: no word of a constant's stem
                assert claim.entity.split("_")[0] not in stems
            assert not any(name in claim.entity or claim.entity in name for name in own)
            assert float(claim.value) not in values  # a value no constant of the world has
    assert audited > 30
