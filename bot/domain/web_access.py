"""The web view's access rule: which page of a journey a person may open.

`may_open` is the one answer to "may these roles see this page"; it reuses the roles chat
uses (DIGEST_READERS for the digest, FACILITATORS for a facilitator's commands, every member
for the team update they all get), so the web never shows anyone more than chat would.
"""

from __future__ import annotations

from enum import StrEnum

from bot.domain.journeys import DIGEST_READERS, FACILITATORS
from bot.domain.model import ROLES, Role


class Page(StrEnum):
    HOME = "home"
    ME = "me"
    TIMELINE = "timeline"
    SCORECARD = "scorecard"
    TRENDS = "trends"
    DIGESTS = "digests"
    UPDATES = "updates"
    ECOSYSTEM = "ecosystem"
    MEMBERS = "members"
    SCHEDULE = "schedule"
    CALENDAR = "calendar"
    PHASE = "phase"
    EXPORT = "export"


# Pages about oneself: every signed-in person, member of a journey or not.
OWN_PAGES = (Page.HOME, Page.ME)
# What every member gets in chat, whatever their roles (none yet included): the team update.
MEMBER_PAGES = (Page.UPDATES,)
# What the weekly digest shows, for those who get it.
READER_PAGES = (Page.TIMELINE, Page.SCORECARD, Page.TRENDS, Page.DIGESTS, Page.ECOSYSTEM)
# What only a facilitator may do in chat.
FACILITATOR_PAGES = (Page.MEMBERS, Page.SCHEDULE, Page.CALENDAR, Page.PHASE, Page.EXPORT)
# In the order the menu lists them: the team updates next to the digests.
JOURNEY_PAGES = (
    Page.TIMELINE,
    Page.SCORECARD,
    Page.TRENDS,
    Page.DIGESTS,
    Page.UPDATES,
    Page.ECOSYSTEM,
    *FACILITATOR_PAGES,
)


def allowed_roles(page: Page) -> frozenset[Role]:
    """The roles that open a journey's `page` (a member with none opens MEMBER_PAGES too)."""
    if page in OWN_PAGES or page in MEMBER_PAGES:
        return frozenset(ROLES)
    if page in READER_PAGES:
        return DIGEST_READERS
    return FACILITATORS


def may_open(page: Page, roles: frozenset[Role] | None) -> bool:
    """Whether someone with `roles` in a journey (None: not a member) may open `page` of it."""
    if page in OWN_PAGES:
        return True
    if roles is None:
        return False
    if page in MEMBER_PAGES:
        return True
    return bool(roles & allowed_roles(page))


def pages_for(roles: frozenset[Role] | None) -> tuple[Page, ...]:
    """A journey's pages these roles may open, in the order the menu lists them."""
    return tuple(p for p in JOURNEY_PAGES if may_open(p, roles))
