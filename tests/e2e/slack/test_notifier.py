"""SlackChat (the ChatPort) against the fake Web API, failures included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.errors import DeliveryFailed, RateLimited, TemporaryFailure, Unreachable
from bot.domain.model import Language, Member, Perspective, Phase, PromptKind
from bot.domain.views import Notice, PromptView, parse_ref
from bot.platforms.slack.chat import SlackChat, SlackChats
from tests.fakes.slack_api import FakeSlack

BOB = Member(workspace_id=1, journey_id=1, user="U2", id=2)


def a_view(delivery_id: int = 7, question: str = "How is it going?") -> PromptView:
    return PromptView(
        delivery_id=delivery_id,
        kind=PromptKind.PULSE,
        language=Language.EN,
        journey_name="Plant Noord",
        phase=Phase.AWARENESS,
        perspective=Perspective.HUMAN,
        question=question,
        low_label="Badly",
        high_label="Great",
        closes_at=datetime(2026, 12, 2, 17, 0, tzinfo=UTC),
    )


@pytest.fixture
def chat(fake_slack: FakeSlack) -> SlackChat:
    return SlackChat.connect("xoxb-test", fake_slack.api_url, timeout=1)


def test_send_prompt_opens_the_dm_once_and_tags_the_message(
    chat: SlackChat, fake_slack: FakeSlack
) -> None:
    ref1 = chat.send_prompt(BOB, a_view(7), "d:7")
    ref2 = chat.send_prompt(BOB, a_view(8), "d:8")
    assert len(fake_slack.calls_to("conversations.open")) == 1
    assert parse_ref(ref1)[0] == "DU2" and ref1 != ref2
    post = fake_slack.calls_to("chat.postMessage")[0]
    assert post.token == "xoxb-test"
    assert post.args["metadata"] == {
        "event_type": "pioneer_delivery",
        "event_payload": {"key": "d:7"},
    }
    assert chat.find_sent(BOB, "d:8") == ref2
    assert chat.find_sent(BOB, "d:9") is None


def test_rate_limit_carries_retry_after(chat: SlackChat, fake_slack: FakeSlack) -> None:
    fake_slack.script("chat.postMessage", [(429, 7)])
    with pytest.raises(RateLimited) as caught:
        chat.send_prompt(BOB, a_view(), "d:7")
    assert caught.value.retry_after == 7
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # no hidden retry
    chat.send_prompt(BOB, a_view(), "d:7")  # the script is used up: normal again


@pytest.mark.parametrize("failure", [500, 503, "reset", "timeout"])
def test_server_errors_and_lost_connections_are_temporary(
    chat: SlackChat, fake_slack: FakeSlack, failure: int | str
) -> None:
    fake_slack.hang_seconds = 1.5
    chat.dm_channel(BOB)
    fake_slack.script("chat.postMessage", [failure])
    with pytest.raises(TemporaryFailure):
        chat.send_prompt(BOB, a_view(), "d:7")
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_reset_after_slack_accepted_is_found_not_reposted(
    chat: SlackChat, fake_slack: FakeSlack
) -> None:
    fake_slack.script("chat.postMessage", ["reset-after-accept"])
    with pytest.raises(TemporaryFailure):
        chat.send_prompt(BOB, a_view(), "d:7")
    ref = chat.find_sent(BOB, "d:7")
    assert ref is not None
    assert len(fake_slack.messages("DU2")) == 1


@pytest.mark.parametrize(
    "error", ["user_not_found", "account_inactive", "cannot_dm_bot", "channel_not_found"]
)
def test_unreachable_people(chat: SlackChat, fake_slack: FakeSlack, error: str) -> None:
    if error in ("user_not_found", "cannot_dm_bot"):
        fake_slack.unreachable("U2", error)
    else:
        fake_slack.script("chat.postMessage", [{"ok": False, "error": error}])
    with pytest.raises(Unreachable):
        chat.send_prompt(BOB, a_view(), "d:7")


def test_other_api_errors_are_delivery_failures(chat: SlackChat, fake_slack: FakeSlack) -> None:
    fake_slack.script("chat.postMessage", [{"ok": False, "error": "invalid_auth"}])
    with pytest.raises(DeliveryFailed) as caught:
        chat.send_prompt(BOB, a_view(), "d:7")
    assert not isinstance(caught.value, RateLimited | TemporaryFailure | Unreachable)


def test_notices_are_posted_to_the_channel(chat: SlackChat, fake_slack: FakeSlack) -> None:
    ref = chat.post_notice("C1", Notice(language=Language.EN, text="Phase moved"))
    assert parse_ref(ref)[0] == "C1"
    assert fake_slack.calls_to("chat.postMessage")[0].args["text"] == "Phase moved"


def test_question_text_is_escaped(chat: SlackChat, fake_slack: FakeSlack) -> None:
    chat.send_prompt(BOB, a_view(question="Is <!channel> & co ok?"), "d:7")
    blocks = str(fake_slack.messages("DU2")[0].blocks)
    assert "&lt;!channel&gt; &amp; co" in blocks and "<!channel>" not in blocks


def test_slack_chats_keep_one_chat_per_team(fake_slack: FakeSlack) -> None:
    tokens = {"T1": "xoxb-1", "T2": "xoxb-2"}
    chats = SlackChats(tokens.get, fake_slack.api_url)
    assert chats.for_team("T1") is chats.for_team("T1")
    assert chats.for_team("T2").client.token == "xoxb-2"
    with pytest.raises(Unreachable):
        chats.for_team("T3")
