"""What leaves through the data API and the webhook: never a figure under k, never free text,
even from a stored digest that kept one; and tokens kept only as hashes."""

from __future__ import annotations

import json
from dataclasses import replace

from bot.domain.data_export import (
    SHOWN_CHARS,
    TOKEN_PREFIX,
    digest_document,
    figure_rows,
    new_token,
    token_hash,
    token_matches,
    webhook_summary,
)
from bot.domain.digest.view import DigestView, QuoteView, TrendPoint
from bot.domain.model import Perspective, Phase, Role, Signal
from tests.unit.digest.builders import fig, view


def leaky_view() -> DigestView:
    """A digest as an older version might have stored it: a group of three with a figure."""
    v = view(
        Phase.DESIRE,
        signals={Signal.HEARD: fig(2.4, people=9)},
        roles={Signal.HEARD: {Role.FOLLOWER: fig(2.0, people=6), Role.DIRECTOR: fig(4.0, 3)}},
    )
    return replace(
        v,
        trend=(
            TrendPoint("2026-W48", Perspective.HUMAN, 3, 2.0, 7),
            TrendPoint("2026-W49", Perspective.HUMAN, 9, 3.1, 12),
        ),
        quotes=(QuoteView(Perspective.HUMAN, "Nobody asked the night shift"),),
    )


def test_no_figure_under_k_leaves_even_if_a_stored_digest_kept_one() -> None:
    v = leaky_view()
    document = digest_document(v)
    (heard,) = document["signals"]
    assert heard["everyone"]["respondents"] == 9
    assert set(heard["roles"]) == {"follower"}
    assert [p["iso_week"] for p in document["trend"]] == ["2026-W49"]
    rows = figure_rows(v)
    assert {(r.kind, r.key, r.group) for r in rows if r.kind == "signal"} == {
        ("signal", "heard", "everyone"),
        ("signal", "heard", "follower"),
    }
    assert all(r.respondents >= v.k for r in rows)


def test_free_text_never_leaves() -> None:
    v = leaky_view()
    for document in (digest_document(v), webhook_summary(v, {"platform": "console"})):
        assert "night shift" not in json.dumps(document)


def test_tokens_are_random_and_kept_as_hashes() -> None:
    one, two = new_token(), new_token()
    assert one != two and one.startswith(TOKEN_PREFIX) and len(one) > 40
    stored = token_hash(one)
    assert len(stored) == 64 and one not in stored
    assert token_matches(one, stored) and not token_matches(two, stored)
    assert len(one[:SHOWN_CHARS]) == 8  # what `api-token list` shows of it
