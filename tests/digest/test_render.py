"""Block Kit within Slack's limits, a real PNG chart, Markdown in both languages."""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Callable
from dataclasses import replace

import pytest
from PIL import Image  # matplotlib depends on Pillow, so it is always there

from bot.app.digests import DigestService
from bot.domain.digest.view import DigestView, NudgeView, QuoteView
from bot.domain.model import Language, Perspective, Text
from bot.platforms.slack.digest_blocks import MAX_BLOCKS, MAX_TEXT, digest_blocks
from bot.rendering.chart import render_chart
from bot.rendering.markdown import render_markdown, render_summary
from prompts.messages import t
from tests.digest.conftest import Scenario
from tests.digest.test_scenarios import company_a

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def view(scenario_factory: Callable[..., Scenario], digests: DigestService) -> DigestView:
    a = company_a(scenario_factory)
    return digests.build(a.workspace_id, a.journey_id, "2026-W47")


def texts(node: object) -> list[str]:
    """Every `text` string anywhere in a Block Kit structure."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                found.append(value)
            else:
                found += texts(value)
    elif isinstance(node, list):
        for item in node:
            found += texts(item)
    return found


def oversized(view: DigestView) -> DigestView:
    """The worst case: long nudges, long quotes full of markup, a long journey name."""
    long = "word <!channel> & " * 400
    nudge = NudgeView("x", "heard", 1, {}, Text(nl=long, en=long), "METHOD.md")
    return replace(
        view,
        journey_name="N" * 300,
        nudges=(nudge,) * 3,
        quotes=tuple(QuoteView(Perspective.HUMAN, "q" * 3500) for _ in range(10)),
    )


@pytest.mark.parametrize("language", list(Language))
def test_block_kit_stays_within_slacks_limits(view: DigestView, language: Language) -> None:
    for candidate in (view, oversized(view)):
        blocks = digest_blocks(candidate, language)
        assert 1 <= len(blocks) <= MAX_BLOCKS
        assert all(len(x) <= MAX_TEXT for x in texts(blocks))
        header = blocks[0]
        assert header["type"] == "header" and len(header["text"]["text"]) <= 150
        for block in blocks:
            assert len(block.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
        json.dumps(blocks)  # serialisable as Slack needs it
    blocks = digest_blocks(view, language)
    quotes = [b for b in blocks if b["type"] == "section" and b["text"]["text"].startswith(">")]
    assert 1 <= len(quotes) <= 3
    everything = json.dumps(blocks, ensure_ascii=False)
    assert "<!channel>" not in everything
    # Headline, phase, participation, the three perspectives with arrows, the nudges.
    assert view.journey_name in blocks[0]["text"]["text"]
    assert "↓" in everything
    for nudge in view.nudges:
        assert nudge.text.in_(language)[:40] in everything


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_chart_is_a_png_of_sensible_size(view: DigestView) -> None:
    data = render_chart(view)
    width, height = png_size(data)
    assert (width, height) == (1000, 400)
    assert 10_000 < len(data) < 500_000
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
        assert image.format == "PNG"
    # An empty journey still draws (withheld cells and weeks are blanks, not zeros).
    empty = replace(
        view,
        grid=tuple(replace(c, mean=None, respondents=None) for c in view.grid),
        trend=tuple(replace(p, mean=None, respondents=None) for p in view.trend),
    )
    assert png_size(render_chart(empty, Language.NL)) == (1000, 400)


def test_markdown_in_both_languages(view: DigestView) -> None:
    english = render_markdown(view, Language.EN)
    dutch = render_markdown(view, Language.NL)
    assert english.startswith("# Weekly digest Company A, week 2026-W47")
    assert dutch.startswith("# Weekdigest Company A, week 2026-W47")
    assert "## What to do now" in english and "## Wat nu te doen" in dutch
    assert "Phase: desire (warming up), week 4 in this phase" in english
    assert "Fase: verlangen (warmdraaien), week 4 in deze fase" in dutch
    assert "2.2 out of 5 (12 people)" in english and "2,2 uit 5 (12 mensen)" in dutch
    assert "technology**: not enough answers yet" in english
    assert "technologie**: nog niet genoeg antwoorden" in dutch
    for nudge in view.nudges:
        assert nudge.text.en in english and nudge.text.nl in dutch
    assert "<!channel>" not in english


def test_stored_json_round_trips(view: DigestView) -> None:
    payload = json.loads(json.dumps(view.to_dict()))
    again = DigestView.from_dict(payload)
    assert again == view
    assert render_markdown(again) == render_markdown(view)


@pytest.mark.parametrize("language", list(Language))
def test_the_chat_summary_is_short_and_has_the_nudges(view: DigestView, language: Language) -> None:
    summary = render_summary(replace(view, preview=True), language)
    assert len(summary) <= 2900
    assert "#" not in summary and "|" not in summary
    assert summary.splitlines()[1] == t("digest.preview_note", language)
    for nudge in view.nudges:
        assert nudge.text.in_(language) in summary
    assert render_summary(oversized(view), language).endswith("…")
