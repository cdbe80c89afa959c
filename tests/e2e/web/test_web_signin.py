"""Signing in to the web view over real HTTP: a link from a signed `/pioneer web`, used once
within ten minutes, a session cookie that is HttpOnly and SameSite, and signing out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text as sql

from tests.e2e.web.conftest import FOLLOWER, Browser, Rig


def test_a_link_signs_in_once(rig: Rig) -> None:
    path = rig.link(FOLLOWER)
    browser = Browser(rig.url)
    # Opening the link (a chat's preview does) only shows the button: it stays usable.
    shown = browser.get(path)
    assert shown.status == 200 and 'action="/web/signin"' in shown.body
    secret = path.rsplit("/", 1)[1]
    signed = browser.post("/web/signin", {"secret": secret})
    assert signed.status == 303 and signed.headers["Location"] == "/web/"
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/web" in cookie
    assert "Secure" not in cookie  # the public address is http here
    home = browser.get("/web/")
    assert home.status == 200 and "Company A" in home.body
    assert home.headers["Cache-Control"] == "no-store"
    again = Browser(rig.url).post("/web/signin", {"secret": secret})
    assert again.status == 403 and "no longer works" in again.body
    # Only hashes are kept: neither the link's secret nor the session's is in the database.
    with rig.container.engine.connect() as connection:
        stored = [
            str(v)
            for table in ("web_links", "web_sessions")
            for row in connection.execute(sql(f"SELECT * FROM {table}"))  # noqa: S608
            for v in row
        ]
    assert secret not in stored and browser.cookies["pioneer_session"] not in stored


def test_an_expired_link_is_refused(rig: Rig) -> None:
    secret = rig.link(FOLLOWER).rsplit("/", 1)[1]
    rig.clock.advance(timedelta(minutes=10, seconds=1))
    refused = Browser(rig.url).post("/web/signin", {"secret": secret})
    assert refused.status == 403 and "pioneer_session" not in refused.headers.get("Set-Cookie", "")
    assert Browser(rig.url).post("/web/signin", {"secret": "made-up"}).status == 403


def test_without_a_session_nothing_is_shown(rig: Rig) -> None:
    browser = Browser(rig.url, {"pioneer_session": "forged"})
    for path in ("/web/", "/web/me", f"/web/j/{rig.a.journey_id}/trends"):
        page = browser.get(path)
        assert page.status == 401 and "/pioneer web" in page.body
        assert "Company A" not in page.body


def test_signing_out_ends_the_session(rig: Rig) -> None:
    browser = rig.browser(FOLLOWER)
    session = browser.cookies["pioneer_session"]
    home = browser.get("/web/")
    assert browser.post("/web/signout", {"csrf": home.csrf()}).status == 200
    assert "pioneer_session" not in browser.cookies
    assert Browser(rig.url, {"pioneer_session": session}).get("/web/").status == 401


def test_sessions_expire(rig: Rig) -> None:
    browser = rig.browser(FOLLOWER)
    rig.clock.advance(timedelta(hours=8, seconds=1))
    assert browser.get("/web/").status == 401


def test_without_a_public_address_web_says_so(rig: Rig) -> None:
    rig.container.services.web.public_url = ""  # type: ignore[union-attr]
    reply = rig.slack.say("web", user=FOLLOWER)
    assert "PIONEER_PUBLIC_URL" in reply
    assert "not in a pioneering journey" in rig.slack.say("web", user="U-NOBODY")
