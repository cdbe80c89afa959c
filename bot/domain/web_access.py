"""The web view's access rule: which page of a journey a person may open.

`may_open` is the one answer to "may these roles see this page"; it reuses the roles chat
uses (DIGEST_READERS for the digest, FACILITATORS for a facilitator's commands), so the web
never shows anyone more than chat would.
"""

from __future__ import annotations

from enum import StrEnum

from bot.domain.journeys import DIGEST_READERS, FACILITATORS
from bot.domain.model import Role


class Page(StrEnum):
    HOME = "home"
    ME = "me"
    TIMELINE = "timeline"
    SCORECARD = "scorecard"
    TRENDS = "trends"
    DIGESTS = "digests"
    ECOSYSTEM = "ecosystem"
    MEMBERS = "members"
    SCHEDULE = "schedule"
    CALENDAR = "calendar"
    PHASE = "phase"
    EXPORT = "export"


# Pages about oneself: every signed-in person, member of a journey or not.
OWN_PAGES = (Page.HOME, Page.ME)
# What the weekly digest shows, for those who get it.
READER_PAGES = (Page.TIMELINE, Page.SCORECARD, Page.TRENDS, Page.DIGESTS, Page.ECOSYSTEM)
# What only a facilitator may do in chat.
FACILITATOR_PAGES = (Page.MEMBERS, Page.SCHEDULE, Page.CALENDAR, Page.PHASE, Page.EXPORT)
JOURNEY_PAGES = READER_PAGES + FACILITATOR_PAGES


def may_open(page: Page, roles: frozenset[Role] | None) -> bool:
    """Whether someone with `roles` in a journey (None: not a member) may open `page` of it."""
    if page in OWN_PAGES:
        return True
    if roles is None:
        return False
    if page in READER_PAGES:
        return bool(roles & DIGEST_READERS)
    return bool(roles & FACILITATORS)


def pages_for(roles: frozenset[Role] | None) -> tuple[Page, ...]:
    """A journey's pages these roles may open, in the order the menu lists them."""
    return tuple(p for p in JOURNEY_PAGES if may_open(p, roles))
