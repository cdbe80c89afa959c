"""The unit-of-work contract (see test_uow_contract.py) for what privacy relies on: stored
digests keep where their quotes came from, and erasure may redact even a sent one."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.ports import UnitOfWorkFactory
from tests.integration.test_uow_contract import AT, factory, tenant  # noqa: F401 (fixture)

QUOTED = {"iso_week": "2026-W49", "quotes": [{"perspective": "human", "text": "a"}]}


def test_stored_digests_keep_their_quote_sources_and_erasure_redacts_even_a_sent_one(
    factory: UnitOfWorkFactory,  # noqa: F811 (the imported fixture)
) -> None:
    t = tenant(factory, "T1", ("U1",))
    other = tenant(factory, "T2", ("UX",))
    ws, jid = t.workspace_id, t.journey_id
    with factory() as tx:
        tx.digests.save(ws, jid, "2026-W50", {"quotes": []}, AT + timedelta(days=7), ())
        tx.digests.save(ws, jid, "2026-W49", QUOTED, AT, (41,))
        tx.digests.save(ws, jid, "2026-W48", QUOTED, AT - timedelta(days=7), (None,))
        tx.commit()
    with factory() as tx:
        found = tx.digests.for_journey(ws, jid)
        assert [(d.iso_week, d.quote_sources) for d in found] == [
            ("2026-W48", None),  # one source not known: none are
            ("2026-W49", (41,)),
            ("2026-W50", ()),
        ]
        assert tx.digests.for_journey(other.workspace_id, jid) == []
        assert tx.digests.claim_send(ws, jid, "2026-W49", AT)
        tx.commit()
    with factory() as tx:
        # A sent digest is a record: building it again changes nothing ...
        tx.digests.save(ws, jid, "2026-W49", {"quotes": []}, AT, ())
        tx.digests.redact(other.workspace_id, jid, found[1]._replace(payload={"quotes": []}))
        tx.commit()
    with factory() as tx:
        kept = tx.digests.get(ws, jid, "2026-W49")
        assert kept is not None and kept.payload == QUOTED and kept.quote_sources == (41,)
        # ... but erasure takes words out of it.
        tx.digests.redact(
            ws, jid, kept._replace(payload={**QUOTED, "quotes": []}, quote_sources=())
        )
        tx.commit()
    with factory() as tx:
        redacted = tx.digests.get(ws, jid, "2026-W49")
        assert redacted is not None and redacted.sent_at == AT
        assert (redacted.payload["quotes"], redacted.quote_sources) == ([], ())
        assert redacted.payload["iso_week"] == "2026-W49"
