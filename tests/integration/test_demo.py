"""`pioneer demo`: a journey through the real services writes digests and charts, each
company's own story shows up in the nudges of the right phase, and phases move on because
the scorecard says their exit signals were met — not because a calendar said so."""

from __future__ import annotations

import json
import sqlite3
import struct
import subprocess
import sys
from pathlib import Path

from bot.container import demo_parts
from bot.demo.runner import run_demo
from bot.demo.summary import DemoResult
from bot.domain.digest.view import DigestView
from bot.domain.model import Language, Phase
from bot.rendering.markdown import nudge_text

FIGURES = Path(__file__).resolve().parents[2] / "scripts" / "demo_figures.py"


def fired_in(result: DemoResult, phase: Phase) -> set[str]:
    return {n.rule for d in result.digests if d.phase is phase for n in d.nudges}


def moves(result: DemoResult) -> list[tuple[str, Phase, Phase, str]]:
    return list(result.phase_changes)


def last_digest_of(result: DemoResult, phase: Phase) -> DigestView:
    return [d for d in result.digests if d.phase is phase][-1]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def assert_team_updates(out: Path, result: DemoResult, title: str, did: str) -> None:
    """Every other week each of the 30 people got the team update once; it is kept beside
    the digests, and says what the directors did about their nudges (`did`), or that
    nothing was recorded."""
    weeks = [u.iso_week for u in result.team_updates]
    assert len(weeks) >= 3 and weeks == sorted(set(weeks))
    assert all(int(b[-2:]) - int(a[-2:]) == 2 for a, b in zip(weeks, weeks[1:], strict=False))
    pages = [(out / "digests" / f"{week}-team.md").read_text(encoding="utf-8") for week in weeks]
    assert all(page.startswith(title) for page in pages)
    assert any(did in page for page in pages)
    with sqlite3.connect(out / "pioneer.db") as db:
        sent = db.execute(
            "SELECT iso_week, COUNT(*), COUNT(DISTINCT member_id) FROM team_update_sends"
            " WHERE status = 'sent' GROUP BY iso_week ORDER BY iso_week"
        ).fetchall()
    assert sent == [(week, 30, 30) for week in weeks]


def assert_moved_by_the_scorecard(result: DemoResult, phase: Phase, opening: str) -> str:
    """The move out of `phase` cites met exit signals, and the last digest of the phase
    showed a scorecard that was ready: the facilitator acted on what the director saw."""
    week, _, to, reason = next(m for m in moves(result) if m[1] is phase)
    assert to is phase.next()
    assert reason.startswith(opening), reason
    card = last_digest_of(result, phase).scorecard
    assert card is not None and card.phase is phase and card.ready
    assert all(row.counts_as_met for row in card.rows)
    return week


def test_company_a_explores_with_room_and_moves_on_its_exit_signals(tmp_path: Path) -> None:
    lines: list[str] = []
    result = run_demo(9, 3, tmp_path, "en", "a", lines.append, demo_parts)
    assert len(result.digests) == 8  # the ninth week's digest is not due yet
    for digest in result.digests:
        page = (tmp_path / "digests" / f"{digest.iso_week}.md").read_text()
        assert page.startswith("# Weekly digest Company A")
        width, height = png_size(tmp_path / "digests" / f"{digest.iso_week}.png")
        assert 400 <= width <= 3000 and 200 <= height <= 2000
        learning = (tmp_path / "digests" / f"{digest.iso_week}-learning.md").read_text()
        assert learning.startswith("# For the learning professional: the human side of")
        assert "## Your checklist" in learning
        card = (tmp_path / "digests" / f"{digest.iso_week}-facilitator.md").read_text()
        assert card.startswith("# Ready to move? Company A")
    # The facilitator's card shows the scorecard the directors saw, and the move it led to.
    last = result.digests[-1]
    card = (tmp_path / "digests" / f"{last.iso_week}-facilitator.md").read_text()
    assert f"How the digest of {last.iso_week} scored the exit signals:" in card
    assert "Last phase moves:" in card and "from interest to desire, because:" in card
    # Awareness and interest both end on met exit signals, in that order.
    first = assert_moved_by_the_scorecard(result, Phase.AWARENESS, "The exit signals of")
    second = assert_moved_by_the_scorecard(result, Phase.INTEREST, "The exit signals of")
    assert first < second
    # Company A's frontrunners have room: nobody is nudged to protect them.
    assert "protect_frontrunners" not in set().union(*(fired_in(result, p) for p in Phase))
    assert "phase_next" in fired_in(result, Phase.AWARENESS)
    # In desire the followers have not yet heard why, nor where they fit in.
    assert {"explain_why", "involve_followers_heard"} <= fired_in(result, Phase.DESIRE)
    summary = (tmp_path / "journey.md").read_text()
    assert "awareness → interest" in summary and "interest → desire" in summary
    assert any(line.startswith("# Weekly digest") for line in lines)
    assert result.answers > 0 and result.prompts_sent > result.answers / 2
    # What the run measured, as `scripts/demo_figures.py` tells an operator.
    figures = json.loads(
        subprocess.run(
            [sys.executable, str(FIGURES), str(tmp_path), "--json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    for phase in ("awareness", "interest"):
        shares = figures["phases"][phase]["shares"]
        assert set(shares) == {"technology", "human", "business"}
        assert all(20 <= share <= 50 for share in shares.values()), (phase, shares)
        assert figures["phases"][phase]["coverage"] >= 90
    assert all(quiet["asked"] for quiet in figures["quiet_nudges"])
    withheld, lines = figures["withheld_lines"]
    assert withheld * 3 <= lines
    # A's nudges come in desire; the updates of the weeks before say nothing was recorded.
    assert_team_updates(tmp_path, result, "# You said, we did: Company A", "Nothing was recorded")


def test_company_b_frontrunners_short_of_room_in_dutch(tmp_path: Path) -> None:
    result = run_demo(13, 7, tmp_path, "nl", "b", lambda _: None, demo_parts)
    # Waking up: the board is told to keep the daily rush away from its frontrunners.
    assert "protect_frontrunners" in fired_in(result, Phase.AWARENESS)
    nudge = next(n for d in result.digests for n in d.nudges if n.rule == "protect_frontrunners")
    assert "koplopers" in nudge_text(nudge, Language.NL).lower()
    # Interest drags on without a picture of the future: hobbyism is named.
    assert "focus_future_picture" in fired_in(result, Phase.INTEREST)
    # In desire the followers do not see their own role yet.
    assert "clarify_my_role" in fired_in(result, Phase.DESIRE)
    first = assert_moved_by_the_scorecard(result, Phase.AWARENESS, "De uitgangssignalen van")
    second = assert_moved_by_the_scorecard(result, Phase.INTEREST, "De uitgangssignalen van")
    # Company B needs longer than A (seen in the other test) to form a shared picture.
    assert first < second
    pages = sorted((tmp_path / "digests").glob("*-W??.md"))
    assert pages[0].read_text(encoding="utf-8").startswith("# Weekoverzicht")
    for page in pages:
        learning = page.with_name(f"{page.stem}-learning.md").read_text(encoding="utf-8")
        assert learning.startswith("# Voor de leerprofessional: de menselijke kant van")
        assert "## Jouw checklist" in learning
        card = page.with_name(f"{page.stem}-facilitator.md").read_text(encoding="utf-8")
        assert card.startswith("# Klaar voor de volgende stap?")
    # Interest dragged on without a picture of the future: some week's card warned of it.
    cards = [p.read_text(encoding="utf-8") for p in (tmp_path / "digests").glob("*-facilitator.md")]
    assert any("hobbyisme" in card for card in cards)
    assert any("Zo scoorde het weekoverzicht van" in card for card in cards)
    assert result.actions > 0
    assert_team_updates(tmp_path, result, "# Jullie zeiden, wij deden: Bedrijf B", "besproken")


def test_the_two_companies_change_phase_in_different_weeks(tmp_path: Path) -> None:
    a = run_demo(8, 7, tmp_path / "a", "en", "a", lambda _: None, demo_parts)
    b = run_demo(8, 7, tmp_path / "b", "en", "b", lambda _: None, demo_parts)
    weeks_a = [(week, to) for week, _, to, _ in moves(a)]
    weeks_b = [(week, to) for week, _, to, _ in moves(b)]
    assert weeks_a and weeks_b and weeks_a != weeks_b
    # B's frontrunners get no room, so its interest phase starts later than A's, if at all.
    started_a = dict((to, week) for week, to in weeks_a)
    started_b = dict((to, week) for week, to in weeks_b)
    assert Phase.DESIRE in started_a and Phase.DESIRE not in started_b


def test_same_seed_same_story(tmp_path: Path) -> None:
    one = run_demo(3, 11, tmp_path / "one", "en", "b", lambda _: None, demo_parts)
    two = run_demo(3, 11, tmp_path / "two", "en", "b", lambda _: None, demo_parts)
    assert (tmp_path / "one" / "journey.md").read_text() == (
        tmp_path / "two" / "journey.md"
    ).read_text()
    assert [d.to_dict()["perspectives"] for d in one.digests] == [
        d.to_dict()["perspectives"] for d in two.digests
    ]
