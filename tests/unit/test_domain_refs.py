"""Message refs: one format for every platform, and every form ever stored still read."""

from __future__ import annotations

import pytest

from bot.domain.views import message_ref, parse_ref


@pytest.mark.parametrize(
    ("conversation", "message"),
    [
        ("C123", "1700000000.000100"),  # a Slack channel and ts
        ("a:1xyz-abc", "1700000000123"),  # a Teams 1:1 chat and activity id
        ("19:pioneers@thread.tacv2;messageid=1700000000000", "1:1AbC"),  # a Teams channel post
        ("console", "3"),
    ],
)
def test_a_ref_gives_back_its_conversation_and_message(conversation: str, message: str) -> None:
    assert parse_ref(message_ref(conversation, message)) == (conversation, message)


def test_refs_stored_before_they_were_one_format_are_read_as_written() -> None:
    # Slack wrote `channel:ts`; Teams wrote `conversation|activity` (its ids hold ':').
    assert parse_ref("C123:1700000000.000100") == ("C123", "1700000000.000100")
    assert parse_ref("a:1xyz-abc|activityid") == ("a:1xyz-abc", "activityid")
    assert parse_ref("console:3") == ("console", "3")
