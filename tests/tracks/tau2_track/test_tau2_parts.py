"""The tau2 track's parts that need no τ²-bench: parameters, the call schedule, what gold steps
need, and the scripted customer."""

from __future__ import annotations

import random
from typing import Any

import pytest

from memgym.tracks import get_track
from memgym.tracks.tau2 import loader
from memgym.tracks.tau2.customer import (
    HANG_UP,
    PATIENCE,
    TOLD_ALL,
    ScriptedCustomer,
    first_person,
    requested,
)
from memgym.tracks.tau2.plan import ask_customer, needs_of
from memgym.tracks.tau2.schedule import pick_tasks, plan_calls
from tests.cli_process import memgym


def test_tiers_resolve_and_bad_parameters_fail_with_their_name() -> None:
    track = get_track("tau2")
    assert track.interactive
    assert track.params("lite")["domain"] == "mock" and track.params("lite")["callbacks"] == 2
    assert track.params("long")["callbacks"] == 4
    bad = [
        ({"domain": "airline+banking"}, "domain"),
        ({"customers": 0}, "customers"),
        ({"customers": 2, "callbacks": 2}, "callbacks"),
        ({"gap": 0}, "gap"),
        ({"user": "gpt"}, "user"),
        ({"rename": 2}, "rename"),
        ({"colour": 1}, "colour"),
    ]
    assert track.params("lite", customers=1)["callbacks"] == 0  # the tier's, as many as fit
    for overrides, name in bad:
        with pytest.raises(ValueError, match=name):
            track.params("standard", **overrides)


def test_chunks_cover_every_task_once() -> None:
    ids = [str(i) for i in range(50)]
    seen = [t for chunk in range(10) for t in pick_tasks(ids, chunk, 5)]
    assert sorted(seen, key=int) == ids
    assert pick_tasks(ids, 10, 5) == ids[:5]  # wraps
    assert pick_tasks(ids[:3], 0, 8) == ids[:3]


@pytest.mark.parametrize("seed", range(20))
def test_callbacks_are_split_in_two_calls_gap_apart(seed: int) -> None:
    rng = random.Random(seed)
    changing = [rng.random() < 0.7 for _ in range(10)]
    calls = plan_calls(changing, 3, 2, random.Random(seed))
    assert plan_calls(changing, 3, 2, random.Random(seed)) == calls  # deterministic
    finals = [c.task for c in calls if c.part != "first"]
    assert finals == list(range(10))  # every task verified once, in order
    eligible = [i for i in range(1, 10) if changing[i]]
    callbacks = [c.task for c in calls if c.part == "callback"]
    assert len(callbacks) == min(3, len(eligible)) and set(callbacks) <= set(eligible)
    for task in callbacks:
        first = calls.index(next(c for c in calls if c.task == task and c.part == "first"))
        back = calls.index(next(c for c in calls if c.task == task and c.part == "callback"))
        following = next(c for c in calls[first:] if c.part != "first")
        assert first < back and following.task == max(1, task - 2)  # gap 2, never before task 0
    assert calls[0].part == "whole"  # the pinned opening is never a callback's details


def test_needs_are_the_argument_values_worth_remembering() -> None:
    args = {"user_id": "mia_li_3668", "items": ["1151293680", "x"], "n": 0, "ok": True,
            "nested": {"amount": 1234.5, "code": "no"}}  # fmt: skip
    assert needs_of(args) == ("mia_li_3668", "1151293680", "1234.5")
    assert needs_of({"a": "AB12", "b": "AB12"}) == ("AB12",)


def test_first_person_turns_the_scenario_into_the_customers_words() -> None:
    text = "You want to cancel reservation EHGLP3. Your user id is emma_kim_9957. You are Emma."
    assert first_person(text) == (
        "I want to cancel reservation EHGLP3. My user id is emma_kim_9957. I am Emma."
    )


def test_the_customer_runs_only_its_own_tools_named_by_the_agent() -> None:
    tools = {"toggle_roaming", "set_apn_settings"}
    text = (
        'First toggle_roaming {}, then set_apn_settings {"apn": "internet"} '
        "and roaming again: toggle_roaming. Do not run get_customer_by_phone {}."
    )
    assert requested(text, tools) == [
        ("toggle_roaming", {}), ("set_apn_settings", {"apn": "internet"}), ("toggle_roaming", {}),
    ]  # fmt: skip
    assert requested(ask_customer("set_apn_settings", {"apn": "x"}), tools) == [
        ("set_apn_settings", {"apn": "x"})
    ]
    assert requested("toggle_roaming {broken", tools) == [("toggle_roaming", {})]


def test_the_scripted_customer_acts_then_hangs_up() -> None:
    ran: list[tuple[str, dict[str, Any]]] = []

    def device(name: str, args: dict[str, Any]) -> str:
        ran.append((name, args))
        return f"{name} done"

    customer = ScriptedCustomer("I want excellent data speed.", "whole", 1, {"run_speed_test"})
    assert customer.opening() == "I want excellent data speed."
    reply = customer.respond("Please do this on your phone: run_speed_test {}", device)
    assert reply.text == "I ran run_speed_test: run_speed_test done" and not reply.stop
    assert ran == [("run_speed_test", {})]
    for _ in range(PATIENCE):
        assert customer.respond("Could you tell me more?", device).text == TOLD_ALL
    assert customer.respond("Could you tell me more?", device).text == HANG_UP
    done = ScriptedCustomer("x", "whole", 1, set())
    assert done.respond("All set. ###STOP###", device).stop


def test_a_callback_opens_without_any_detail_and_its_first_call_ends_at_once() -> None:
    scenario = "I want to cancel reservation EHGLP3. My user id is emma_kim_9957."
    first = ScriptedCustomer(scenario, "first", 2, set())
    back = ScriptedCustomer(scenario, "callback", 2, set())
    assert scenario in first.opening() and "call you back" in first.opening()
    assert "call 2" in back.opening()
    assert "EHGLP3" not in back.opening() and "emma_kim_9957" not in back.opening()
    assert first.respond("Noted.", lambda n, a: "").stop


@pytest.mark.parametrize("command", ["generate", "run"])
def test_without_tau2_bench_a_command_is_one_line_naming_the_extra(command, tmp_path) -> None:
    if loader.available():
        pytest.skip("τ²-bench is installed here")
    argv = [command, "--track", "tau2"]
    done = memgym(*argv, *(["--results", str(tmp_path / "r.sqlite")] if command == "run" else []))
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"error: {loader.MISSING}"
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_the_memory_sensitive_listing_names_the_extra_or_counts_every_domain() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "memgym.tracks.tau2"], capture_output=True, text=True, check=False
    )
    if not loader.available():
        assert done.returncode == 2 and done.stderr.strip() == f"error: {loader.MISSING}"
        return
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(loader.DOMAINS)
    for line in lines:
        domain = line.split()[0]
        assert f" of {len(loader.tasks(domain)):3} memory-sensitive" in line
