"""Data a test needs that another part of the bot would normally create: a workspace that
a platform would have registered, a delivery the scheduler would have recorded.

On any unit of work (the in-memory fake's or storage's), so the unit tests, the e2e rigs
and the benchmarks set up their data the one same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from bot.app.services import Services
from bot.domain.model import Delivery, Perspective, Phase, Prompt, PromptKind, Signal
from bot.domain.ports import UnitOfWorkFactory


def workspace_id(uow: UnitOfWorkFactory, platform: str, external_id: str, name: str = "") -> int:
    """Our workspace for a platform's team or tenant, made on first use as the platform does."""
    with uow() as tx:
        workspace = tx.workspaces.get_or_create(platform, external_id, name)
        tx.commit()
    assert workspace.id is not None
    return workspace.id


def a_delivery(at: datetime, **fields: Any) -> Delivery:
    """A delivery as a plain value, made and due at `at` and open for three days: a pulse
    of the awareness phase in workspace, journey and member 1 unless `fields` say otherwise."""
    values: dict[str, Any] = {
        "workspace_id": 1,
        "journey_id": 1,
        "member_id": 1,
        "prompt_id": "p",
        "kind": PromptKind.PULSE,
        "phase": Phase.AWARENESS,
        "perspective": Perspective.HUMAN,
        "signal": Signal.CURIOSITY,
        "occurrence": at.date().isoformat(),
        "created_at": at,
        "closes_at": at + timedelta(days=3),
        "due_at": at,
    }
    return Delivery(**values | fields)


def first_prompt(prompts: Iterable[Prompt], kind: PromptKind) -> Prompt:
    """The awareness phase's first prompt of `kind` by id: the same one on every run."""
    return min(
        (p for p in prompts if p.kind is kind and Phase.AWARENESS in p.phases), key=lambda p: p.id
    )


def deliver(
    services: Services,
    workspace_id: int,
    journey_id: int,
    user: str,
    kind: PromptKind = PromptKind.PULSE,
    closes_in: timedelta = timedelta(days=2),
    occurrence: str = "2026-W49",
    status: str = "sent",
) -> Delivery:
    """A delivery as the scheduler would have made and sent it (or not yet: `status`)."""
    now = services.clock.now()
    return record(
        services.uow,
        first_prompt(services.catalog, kind),
        now,
        workspace_id,
        journey_id,
        user,
        occurrence=occurrence,
        closes_in=closes_in,
        ritual_key=f"test-{kind.value}",
        due_at=now,
        status=status,
        sent_at=now if status == "sent" else None,
    )


def record(
    uow: UnitOfWorkFactory,
    prompt: Prompt,
    now: datetime,
    workspace_id: int,
    journey_id: int,
    user: str,
    *,
    occurrence: str = "2026-W49",
    closes_in: timedelta = timedelta(days=2),
    **fields: Any,
) -> Delivery:
    """`prompt`, asked in the awareness phase, recorded for the member `user` of the journey;
    `fields` set the rest, else it is an ad-hoc delivery not sent yet."""
    with uow() as tx:
        member = tx.members.by_user(workspace_id, journey_id, user)
        assert member is not None and member.id is not None
        delivery = tx.deliveries.add(
            Delivery(
                workspace_id=workspace_id,
                journey_id=journey_id,
                member_id=member.id,
                prompt_id=prompt.id,
                kind=prompt.kind,
                phase=Phase.AWARENESS,
                perspective=prompt.perspective,
                signal=prompt.signal,
                occurrence=occurrence,
                created_at=now,
                closes_at=now + closes_in,
                **fields,
            )
        )
        tx.commit()
    return delivery
