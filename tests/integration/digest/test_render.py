"""Block Kit within Slack's limits, a real PNG chart, Markdown in both languages."""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from PIL import Image  # matplotlib depends on Pillow, so it is always there

from bot.app.digests import DigestService
from bot.clock import FixedClock
from bot.domain.digest.view import DigestView, NudgeView, QuoteView
from bot.domain.model import Language, Perspective, Signal, Text
from bot.platforms.slack.render.digest import MAX_BLOCKS, MAX_TEXT, digest_blocks
from bot.platforms.teams.digest_card import digest_card
from bot.rendering.chart import render_chart
from bot.rendering.markdown import nudge_text, render_markdown, render_summary
from prompts.messages import t
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.digest.conftest import Scenario
from tests.integration.digest.test_scenarios import company_a

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
    # Only a stored digest can hold words this long: its nudges were stored as text.
    nudge = NudgeView("x", "heard", 1, "docs/method.md", text=Text(nl=long, en=long))
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
    # Headline, phase, participation, the three perspectives, the nudges.
    assert view.journey_name in blocks[0]["text"]["text"]
    # No perspective asked the same items as last week, so no arrow compares unlike things;
    # a figure that does compare like with like shows its arrow.
    assert all(group.all.vs_last_week is None for group in view.perspectives)
    assert "↓" not in everything and "↑" not in everything
    falling = replace(
        view,
        perspectives=tuple(
            replace(g, all=replace(g.all, vs_last_week=-0.5)) if g.all.shown else g
            for g in view.perspectives
        ),
    )
    assert "↓" in json.dumps(digest_blocks(falling, language), ensure_ascii=False)
    for nudge in view.nudges:
        assert nudge_text(nudge, language)[:40] in everything


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
    assert dutch.startswith("# Weekoverzicht Company A, week 2026-W47")
    assert "## Nudges" in english and "## Aandachtspunten" in dutch
    assert "Phase: desire (warming up), week 4 in this phase" in english
    assert "Fase: desire (warming up), week 4 in deze fase" in dutch
    assert "2.2 out of 5 (12 people)" in english and "2,2 uit 5 (12 mensen)" in dutch
    assert "technology**: not shown: too few answers to keep them anonymous" in english
    assert "technologie**: niet getoond: te weinig antwoorden om de anonimiteit te bewaren" in dutch
    for nudge in view.nudges:
        assert nudge_text(nudge, Language.EN) in english
        assert nudge_text(nudge, Language.NL) in dutch
    assert "<!channel>" not in english


def test_stored_json_round_trips(view: DigestView) -> None:
    payload = json.loads(json.dumps(view.to_dict()))
    again = DigestView.from_dict(payload)
    assert again == view
    assert render_markdown(again) == render_markdown(view)


# Company A's nudges of 2026-W47 as the previous version stored them: plain params and the
# words in both languages, no message key (copied from a payload that version wrote).
LEGACY_NUDGES = {
    "involve_followers_heard": (
        {"who": "followers", "mean": 2.17, "people": 12},
        (
            "Volgers voelen zich weinig gehoord: 2,2 uit 5 (12 mensen). Maak tijd om te luisteren"
            " naar hun ideeën, zorgen en wensen, vertel waarom de verandering onvermijdelijk is "
            "en kleur de toekomst samen in."
        ),
        (
            "Followers feel little heard: 2.2 out of 5 (12 people). Make time to listen to their "
            "ideas, concerns and wishes, say why the change is unavoidable and colour in the "
            "future together."
        ),
    ),
    "rebalance_quiet": (
        {"perspective": "technology", "k": 5, "usual": 17},
        (
            "Het perspectief technologie valt stil: minder dan 5 mensen antwoordden deze week, "
            "tegen zo'n 17 per week daarvoor. Breng techniek, mens en business weer in balans: "
            "alle drie zijn nodig."
        ),
        (
            "The technology perspective is going quiet: fewer than 5 people answered this week, "
            "against about 17 a week before. Rebalance technology, human and business: all three "
            "are needed."
        ),
    ),
    "steward_missing": (
        {},
        (
            "Er is geen leerprofessional in deze reis, terwijl nu vooral de mensen moeten "
            "meebewegen. Wijs iemand aan als herkenbare hoeder van het menselijke perspectief, "
            "naast wie techniek en business trekt."
        ),
        (
            "There is no learning professional in this journey, while now above all the people "
            "have to move along. Appoint a recognisable steward of the human perspective, next to"
            " whoever leads technology and business."
        ),
    ),
}


def test_new_payloads_carry_a_message_key_and_plain_arguments(view: DigestView) -> None:
    stored = json.loads(json.dumps(view.to_dict()))["nudges"][0]
    assert stored["key"] == "nudge.involve_followers_heard" and stored["text"] is None
    assert stored["args"] == {
        "who": {"kind": "group", "value": "follower", "measures": []},
        "mean": {"kind": "number", "value": 2.17, "measures": []},
        "people": {"kind": "count", "value": 12, "measures": []},
    }


def test_a_digest_stored_by_the_previous_version_loads_and_reads_the_same(
    view: DigestView, digests: DigestService, uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    payload = view.to_dict()
    payload["nudges"] = [
        {
            "rule": n.rule,
            "signal": n.signal,
            "priority": n.priority,
            "params": LEGACY_NUDGES[n.rule][0],
            "text": {"nl": LEGACY_NUDGES[n.rule][1], "en": LEGACY_NUDGES[n.rule][2]},
            "method": n.method,
        }
        for n in view.nudges
    ]
    with uow() as stored:
        stored.digests.save(
            view.workspace_id, view.journey_id, view.iso_week, payload, view.generated_at
        )
        stored.commit()
    clock.set(view.generated_at + timedelta(weeks=1))  # a week is shown once it is over
    old = digests.show(view.workspace_id, view.journey_id, view.iso_week)
    assert [n.rule for n in old.nudges] == list(LEGACY_NUDGES)
    assert all(n.key == "" and n.args == {} and n.text is not None for n in old.nudges)
    # The words stored then are shown as they were stored, on every surface, although
    # every one of these messages has been reworded since (the quiet perspective now says
    # who was asked; "Followers feel", "techniek" and the like were rewritten).
    for language in Language:
        stored = [LEGACY_NUDGES[n.rule][1 if language is Language.NL else 2] for n in old.nudges]
        assert [nudge_text(n, language) for n in old.nudges] == stored
        now = [nudge_text(n, language) for n in view.nudges]
        assert all(words not in now for words in stored)
        for render in (render_markdown, render_summary, digest_blocks):
            shown = json.dumps(render(old, language), ensure_ascii=False)
            assert all(json.dumps(words, ensure_ascii=False)[1:-1] in shown for words in stored)
        # Apart from the nudges' words, the stored digest reads as the one built now.
        legacy_words = replace(old, nudges=view.nudges)
        assert render_markdown(legacy_words, language) == render_markdown(view, language)
        assert digest_blocks(legacy_words, language) == digest_blocks(view, language)


@pytest.mark.parametrize("language", list(Language))
def test_the_chat_summary_is_short_and_has_the_nudges(view: DigestView, language: Language) -> None:
    summary = render_summary(replace(view, preview=True), language)
    assert len(summary) <= 2900
    assert "#" not in summary and "|" not in summary
    assert summary.splitlines()[1] == t("digest.preview_note", language)
    for nudge in view.nudges:
        assert nudge_text(nudge, language) in summary
    assert render_summary(oversized(view), language).endswith("…")


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        (Language.EN, ["learning and support", "attention for the technology side", "business"]),
        (
            Language.NL,
            ["leren en ondersteuning", "aandacht voor de technologische kant", "business"],
        ),
    ],
)
def test_a_quote_is_labelled_with_its_questions_signal_on_every_surface(
    view: DigestView, language: Language, labels: list[str]
) -> None:
    quoted = replace(
        view,
        language=language,
        quotes=(
            QuoteView(Perspective.HUMAN, "Meer tijd om te oefenen", Signal.LEARNING),
            QuoteView(Perspective.TECHNOLOGY, "Wie kiest de robot?", Signal.BALANCE),
            # Stored before quotes carried a signal: labelled with the perspective as then.
            QuoteView(Perspective.BUSINESS, "Wat vraagt de klant?"),
        ),
    )
    markdown = render_markdown(quoted, language)
    slack = texts(digest_blocks(quoted, language))
    teams = [block["text"] for block in digest_card(quoted)["body"] if "text" in block]
    for quote, label in zip(quoted.quotes, labels, strict=True):
        assert f"> {quote.text}\n> — {label}\n" in markdown
        assert f"> {quote.text}\n_{label}_" in slack
        assert teams[teams.index(f"“{quote.text}”") + 1] == label
    human = t("perspective.human", language)
    assert f"> — {human}" not in markdown and f"_{human}_" not in slack
