"""The web view's access rule, role by page: the matrix the README shows, and the same
groups chat uses (the digest's readers, the facilitators, every member for the team
update)."""

from __future__ import annotations

from pathlib import Path

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


# The README's rows, top to bottom: the pages each stands for.
README_ROWS: tuple[tuple[Page, ...], ...] = (
    OWN_PAGES,
    (Page.TIMELINE,),
    (Page.SCORECARD,),
    (Page.TRENDS,),
    (Page.DIGESTS,),
    (Page.UPDATES,),
    (Page.ECOSYSTEM,),
    (Page.MEMBERS,),
    (Page.SCHEDULE,),
    (Page.CALENDAR,),
    (Page.PHASE,),
    (Page.EXPORT,),
)
README_COLUMNS = {
    "director": D,
    "learning professional": L,
    "facilitator": F,
    "frontrunner": FR,
    "follower": FO,
}


def test_the_readmes_matrix_is_the_rule() -> None:
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = text.split("**Who sees what.**", 1)[1].split("\n\n", 2)[1]
    header, _, *rows = [line.strip("|").split("|") for line in table.splitlines()]
    roles = [README_COLUMNS[cell.strip()] for cell in header[1:]]
    assert sorted(roles) == sorted(README_COLUMNS.values())
    assert len(rows) == len(README_ROWS)
    assert {p for pages in README_ROWS for p in pages} == set(Page)
    for cells, pages in zip(rows, README_ROWS, strict=True):
        marks = [cell.strip() for cell in cells[1:]]
        assert set(marks) <= {"✓", "–"}, cells
        for role, mark in zip(roles, marks, strict=True):
            for page in pages:
                member = None if page in OWN_PAGES else frozenset({role})
                assert may_open(page, member) is (mark == "✓"), (cells[0], role, page)
