"""What leadership did, through the real Bolt app: `/pioneer did` (and `gedaan`), and the
button beside a digest's nudge that opens a modal whose submission records it."""

from __future__ import annotations

import json
from dataclasses import replace

from bot.container import Container
from bot.domain.digest.view import NudgeArg, NudgeView
from bot.domain.model import Language, Role
from bot.platforms.slack.render.did import DID_ACTION, DID_BLOCK, DID_INPUT, DID_SUBMIT
from bot.platforms.slack.render.digest import digest_message
from bot.rendering.markdown import nudge_text
from tests.e2e.slack.conftest import SlackSender, journey_id_of, slack_workspace_id
from tests.fakes.slack_api import FakeSlack


def recorded(container: Container) -> list[tuple[str, str, str]]:
    from datetime import UTC, datetime

    with container.uow() as uow:
        actions = uow.team_updates.actions(
            slack_workspace_id(container),
            journey_id_of(container),
            datetime(2000, 1, 1, tzinfo=UTC),
            datetime(2100, 1, 1, tzinfo=UTC),
        )
    return [(a.text, a.rule, a.signal) for a in actions]


def test_did_is_recorded_for_directors_and_facilitators_and_refused_for_followers(
    slack: SlackSender, container: Container
) -> None:
    slack.say("start Plant Noord")  # U1: the facilitator
    slack.say("join", user="U2")  # a follower
    slack.say("role <@U3> director")
    reply = slack.say("did held listening sessions with both shifts <!channel>")
    assert reply.startswith("Recorded. It will be in the next team update")
    assert reply.endswith("both shifts @…") and "<!channel>" not in reply  # no @channel
    assert "`did ‹what was done›`" in slack.say("did", user="U3")
    refused = slack.say("did we fixed everything", user="U2")
    assert refused == "Only a director or facilitator may do that."
    tied = slack.say("did explain_why: told the why at the all-hands", user="U3")
    assert "with the nudge about why change is unavoidable" in tied
    assert "do not know that nudge" in slack.say("did nonsense_rule: something", user="U3")
    slack.say("language nl", user="U3")
    assert slack.say("gedaan koffie met de ploegleiders", user="U3").startswith("Vastgelegd.")
    assert recorded(container) == [
        ("held listening sessions with both shifts <!channel>", "", ""),
        ("told the why at the all-hands", "explain_why", "why_unavoidable"),
        ("koffie met de ploegleiders", "", ""),
    ]


def test_the_digest_button_opens_a_modal_whose_submission_records_the_action(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    slack.say("start Plant Noord")
    slack.say("role <@U3> director")
    slack.say("join", user="U2")
    nudge = NudgeView(
        rule="explain_why",
        signal="why_unavoidable",
        priority=80,
        method="docs/method.md",
        key="nudge.explain_why",
        args={
            "who": NudgeArg.group(Role.FOLLOWER),
            "mean": NudgeArg.number(2.4),
            "people": NudgeArg.count(8),
        },
    )
    workspace_id, journey_id = slack_workspace_id(container), journey_id_of(container)
    digest = container.digests.compute(workspace_id, journey_id, "2026-W48")
    message = digest_message(replace(digest, nudges=(nudge,), language=Language.NL))
    (button,) = [
        b["accessory"] for b in message["blocks"] if b.get("accessory", {}).get("action_id")
    ]
    assert button["action_id"] == DID_ACTION and button["text"]["text"] == "Gedaan: leg vast"

    assert slack.action(DID_ACTION, button["value"], user="U3").status == 200
    fake_slack.wait_for("views.open", 1)
    (opened,) = fake_slack.calls_to("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == DID_SUBMIT and view["title"]["text"] == "Wat is er gedaan?"
    meta = view["private_metadata"]

    # A follower who got hold of the modal is refused in it; nothing is recorded.
    refused = slack.submit(
        DID_SUBMIT, meta, "we did it", user="U2", block=DID_BLOCK, input_id=DID_INPUT
    )
    errors = json.loads(refused.body)
    assert errors["response_action"] == "errors"
    assert errors["errors"][DID_BLOCK] == "Alleen een directeur of facilitator mag dat doen."
    empty = slack.submit(DID_SUBMIT, meta, "  ", user="U3", block=DID_BLOCK, input_id=DID_INPUT)
    assert "Schrijf erbij wat er gedaan is" in json.loads(empty.body)["errors"][DID_BLOCK]
    done = slack.submit(
        DID_SUBMIT,
        meta,
        "Told the why at the all-hands",
        user="U3",
        block=DID_BLOCK,
        input_id=DID_INPUT,
    )
    assert done.status == 200 and done.body == ""
    fake_slack.wait_for("chat.postMessage", 1)
    (confirmed,) = [c.args["text"] for c in fake_slack.calls_to("chat.postMessage")]
    assert confirmed.startswith("Vastgelegd, bij het aandachtspunt over waarom het moet.")
    assert recorded(container) == [
        ("Told the why at the all-hands", "explain_why", "why_unavoidable")
    ]
    assert nudge_text(nudge, Language.EN).startswith("Among followers")
