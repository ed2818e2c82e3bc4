"""The web track's generation, checks and verifier, without a browser."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from memgym.tracks import get_track
from memgym.tracks.web.apps import APP_NAMES
from memgym.tracks.web.track import WebTrack
from memgym.tracks.web.verify import verify
from memgym.tracks.web.world import World, build_world


def test_generation_is_seeded_and_rotates_apps() -> None:
    track = get_track("web")
    assert track.generate(3).hash == track.generate(3).hash
    assert track.generate(3).hash != track.generate(4).hash
    apps = [track.generate(s, "lite").brief.split(" ")[0] for s in range(len(APP_NAMES))]
    assert sorted(apps) == sorted(APP_NAMES)
    shop = track.generate(0, "lite", app="shop")
    assert shop.brief.startswith("shop app")


def test_standard_sessions_hold_hundreds_of_records_and_page_size_follows_tokens() -> None:
    track = WebTrack()
    params = track.params()
    world = build_world(5, {k: v for k, v in params.items() if k != "tier"})
    assert len(world.records) == params["list_pages"] * params["page_size"] >= 300
    assert len({r.id for r in world.records}) == len(world.records)
    sizes = [track.params(page_tokens=t)["page_size"] for t in (400, 800, 1600)]
    assert sizes[0] < sizes[1] < sizes[2]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"app": "bank"}, "app must be one of"),
        ({"errands": 0}, "errands must be"),
        ({"errands": 5, "pages": 5, "list_pages": 20}, "exceeds list_pages"),
        ({"colour": 1}, "unknown parameter 'colour'"),
        ({"list_pages": 400, "page_tokens": 1500}, "exceeds the 2400 records an app holds"),
    ],
)
def test_bad_parameters_are_named(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WebTrack().params(**overrides)


def _world(seed: int) -> World:
    params = WebTrack().params()
    return build_world(seed, {k: v for k, v in params.items() if k != "tier"})


@pytest.mark.parametrize("seed", range(8))
def test_every_needed_value_was_shown_in_an_earlier_review_and_never_told(seed: int) -> None:
    world = _world(seed)
    assert WebTrack().check(WebTrack().generate(seed)) == []
    size = world.page_size
    reviews = [t for t in world.tasks if t.kind == "review"]
    later = [t for t in world.tasks if t.kind != "review"]
    assert world.tasks[: len(reviews)] == reviews and len(later) == len(reviews)
    texts = " ".join(t.text for t in world.tasks)
    reviewed = {p for t in reviews for p in t.pages}
    targets = [t.target for t in later]
    assert len(set(targets)) == len(targets)
    for task in later:
        needs = {n for s in task.steps for n in s.needs}
        assert needs, task.id
        for need in needs:
            assert need not in texts
            (index,) = [i for i, r in enumerate(world.records) if need in (r.id, r.value)]
            assert index // size + 1 in reviewed


def test_check_flags_a_needed_value_given_away() -> None:
    class Leaky(WebTrack):
        def world(self, scenario):  # type: ignore[no-untyped-def]
            world = super().world(scenario)
            task = world.tasks[-1]
            need = next(n for s in task.steps for n in s.needs)
            world.tasks[-1] = dataclasses.replace(task, text=task.text + f" (it is {need})")
            return world

    problems = Leaky().check(WebTrack().generate(2))
    assert problems and "gives away" in problems[0]


def _state(world: World) -> dict[str, object]:
    return world.initial_state()


def test_verifier_reads_the_state_and_refuses_stray_changes() -> None:
    world = _world(1)
    review = world.tasks[0]
    before = _state(world)
    after = copy.deepcopy(before)
    assert verify(review, before, after).reward == 0.0
    after["pages_seen"] = list(review.pages)  # type: ignore[index]
    assert verify(review, before, after).reward == 1.0
    again = copy.deepcopy(after)  # seen in an earlier errand does not count for this one
    assert verify(review, after, again).reward == 0.0
    errand = world.tasks[-1]
    after = copy.deepcopy(before)
    record = next(r for r in after["records"] if r["id"] == errand.target)  # type: ignore[union-attr]
    record[errand.field] = errand.expected
    assert verify(errand, before, after).reward == 1.0
    paged = copy.deepcopy(after)  # done, but by paging through the list again
    paged["pages_seen"] = [3]
    outcome = verify(errand, before, paged)
    assert outcome.reward == 0.0 and "paged through the list again" in outcome.detail
    record[errand.field] = errand.expected + "x"
    assert verify(errand, before, after).reward == 0.0
    record[errand.field] = errand.expected
    other = next(r for r in after["records"] if r["id"] != errand.target)  # type: ignore[union-attr]
    other["status"] = "cancelled"
    outcome = verify(errand, before, after)
    assert outcome.reward == 0.0 and other["id"] in outcome.detail


def test_an_errand_found_already_done_fails() -> None:
    """An agent that applies one action to every record it sees during a review (unscored:
    failing it costs nothing) would find the later errands asking for that action done without
    remembering anything (review: 25 % of scored errands under `none`). The target must change
    in the errand itself."""
    world = _world(1)
    errand = world.tasks[-1]
    before = _state(world)
    start = next(r for r in before["records"] if r["id"] == errand.target)  # type: ignore[union-attr]
    assert start[errand.field] != errand.expected  # the world never asks for what is already so
    start[errand.field] = errand.expected  # pre-applied in an earlier errand
    after = copy.deepcopy(before)
    outcome = verify(errand, before, after)
    assert outcome.reward == 0.0 and "already set when it began" in outcome.detail


def test_every_generated_errand_asks_for_a_change() -> None:
    """The rule above fails no honest agent: played in order, each errand done as asked, no
    errand's target already holds its value when the errand begins."""
    for seed in range(40):
        world = _world(seed)
        records = {r["id"]: r for r in world.initial_state()["records"]}  # type: ignore[union-attr]
        for task in world.tasks:
            if task.kind != "review":
                assert records[task.target][task.field] != task.expected, (seed, task.id)
                records[task.target][task.field] = task.expected


def test_a_bad_parameter_on_the_command_line_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from memgym.cli import main

    assert main(["run", "--track", "web", "--param", "app=bank"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "app must be one of any, mail, shop, tracker, calendar" in err


def test_the_tool_call_cap_fits_a_review_and_never_the_whole_list() -> None:
    from memgym.tracks.web.params import TIERS
    from memgym.tracks.web.session import WebSession

    cap = WebSession.calls_per_turn
    for tier, params in TIERS.items():
        world = WebTrack().world(WebTrack().generate(0, tier))
        longest = max(len(t.steps) for t in world.tasks)  # a review: a goto and its clicks
        assert params["pages"] <= cap and longest <= cap < params["list_pages"], tier
