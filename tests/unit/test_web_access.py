"""The web view's access rule, role by page: the matrix the README shows, and the same
groups chat uses (the digest's readers, the facilitators, every member for the team
update)."""

from __future__ import annotations

import pytest

from bot.domain.journeys import DIGEST_READERS, FACILITATORS
from bot.domain.model import ROLES, Role
from bot.domain.web_access import (
    JOURNEY_PAGES,
    OWN_PAGES,
    Page,
    allowed_roles,
    may_open,
    pages_for,
)
from bot.domain.web_links import csrf_matches, csrf_token, secret_hash

D, L, F, FR, FO = Role.DIRECTOR, Role.LEARNING, Role.FACILITATOR, Role.FRONTRUNNER, Role.FOLLOWER
# Who may open what: README, "Web view".
MATRIX: dict[Page, frozenset[Role]] = {
    Page.TIMELINE: frozenset({D, L, F}),
    Page.SCORECARD: frozenset({D, L, F}),
    Page.TRENDS: frozenset({D, L, F}),
    Page.DIGESTS: frozenset({D, L, F}),
    Page.UPDATES: frozenset({D, L, F, FR, FO}),
    Page.ECOSYSTEM: frozenset({D, L, F}),
    Page.MEMBERS: frozenset({F}),
    Page.SCHEDULE: frozenset({F}),
    Page.CALENDAR: frozenset({F}),
    Page.PHASE: frozenset({F}),
    Page.EXPORT: frozenset({F}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", JOURNEY_PAGES)
def test_each_role_opens_exactly_its_pages(role: Role, page: Page) -> None:
    assert may_open(page, frozenset({role})) is (role in MATRIX[page])


def test_the_matrix_is_chats_roles() -> None:
    assert set(MATRIX) == set(JOURNEY_PAGES)
    for page, roles in MATRIX.items():
        assert roles in (DIGEST_READERS, FACILITATORS, frozenset(ROLES)), page
        assert allowed_roles(page) == roles, page


def test_roles_add_up_and_no_role_opens_nothing_of_a_journey() -> None:
    assert pages_for(frozenset({FO, D})) == pages_for(frozenset({D}))
    assert pages_for(frozenset({F, D})) == JOURNEY_PAGES
    # Every member gets the team update in chat, so reads it back: a role or none yet.
    assert pages_for(frozenset()) == (Page.UPDATES,)
    assert pages_for(frozenset({FO})) == pages_for(frozenset({FR})) == (Page.UPDATES,)
    assert Page.DIGESTS in pages_for(frozenset({D})) and Page.DIGESTS not in pages_for(frozenset())
    for page in JOURNEY_PAGES:
        assert not may_open(page, None)  # not a member of that journey
    for page in OWN_PAGES:
        assert may_open(page, None)


def test_csrf_tokens_belong_to_their_session() -> None:
    token = csrf_token("session-a")
    assert csrf_matches("session-a", token)
    assert not csrf_matches("session-b", token)
    assert not csrf_matches("session-a", "")
    assert secret_hash("x") != "x" and len(secret_hash("x")) == 64
