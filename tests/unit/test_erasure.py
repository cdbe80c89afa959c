"""Erasure takes an erased person's quotes out of stored digests: by the answer a quote came
from where the digest kept it, else by the words (digests stored before sources were kept)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app.services import Services
from bot.domain.digest.texts import erase_quotes, quote_text
from bot.domain.model import PromptKind
from bot.domain.records import StoredDigest
from tests.seed import deliver

NOW = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
LONG = "Robots " + "will take over the night shift, " * 12 + "and <@U123> agrees"


def payload(week: str, *quotes: str) -> dict[str, Any]:
    return {"iso_week": week, "quotes": [{"perspective": "human", "text": q} for q in quotes]}


def test_forget_me_takes_the_persons_quotes_out_of_every_stored_digest(
    services: Services, workspace_id: int
) -> None:
    journey = services.journeys.start(workspace_id, "C1", "Plant", starter="UFAC")
    assert journey.id is not None
    jid = journey.id
    said: dict[str, int] = {}
    for user, text in (("UBOB", LONG), ("UCAROL", "Training first, please")):
        services.journeys.join(workspace_id, jid, user)
        delivery = deliver(services, workspace_id, jid, user, PromptKind.CHECKIN)
        assert delivery.id is not None
        said[user] = services.answers.record(workspace_id, delivery.id, user, text=text).id or 0
    bob, carol = quote_text(LONG), quote_text("Training first, please")
    assert bob != LONG  # quoted shortened, escaped and without the mention
    now = services.clock.now()
    with services.uow() as uow:
        # Week 48 quoted Bob's answer as it read then; week 49 was stored before digests
        # kept their quotes' sources; week 50 quoted only Carol.
        both = (said["UBOB"], said["UCAROL"])
        uow.digests.save(workspace_id, jid, "2026-W48", payload("W48", "then", carol), now, both)
        uow.digests.save(workspace_id, jid, "2026-W49", payload("W49", bob, carol), now, (None,))
        uow.digests.save(workspace_id, jid, "2026-W50", payload("W50", carol), now, both[1:])
        assert uow.digests.claim_send(workspace_id, jid, "2026-W48", now)
        uow.commit()
    services.clock.set(now + timedelta(hours=1))

    assert services.journeys.forget(workspace_id, jid, "UBOB")

    with services.uow() as uow:
        kept = {d.iso_week: d for d in uow.digests.for_journey(workspace_id, jid)}
    for week in ("2026-W48", "2026-W49", "2026-W50"):
        assert [q["text"] for q in kept[week].payload["quotes"]] == [carol], week
    assert kept["2026-W48"].quote_sources == (said["UCAROL"],)
    assert kept["2026-W48"].sent_at == now  # still the record of what was sent
    assert kept["2026-W49"].quote_sources is None


def test_a_digest_that_quoted_none_of_them_is_left_alone() -> None:
    stored = StoredDigest("2026-W49", NOW, None, payload("W49", "same words"), (7,))
    assert erase_quotes(stored, {8}, ["same words"]) is None  # the sources decide
    legacy = stored._replace(quote_sources=None)
    assert erase_quotes(legacy, {8}, ["other words"]) is None
    assert erase_quotes(legacy, {8}, ["same words"]) == legacy._replace(payload=payload("W49"))
