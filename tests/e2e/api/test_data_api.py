"""The read-only data API over real HTTP: published digests only, never a group under k,
one workspace per token, and the refusals an integrator meets (401, 404, 400)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.container import Container
from bot.domain.data_export import CSV_COLUMNS
from bot.domain.digest.view import DigestView
from bot.domain.model import Perspective, Role
from tests.e2e.api.conftest import (
    MONDAY_W47,
    MONDAY_W48,
    THURSDAY_W48,
    company,
    publish,
)
from tests.e2e.server import ServerThread, serve
from tests.integration.digest.conftest import Scenario


@dataclass
class Reply:
    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def get(url: str, token: str | None = None, scheme: str = "Bearer") -> Reply:
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.headers, exc.read())


@dataclass
class Published:
    container: Container
    server: ServerThread
    a: Scenario
    token: str
    other_journey: int
    other_token: str

    def get(self, path: str, token: str | None = "") -> Reply:
        return get(self.server.url + path, self.token if token == "" else token)


@pytest.fixture
def published(container: Container, clock: FixedClock) -> Iterator[Published]:
    a = company(container, clock, "T-ACME", "Acme BV")
    b = company(container, clock, "T-OTHER", "Other BV")
    assert publish(container, clock, a, MONDAY_W47)  # 2026-W46
    assert publish(container, clock, a, MONDAY_W48)  # 2026-W47
    assert publish(container, clock, b, MONDAY_W48)
    # Weeks someone asked for in chat, the one in progress too: stored, never published.
    clock.set(THURSDAY_W48)
    container.digests.show(a.workspace_id, a.journey_id, "2026-W45")
    container.digests.build(a.workspace_id, a.journey_id, "2026-W48")
    _, token = container.data_api.create_token(a.workspace_id, "dashboards")
    _, other_token = container.data_api.create_token(b.workspace_id, "theirs")
    server = serve(container)
    yield Published(container, server, a, token, b.journey_id, other_token)
    server.stop()


def every_respondents(document: Any) -> Iterator[int]:
    """Every count of people in a JSON document, however deep."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key in ("respondents", "people", "answered") and value is not None:
                yield value
            yield from every_respondents(value)
    elif isinstance(document, list):
        for item in document:
            yield from every_respondents(item)


def test_without_a_valid_token_nothing_is_served(published: Published) -> None:
    journeys = "/api/v1/journeys"
    for token, scheme in ((None, "Bearer"), ("pio_wrong", "Bearer"), (published.token, "Basic")):
        reply = get(published.server.url + journeys, token, scheme)
        assert reply.status == 401, (token, scheme)
        assert reply.headers["WWW-Authenticate"] == 'Bearer realm="pioneer"'
        assert reply.json()["error"] == "unauthorized"
        assert "Acme" not in reply.body.decode()
    assert published.get(journeys).status == 200


def test_journeys_are_the_tokens_workspaces_only(published: Published) -> None:
    reply = published.get("/api/v1/journeys")
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.headers["Cache-Control"] == "no-store"
    (journey,) = reply.json()["journeys"]
    assert journey["id"] == published.a.journey_id
    assert (journey["name"], journey["phase"], journey["k"]) == ("Company A", "desire", 5)
    # Desire since Tuesday of week 44; it is Thursday of week 48.
    assert journey["weeks_in_phase"] == 4
    theirs = published.get("/api/v1/journeys", token=published.other_token).json()
    assert [j["id"] for j in theirs["journeys"]] == [published.other_journey]


def test_only_published_weeks_are_listed_never_the_week_in_progress(
    published: Published,
) -> None:
    base = f"/api/v1/journeys/{published.a.journey_id}/digests"
    listed = published.get(base).json()
    assert [d["iso_week"] for d in listed["digests"]] == ["2026-W46", "2026-W47"]
    for week in ("2026-W45", "2026-W48"):
        stored = published.container.digests.get_stored(
            published.a.workspace_id, published.a.journey_id, week
        )
        assert stored is not None  # stored, but never published: not served
        reply = published.get(f"{base}/{week}")
        assert reply.status == 404 and reply.json()["error"] == "not_found"
    assert published.get(base + "/2026-W30").status == 404


def test_a_week_shows_the_published_figures_and_no_group_under_k(published: Published) -> None:
    a = published.a
    reply = published.get(f"/api/v1/journeys/{a.journey_id}/digests/2026-w47")
    assert reply.status == 200
    document = reply.json()
    view = published.container.digests.get_stored(a.workspace_id, a.journey_id, "2026-W47")
    assert view is not None
    assert (document["iso_week"], document["phase"], document["k"]) == ("2026-W47", "desire", 5)
    by_key = {g["key"]: g for g in document["perspectives"]}
    human = view.perspective(Perspective.HUMAN).all
    assert human.respondents is not None and human.respondents >= 5
    assert by_key["human"]["everyone"]["respondents"] == human.respondents
    assert by_key["human"]["everyone"]["mean"] == human.mean
    # Three people answered about technology that week: the digest withheld it, so does this.
    assert view.perspective(Perspective.TECHNOLOGY).all.respondents is None
    assert by_key["technology"]["everyone"] is None
    # Two directors: never a figure of their own, anywhere.
    text = reply.body.decode()
    assert Role.DIRECTOR.value not in {
        role for g in document["perspectives"] + document["signals"] for role in g["roles"]
    }
    assert min(every_respondents(document)) >= 5
    # What people wrote, and the facilitator's notes, stay in chat.
    for words in ("twintig jaar", "subscription portal", "External change expert"):
        assert words not in text
    assert "quotes" not in document and "contacts" not in document


def test_figures_csv_has_every_published_week_and_never_a_group_under_k(
    published: Published,
) -> None:
    a = published.a
    reply = published.get(f"/api/v1/journeys/{a.journey_id}/figures.csv")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in reply.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(reply.body.decode())))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert {r["iso_week"] for r in rows} == {"2026-W46", "2026-W47"}
    assert all(int(r["respondents"]) >= 5 for r in rows)
    assert Role.DIRECTOR.value not in {r["group"] for r in rows}
    week47 = {(r["kind"], r["key"], r["group"]): r for r in rows if r["iso_week"] == "2026-W47"}
    assert ("perspective", "technology", "everyone") not in week47
    stored = published.container.digests.get_stored(a.workspace_id, a.journey_id, "2026-W47")
    assert isinstance(stored, DigestView)
    for group in stored.perspectives + stored.signals:
        figure = group.all
        key = ("perspective" if group in stored.perspectives else "signal", group.key, "everyone")
        if figure.respondents is None:
            assert key not in week47
        else:
            assert int(week47[key]["respondents"]) == figure.respondents
            assert float(week47[key]["mean"]) == pytest.approx(figure.mean, abs=0.005)


def test_another_workspaces_journey_is_as_absent_as_none(published: Published) -> None:
    theirs = f"/api/v1/journeys/{published.other_journey}"
    nobodys = "/api/v1/journeys/999999"
    for suffix in ("/digests", "/digests/2026-W47", "/figures.csv"):
        refused, absent = published.get(theirs + suffix), published.get(nobodys + suffix)
        assert (refused.status, absent.status) == (404, 404), suffix
        assert refused.body == absent.body
    # Their own token reads it.
    own = published.get(theirs + "/digests", token=published.other_token)
    assert [d["iso_week"] for d in own.json()["digests"]] == ["2026-W47"]


@pytest.mark.parametrize("week", ["2026-W54", "2026-49", "W49", "banana"])
def test_a_malformed_week_is_a_bad_request(published: Published, week: str) -> None:
    reply = published.get(f"/api/v1/journeys/{published.a.journey_id}/digests/{week}")
    assert reply.status == 400
    body = reply.json()
    assert body["error"] == "invalid_week" and "2026-W49" in body["message"]


def test_tokens_are_made_listed_and_revoked_with_the_cli(published: Published) -> None:
    env = {**os.environ, "DATABASE_URL": published.container.settings.database_url}

    def pioneer(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "api-token", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )

    made = pioneer("create", "--workspace", "acme bv", "--name", "grafana")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("pio_") and len(token) > 40
    assert "shown only now" in made.stderr
    assert published.get("/api/v1/journeys", token=token).status == 200

    listed = pioneer("list", "--workspace", "T-ACME", "--format", "json")
    rows = json.loads(listed.stdout)
    assert [r["name"] for r in rows] == ["dashboards", "grafana"]
    assert token not in listed.stdout  # only its first characters
    mine = next(r for r in rows if r["name"] == "grafana")
    assert token.startswith(mine["starts_with"]) and mine["last_used_at"] is not None

    revoked = pioneer("revoke", str(mine["id"]))
    assert revoked.returncode == 0, revoked.stderr
    assert published.get("/api/v1/journeys", token=token).status == 401
    assert published.get("/api/v1/journeys").status == 200  # the other token still works

    unknown = pioneer("create", "--workspace", "Nobody BV")
    assert unknown.returncode == 2 and "no workspace 'Nobody BV'" in unknown.stderr
    assert pioneer("revoke", "999").returncode == 2
