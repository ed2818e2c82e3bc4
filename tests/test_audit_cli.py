"""``memgym audit``: the gate table per length, regeneration, the trend and the exit status."""

from __future__ import annotations

import json

import pytest

from memgym.cli import main
from memgym.commands.audit import format_length, parse_lengths
from memgym.simulation.gates import generate_gated
from memgym.simulation.learned_selector import available as learned_available
from memgym.tokens import count_tokens
from memgym.tracks import stream_events
from tests.tracks.toy_gates import NAME, ToyGatesTrack


def _audit(capsys, *argv):
    if NAME in argv:  # the toy track asks right after its evidence: tested for gates only
        argv = (*argv, "--no-cheats")
    code = main(["audit", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_the_toy_track_fails_the_cheat_suite(capsys):
    """Its questions follow their evidence (behind distractors), so a reader of the last page
    answers them: the audit's cheat suite fails the row even though every gate passes."""
    code = main(["audit", "--track", NAME, "--seeds", "2", "--json"])
    audit = json.loads(capsys.readouterr().out)
    (row,) = audit["rows"]
    assert code == 1 and not row["passed"]
    assert row["accuracy"]["oracle"] >= 0.95 and row["accuracy"]["none"] <= 0.05
    assert any(f.startswith("cheat last_page scores") for f in row["failures"])
    assert row["cheats"]["last_page"] > 0.05 and row["failures"] == [
        f"cheat {n} scores {v:.3f} > 0.05" for n, v in row["cheats"].items() if v > 0.05
    ]


def test_entities_lite_ten_seeds_passes(capsys):
    """Ten seeds (about 1 s): a cheat's composite is a mean over the seeds, and one lucky
    answer of the learned entity-blind rule on a lite scenario is worth about 0.05 over two."""
    code, audit = _audit(capsys, "--track", "entities", "--tier", "lite", "--seeds", "10")
    assert code == 0 and audit["passed"]
    (row,) = audit["rows"]
    assert row["length"] is None and row["accepted"] == 10 and row["generated"] >= 10
    assert row["accuracy"]["oracle"] >= 0.95 and row["accuracy"]["none"] <= 0.05
    assert row["accuracy"]["distractors"] <= 0.10
    assert "full:max_tokens=8000" in row["accuracy"] and audit["full_falls"] is None


def test_entities_says_lengths_do_not_apply(capsys):
    code = main(["audit", "--track", "entities", "--seeds", "10", "--lengths", "10k,1m"])
    captured = capsys.readouterr()
    assert code == 0
    assert "no target_tokens parameter" in captured.err
    assert "n/a" in captured.out and "pass" in captured.out
    if learned_available():  # the learned members' line, after the table
        assert "learned selector at n/a: evidence AUROC 0." in captured.out
        assert "\n  learned250 " in captured.out and "\n  learned1000 " in captured.out


def test_toy_lengths_regenerate_and_the_cut_full_memory_falls(capsys):
    argv = ["--track", NAME, "--seeds", "4", "--lengths", "2k,8k", "--context", "1500"]
    code, audit = _audit(capsys, *argv, "--param", "leak_rate=0.5")
    assert code == 0 and audit["full_falls"] is True
    short, long = audit["rows"]
    assert (short["length"], long["length"]) == (2000, 8000)
    assert abs(long["streamed"] - 8000) < 400
    assert long["accuracy"]["full:max_tokens=1500"] < short["accuracy"]["full:max_tokens=1500"]
    # the yield is what generate_gated finds, seed by seed
    toy = ToyGatesTrack()
    for row in audit["rows"]:
        gated = [
            generate_gated(toy, s, target_tokens=row["length"], leak_rate=0.5) for s in range(4)
        ]
        assert row["generated"] == sum(g.generated for g in gated) > row["accepted"] == 4
        assert [k["hash"] for k in row["kept"]] == [g.scenario.hash for g in gated]
        assert [k["rejected"] for k in row["kept"]] == [len(g.rejected) for g in gated]
        lengths = [sum(count_tokens(e.text) for e in stream_events(g.scenario)) for g in gated]
        assert [k["tokens"] for k in row["kept"]] == lengths
        assert all(abs(n - row["length"]) <= 0.05 * row["length"] for n in lengths)


def test_a_stream_that_misses_its_length_fails_the_row(capsys):
    # 60 tokens cannot hold the toy's documents and questions: the stream overshoots
    code, audit = _audit(capsys, "--track", NAME, "--seeds", "2", "--lengths", "60,2k")
    assert code == 1 and not audit["passed"]
    short, long = audit["rows"]
    assert short["accepted"] == 2 and not short["passed"] and long["passed"]
    assert all(k["tokens"] > 63 for k in short["kept"])
    assert [f.split(":")[0] for f in short["failures"]] == ["seed 0", "seed 1"]
    assert all("off target_tokens 60" in f for f in short["failures"])


def test_a_gate_that_regeneration_cannot_fix_exits_1(capsys):
    argv = ["--track", NAME, "--seeds", "2", "--max-tries", "2", "--param", "wrong_rate=1.0"]
    code, audit = _audit(capsys, *argv)
    assert code == 1 and not audit["passed"]
    (row,) = audit["rows"]
    assert row["accepted"] == 0 and row["generated"] == 4
    assert row["length"] == 2000  # the tier's own target_tokens
    assert all("oracle" in f for f in row["failures"])
    assert main(["audit", "--track", NAME, "--seeds", "1", "--param", "wrong_rate=1.0"]) == 1
    assert "gate failed" in capsys.readouterr().out


def test_a_flat_trend_fails(capsys):
    # a context larger than every stream never cuts: full does not fall with length
    argv = ["--track", NAME, "--seeds", "1", "--lengths", "1k,3k", "--context", "100000"]
    code, audit = _audit(capsys, *argv)
    assert code == 1 and audit["full_falls"] is False
    assert all(r["passed"] for r in audit["rows"])


def test_lengths_parse_and_format():
    assert parse_lengths("1m, 10k,100000,10K") == [10_000, 100_000, 1_000_000]
    assert parse_lengths("1.5k") == [1500]
    assert [format_length(n) for n in (10_000, 1_000_000, 1500, None)] == [
        "10k",
        "1m",
        "1500",
        "n/a",
    ]
    for bad in ("ten", "-5k", "0", "1g"):
        with pytest.raises(ValueError, match="--lengths"):
            parse_lengths(bad)


def test_bad_input_is_a_clear_error(capsys):
    assert main(["audit", "--track", "nope"]) == 2
    assert "unknown track 'nope'" in capsys.readouterr().err
    assert main(["audit", "--track", NAME, "--lengths", "lots"]) == 2
    assert "--lengths" in capsys.readouterr().err
    assert main(["audit", "--track", NAME, "--context", "0"]) == 2
    assert "--context" in capsys.readouterr().err


def test_a_planted_leak_fails_the_audit_on_a_learned_member(capsys, monkeypatch):
    """The audit's adversaries include the bounded family's learned members: on research with
    a marker word on every evidence event (at 40,000 tokens, so that their budgets are small
    shares of the stream), a judged learned member scores above 0.05 and fails the row; the
    plain track at the same length passes them."""
    pytest.importorskip("sklearn", reason="needs the rm extra")
    from memgym.simulation import learned_selector as ls
    from tests.simulation.leaky_research import registered

    monkeypatch.setattr(ls, "SELECTOR_SEEDS", 3)
    argv = ["--lengths", "40k", "--seeds", "2", "--skip-filler"]
    with registered() as leaky:
        code, audit = _audit(capsys, "--track", leaky, *argv)
    (row,) = audit["rows"]
    judged = {n: m for n, m in row["learned"].items() if m["judged"]}
    failing = [n for n, m in judged.items() if m["composite"] > 0.05]
    assert code == 1 and failing, row["learned"]
    assert all(
        f"cheat {n} scores {judged[n]['composite']:.3f} > 0.05" in row["failures"] for n in failing
    )
    assert row["auroc"] > 0.9  # the marker betrays the evidence
    code, audit = _audit(capsys, "--track", "research", *argv)
    (row,) = audit["rows"]
    assert set(row["learned"]) == {f"learned{n}" for n in ls.SELECTOR_BUDGETS}
    assert not any(f.startswith("cheat learned") for f in row["failures"]), row["learned"]
