"""The ``web`` track: errands in generated web apps, operated in a real browser, with the facts
an errand needs shown many pages before it (see ``world``)."""

from __future__ import annotations

from typing import Any

from memgym.tracks.interactive import InteractiveTrack
from memgym.tracks.registry import register_track
from memgym.tracks.session import Session
from memgym.tracks.web import params as web_params
from memgym.tracks.web.browser import require_browser
from memgym.tracks.web.session import WebSession
from memgym.tracks.web.world import World, build_world
from memgym.types import Event, Scenario


@register_track("web")
class WebTrack(InteractiveTrack, parameters=web_params):
    """Generated mail, shop, issue-tracker and calendar apps; one app per session."""

    cheats = ("web-explore", "web-notes")
    gated = True

    def generate(self, seed: int, tier: str | None = None, **overrides: Any) -> Scenario:
        params = self.params(tier, **overrides)
        world = build_world(seed, params)
        events = [Event(step=i, kind="task", text=t.text) for i, t in enumerate(world.tasks)]
        brief = (
            f"{world.app.name} app: {len(world.records)} {world.app.noun}s, {len(events)} errands"
        )
        return Scenario(
            track=self.name, seed=seed, params=params, brief=brief, facts=[], events=events
        )

    def world(self, scenario: Scenario) -> World:
        """The world of ``scenario`` (rebuilt from its seed and params)."""
        params = {k: v for k, v in scenario.params.items() if k != "tier"}
        return build_world(scenario.seed, params)

    def require(self) -> None:
        """Playwright (``.[web]``) and Debian's chromium."""
        require_browser()

    def open(self, scenario: Scenario) -> Session:
        return WebSession(self.world(scenario))

    def check(self, scenario: Scenario) -> list[str]:
        """Each errand's needs were shown in an earlier review and are told by no errand text;
        each record an errand names is the only one with its title and date."""
        world = self.world(scenario)
        problems: list[str] = []
        texts = "\n".join(t.text for t in world.tasks)
        reviewed: set[int] = set()
        names = [(r.title, r.date) for r in world.records]
        for task in world.tasks:
            reviewed |= set(task.pages)
            for need in {n for s in task.steps for n in s.needs}:
                if need in texts:
                    problems.append(f"{task.id}: the text of an errand gives away {need!r}")
                shown = [r for r in world.records if need in (r.id, r.value)]
                if len(shown) != 1 or world.page_of(shown[0].id) not in reviewed:
                    problems.append(f"{task.id}: {need!r} is not on a page reviewed before it")
                elif names.count((shown[0].title, shown[0].date)) != 1:
                    problems.append(f"{task.id}: the record it names is ambiguous")
        return problems
