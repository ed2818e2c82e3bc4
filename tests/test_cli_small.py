"""Small things a newcomer sees: titles name the tier and count seeds in good English, scripted
runs show no LLM counters, ``--resume`` says when it starts afresh, ``memgym tracks`` shows every
parameter, and the README's first command shows policies that differ, with the figures it
quotes."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from statistics import mean, stdev

from memgym.cli import main
from memgym.commands.run import live_stats
from memgym.run.runner import Snapshot
from memgym.tracks import get_track, track_names

README = Path(__file__).resolve().parents[1] / "README.md"


def test_titles_name_the_tier_and_count_seeds(tmp_path, capsys):
    assert (
        main(["run", "--seeds", "1", "--policies", "naive", "--results", str(tmp_path / "r")]) == 0
    )
    out = capsys.readouterr().out
    assert re.search(r"^entities / lite / 1 seed *$", out, re.MULTILINE), out
    assert "default tier" not in out and "1 seeds" not in out
    argv = ["compare", "--track", "research", "--seeds", "1", "--memories", "window"]
    assert main([*argv, "--results", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "research / lite / 1 seed / reasoner scripted" in out


def test_scripted_runs_show_no_llm_counters():
    assert live_stats(Snapshot(total=10, done=3)) == ""
    busy = Snapshot(total=10, done=3, usage={"calls": 4.0, "prompt_tokens": 1200.0})
    assert live_stats(busy).startswith("4 calls · 1.2k tok")
    assert "1 errors" in live_stats(Snapshot(total=10, done=3, infra=1))


def test_resume_with_no_matching_run_says_it_starts_a_new_one(tmp_path, capsys):
    path = str(tmp_path / "r.sqlite")
    assert main(["run", "--seeds", "1", "--policies", "naive", "--results", path]) == 0
    capsys.readouterr()
    assert main(["run", "--seeds", "2", "--policies", "naive", "--results", path, "--resume"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "--resume: no run in" in err and "starting a new one" in err and "(run 2)" in err
    assert main(["run", "--seeds", "2", "--policies", "naive", "--results", path, "--resume"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "no run in" not in err and "0 episodes run, 2 resumed" in err


def test_tracks_shows_every_parameter_of_every_tier(capsys):
    assert main(["tracks", "--json"]) == 0
    rows = {r["track"]: r for r in json.loads(capsys.readouterr().out)}
    assert sorted(rows) == sorted(track_names())
    for name, row in rows.items():
        track = get_track(name)
        assert row["tiers"] == {tier: track.params(tier) for tier in track.tiers}
        assert main(["tracks", "--track", name]) == 0
        table = capsys.readouterr().out
        for key in track.params(track.default_tier):
            if key != "tier":
                assert re.search(rf"^{key}\b", table, re.MULTILINE), (name, key)
    assert "entities" in rows["research"]["derived"]  # set from tasks, hops and siblings


def test_bad_param_names_the_flag_not_an_internal_spec(capsys):
    assert main(["run", "--param", "entities"]) == 2
    err = capsys.readouterr().err
    assert "bad --param 'entities'" in err and "spec" not in err and "x:" not in err
    assert main(["generate", "--param", "doc_style=kv,x"]) == 2
    assert "doc_style" in capsys.readouterr().err


def test_the_readme_first_command_shows_policies_that_differ(tmp_path, capsys):
    command = re.search(r"pip install -e \. && memgym (run [^#\n]*?)\s+#", README.read_text())
    assert command, "the README lost its first command"
    argv = command.group(1).split()
    assert main([*argv, "--results", str(tmp_path / "r.sqlite"), "--json"]) == 0
    episodes = json.loads(capsys.readouterr().out)["episodes"]
    by = {}
    for e in episodes:
        by.setdefault(e["memory"].split("=")[1], {})[e["seed"]] = e
    differ = sum(
        by["strategic"][s]["composite"] != by["priority"][s]["composite"] for s in by["strategic"]
    )
    assert differ >= 2, "strategic and priority look the same on the README's first command"

    def fig(policy, key="composite"):
        values = [e[key] if key == "composite" else e["axes"][key] for e in by[policy].values()]
        return mean(values), stdev(values) / math.sqrt(len(values))

    text = " ".join(README.read_text().split())
    strategic, priority = fig("strategic"), fig("priority")
    quoted = (
        f"composite {strategic[0]:.3f} ± {strategic[1]:.3f} and {priority[0]:.3f} ± "
        f"{priority[1]:.3f}"
    )
    assert quoted in text, quoted
    assert f"{fig('strategic', 'maintenance')[0]:.3f} for `strategic`" in text
    assert fig("naive", "maintenance")[0] == 0.0 and fig("perfect")[0] == 1.0
    words = {2: "two", 3: "three", 4: "four", 5: "five"}
    assert f"differ on {words[differ]} of the five seeds" in text
