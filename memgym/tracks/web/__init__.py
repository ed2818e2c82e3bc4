"""The ``web`` track: agents operate memgym-generated web apps (mail, shop, issue tracker,
calendar) in a real browser, with memory in the loop.

Parts: ``apps`` (the apps as data, seeded records), ``page`` (the one HTML/JS page), ``server``
(the app's loopback server: ``GET/PUT /api/state``, ``POST /api/reset``), ``browser``
(Playwright on Debian's chromium; accessibility-tree observations), ``tools`` (click, type,
goto by role and name), ``params``, ``world`` (errands and their gold steps), ``verify`` (the
state check), ``session`` (the ``Session``) and ``track`` (the ``InteractiveTrack``).
"""

from memgym.tracks.web.track import WebTrack

__all__ = ["WebTrack"]
