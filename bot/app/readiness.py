"""The facilitator's readiness card for one journey, read from what is stored."""

from __future__ import annotations

from bot.app.digest_input import is_closed
from bot.domain import errors
from bot.domain.digest.phase_readiness import ReadinessCard, readiness_card
from bot.domain.digest.view import DigestView
from bot.domain.ports import Clock, UnitOfWorkFactory


def readiness(
    uow: UnitOfWorkFactory, clock: Clock, workspace_id: int, journey_id: int
) -> ReadinessCard:
    """The card from the latest stored digest of a week that is over: never a figure of
    the week in progress, which would change under the reader's eyes."""
    now = clock.now()
    with uow() as tx:
        journey = tx.journeys.get(workspace_id, journey_id)
        if journey is None or journey.id is None:
            raise errors.NoJourney()
        stored = [
            d
            for d in tx.digests.for_journey(workspace_id, journey_id)
            if is_closed(d.iso_week, journey.timezone, now)
        ]
        history = list(tx.journeys.phase_history(workspace_id, journey_id))
    latest = max(stored, key=lambda d: d.iso_week, default=None)
    return readiness_card(
        journey.id,
        journey.name,
        journey.channel,
        journey.phase,
        max(0, (now - journey.phase_since).days // 7),
        DigestView.from_dict(latest.payload) if latest is not None else None,
        history,
    )
