"""The airline tools of a renamed world: τ²-bench's own, with the values they hold in code renamed.

Three of τ²-bench's airline tools hold a value of the world in code rather than in the database:
the current time (stamped on a new reservation), the airport list, and a one-stop search's
second day, which it writes as ``2024-05-`` and the first day's day of the month plus one (so
unpadded, "2024-05-6", naming no flight, before the 9th). In a renamed world (``rename``) each
gives what the public tool gives, renamed: the time and the airport codes through the seed's
table, the second day by asking the public rule about the public first day and moving its answer
(a day it writes unpadded stays as it is, naming no flight here either), so every search finds
the renamed flights of the ones it finds on τ²-bench's world. Imported only with τ²-bench.
"""

from __future__ import annotations

from typing import Any

from tau2.domains.airline.data_model import AirportCode, AirportInfo
from tau2.domains.airline.tools import AirlineTools
from tau2.environment.toolkit import ToolType, is_tool

from memgym.tracks.tau2.rename import Renaming

PUBLIC_MONTH = "2024-05-"
"""The month τ²-bench's one-stop search writes its second day in (its own literal)."""


class RenamedAirlineTools(AirlineTools):  # type: ignore[misc]
    """``AirlineTools`` whose values held in code are renamed by ``renaming``."""

    renaming: Renaming

    def _get_datetime(self) -> str:
        return self.renaming.text(super()._get_datetime())

    @is_tool(ToolType.READ)  # type: ignore[misc]
    def list_all_airports(self) -> AirportInfo:
        table = self.renaming.table
        return [
            AirportCode(iata=table.get(a.iata, a.iata), city=a.city)
            for a in super().list_all_airports()
        ]

    @is_tool(ToolType.READ)  # type: ignore[misc]
    def search_onestop_flight(self, origin: str, destination: str, date: str) -> list[Any]:
        results = []
        for first in self._search_direct_flight(date=date, origin=origin, destination=None):
            first.date = date
            second_day = date
            if "+1" in first.scheduled_arrival_time_est:
                public = self.renaming.date(date, -1)
                second_day = self.renaming.date(f"{PUBLIC_MONTH}{int(public[-2:]) + 1}")
            for second in self._search_direct_flight(
                date=second_day,
                origin=first.destination,
                destination=destination,
                leave_after=first.scheduled_arrival_time_est,
            ):
                second.date = second_day
                results.append([first, second])
        return results


RenamedAirlineTools.list_all_airports.__doc__ = AirlineTools.list_all_airports.__doc__
RenamedAirlineTools.search_onestop_flight.__doc__ = AirlineTools.search_onestop_flight.__doc__


def rename_tools(tools: AirlineTools, renaming: Renaming) -> None:
    """Make ``tools`` (an environment's, its database already renamed) a ``RenamedAirlineTools``."""
    tools.__class__ = RenamedAirlineTools
    tools.renaming = renaming
