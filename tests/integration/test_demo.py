"""`pioneer demo`: a short journey through the real services writes digests and charts,
and the scenario's own nudges show up (and the other scenario's do not)."""

from __future__ import annotations

import struct
from pathlib import Path

from bot.container import demo_parts
from bot.demo.runner import DemoResult, run_demo
from bot.domain.model import Language, Phase
from bot.rendering.markdown import nudge_text


def rules(result: DemoResult) -> dict[str, set[str]]:
    return {d.iso_week: {n.rule for n in d.nudges} for d in result.digests}


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_scenario_a_moves_on_when_the_picture_forms_and_writes_every_digest(
    tmp_path: Path,
) -> None:
    lines: list[str] = []
    result = run_demo(9, 7, tmp_path, "en", "a", lines.append, demo_parts)
    assert len(result.digests) == 8
    for digest in result.digests:
        assert (
            (tmp_path / "digests" / f"{digest.iso_week}.md")
            .read_text()
            .startswith("# Weekly digest Company A")
        )
        width, height = png_size(tmp_path / "digests" / f"{digest.iso_week}.png")
        assert 400 <= width <= 3000 and 200 <= height <= 2000
    fired = set().union(*rules(result).values())
    # Interest ends when a shared picture of the future forms, as the digest said.
    assert "phase_next" in fired
    moves = [(f, t, why) for _, f, t, why in result.phase_changes]
    assert (Phase.INTEREST, Phase.DESIRE) in [(f, t) for f, t, _ in moves]
    assert any("picture of the future" in why for *_, why in moves)
    assert "look_outside" in fired  # no outside contact in the first four weeks
    # Company A's frontrunners have room: nobody is nudged to protect them.
    assert "protect_frontrunners" not in fired
    summary = (tmp_path / "journey.md").read_text()
    assert "awareness → interest" in summary and "interest → desire" in summary
    assert (tmp_path / "pioneer.db").stat().st_size > 0
    assert any(line.startswith("# Weekly digest") for line in lines)
    assert result.answers > 0 and result.prompts_sent > result.answers / 2


def test_scenario_b_frontrunners_short_of_room_in_dutch(tmp_path: Path) -> None:
    result = run_demo(5, 7, tmp_path, "nl", "b", lambda _: None, demo_parts)
    fired = set().union(*rules(result).values())
    assert "protect_frontrunners" in fired
    nudge = next(n for d in result.digests for n in d.nudges if n.rule == "protect_frontrunners")
    assert "koplopers" in nudge_text(nudge, Language.NL).lower()
    first = sorted((tmp_path / "digests").glob("*.md"))[0].read_text(encoding="utf-8")
    assert first.startswith("# Weekdigest")


def test_same_seed_same_story(tmp_path: Path) -> None:
    one = run_demo(3, 11, tmp_path / "one", "en", "b", lambda _: None, demo_parts)
    two = run_demo(3, 11, tmp_path / "two", "en", "b", lambda _: None, demo_parts)
    assert (tmp_path / "one" / "journey.md").read_text() == (
        tmp_path / "two" / "journey.md"
    ).read_text()
    assert [d.to_dict()["perspectives"] for d in one.digests] == [
        d.to_dict()["perspectives"] for d in two.digests
    ]
