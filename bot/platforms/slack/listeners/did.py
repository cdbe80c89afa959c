"""What leadership did: the button beside a digest's nudge opens a modal; its submission is
recorded for the fortnight's team update."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.app.team_updates import recorded_text
from bot.domain import errors
from bot.platforms.slack.deps import SlackDeps
from bot.platforms.slack.render.did import (
    DID_ACTION,
    DID_BLOCK,
    DID_INPUT,
    DID_SUBMIT,
    DidMeta,
    did_modal,
    nudge_of,
)
from prompts.messages import say


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(DID_ACTION)
    async def open_did(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        meta = DidMeta.load(str(action["value"]))
        nudge = nudge_of(body.get("message") or {}, meta.rule)
        # trigger_id expires 3 s after the click: open the modal before anything else.
        await client.views_open(trigger_id=body["trigger_id"], view=did_modal(meta, nudge))

    @app.view(DID_SUBMIT)
    async def submitted(
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        meta = DidMeta.load(view["private_metadata"])
        text = view["state"]["values"][DID_BLOCK][DID_INPUT].get("value") or ""
        workspace = await deps.workspace_id(context)
        # Recorded before the ack: a refusal (not a director, empty) shows in the open modal.
        user = body["user"]["id"]
        try:
            action = await deps.run(
                deps.services.team_updates.record,
                workspace,
                meta.journey_id,
                user,
                text,
                meta.rule,
                meta.signal,
            )
        except errors.DomainError as refusal:
            await ack(response_action="errors", errors={DID_BLOCK: say(refusal, meta.language)})
            return
        await ack()
        deps.metrics.commands.labels("slack", "did").inc()
        # The modal closes on the ack; the person reads what the team will read, in the DM.
        said = recorded_text(action, meta.language)
        deps.after_ack(client.chat_postMessage(channel=user, text=said), "a did confirmation")
