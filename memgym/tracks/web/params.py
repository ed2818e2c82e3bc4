"""The web track's parameters: tiers, defaults and validation naming the bad parameter.

``page_tokens`` is the length control: the tokens one list page's observation should take; the
number of records per page is derived from it (``page_size``), so a session's observations grow
with it. ``errands`` is the number of remembering errands (each preceded by its reviewing
errand: a session has ``2 * errands`` tasks), ``pages`` the list pages one review covers and
``list_pages`` the length of the whole list (hundreds of records).
"""

from __future__ import annotations

from typing import Any

from memgym.tokens import count_tokens
from memgym.tracks.checks import check_choice, check_int, tier_params
from memgym.tracks.web.apps import APP_NAMES, MAX_RECORDS

TIERS: dict[str, dict[str, Any]] = {
    "lite": {"errands": 2, "pages": 2, "page_tokens": 400, "list_pages": 8},
    "standard": {"errands": 4, "pages": 3, "page_tokens": 700, "list_pages": 24},
    "hard": {"errands": 6, "pages": 4, "page_tokens": 1500, "list_pages": 48},
}
DEFAULT_TIER = "standard"
DEFAULTS: dict[str, Any] = {"app": "any", **TIERS[DEFAULT_TIER]}
PAGE_OVERHEAD = 40
"""Tokens of a list page besides its rows: the url line, the heading, the page links."""
ROW_EXAMPLE = (
    '    - listitem:\n      - link "O-48213"\n      - text: Copper kettle · Seller Harbor Supply · '
    "2026-03-04 · Total $84.20 · open\n"
)
"""A typical list row as the accessibility tree shows it, for sizing pages (33 memgym tokens;
the mean over every app's rows is 32 to 34)."""


def resolve(tier: str | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """The full, validated parameter dict for ``tier`` with ``overrides`` applied."""
    p = tier_params(tier, overrides, TIERS, DEFAULTS, DEFAULT_TIER)
    check_choice("app", p["app"], ("any", *APP_NAMES))
    check_int("errands", p["errands"], 1, 20)
    check_int("pages", p["pages"], 1, 20)
    check_int("page_tokens", p["page_tokens"], 200, 20_000)
    check_int("list_pages", p["list_pages"], 1, 400)
    if p["errands"] * p["pages"] > p["list_pages"]:
        raise ValueError(
            f"errands x pages ({p['errands'] * p['pages']}) exceeds list_pages ({p['list_pages']})"
        )
    p["page_size"] = page_size(p["page_tokens"])
    if p["list_pages"] * p["page_size"] > MAX_RECORDS:
        raise ValueError(
            f"list_pages x page_size ({p['list_pages']} x {p['page_size']}) exceeds the "
            f"{MAX_RECORDS} records an app holds: lower list_pages or page_tokens"
        )
    return {"tier": tier, **p}


def page_size(page_tokens: int) -> int:
    """Records per list page so that the page's observation takes about ``page_tokens``."""
    return max(3, (page_tokens - PAGE_OVERHEAD) // count_tokens(ROW_EXAMPLE))
