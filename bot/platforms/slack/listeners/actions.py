"""Buttons: poll values, "add a comment", a check-in's "answer", reply buttons, Home controls."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.app.commands import execute, fans_out
from bot.app.home import home
from bot.domain import errors
from bot.domain.model import Language
from bot.platforms.slack.deps import SlackDeps
from bot.platforms.slack.render.app_home import (
    HOME_ACTION_PATTERN,
    PHASE_ACTION_PATTERN,
    PhaseMoveMeta,
    home_view,
    phase_modal,
)
from bot.platforms.slack.render.prompt import (
    CHECKIN_ACTION,
    COMMENT_ACTION,
    POLL_ACTION_PATTERN,
    ModalMeta,
    answer_modal,
)
from bot.platforms.slack.render.reply import COMMAND_ACTION
from bot.platforms.slack.replies import send_reply
from prompts.messages import say

HOME_COMMANDS = {
    "pioneer.home.poll_now": "poll now",
    "pioneer.home.checkin_now": "checkin now",
}


def _where(body: dict[str, Any]) -> tuple[str, str]:
    """The channel and ts of the message whose button was pressed."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id", "")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts", "")
    return str(channel), str(ts)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(re.compile(POLL_ACTION_PATTERN))
    async def poll_value(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        await answer_poll(deps, body, action, client, _team(context), respond)

    @app.action(COMMENT_ACTION)
    @app.action(CHECKIN_ACTION)
    async def open_modal(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        workspace = await deps.workspace_id(context)
        view = await deps.run(deps.services.views.view_for, workspace, int(action["value"]))
        if view is None:
            user = body["user"]["id"]
            language = await deps.run(deps.language_getter(client, context.team_id, user))
            gone = say(errors.PromptGone(), language or Language.EN)
            await respond(text=gone, response_type="ephemeral", replace_original=False)
            return
        channel, ts = _where(body)
        meta = ModalMeta(delivery_id=view.delivery_id, channel=channel, ts=ts)
        # trigger_id expires 3 s after the click: open the modal before anything else.
        await client.views_open(trigger_id=body["trigger_id"], view=answer_modal(view, meta))

    @app.action(COMMAND_ACTION)
    async def reply_button(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        user = body["user"]["id"]
        channel, _ = _where(body)
        text = str(action["value"])

        async def run() -> None:
            await run_command(deps, client, context, user, channel, text, respond)

        await deps.now_or_after_ack(fans_out(text), run, "a reply button")

    @app.action(re.compile(HOME_ACTION_PATTERN))
    async def home_control(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        user = body["user"]["id"]
        channel = str(action["value"])
        text = HOME_COMMANDS[action["action_id"]]

        async def run() -> None:
            await run_command(deps, client, context, user, channel, text, None)
            await publish_home(deps, client, context, user)

        await deps.now_or_after_ack(fans_out(text), run, "a Home control")

    @app.action(re.compile(PHASE_ACTION_PATTERN))
    async def home_phase(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        # Moving a journey is said to the whole channel and kept for good: ask first, with
        # the reason the history keeps. trigger_id expires 3 s after the click.
        await ack()
        meta = PhaseMoveMeta.load(str(action["value"]))
        if meta is None:
            return
        await client.views_open(trigger_id=body["trigger_id"], view=phase_modal(meta))


async def answer_poll(
    deps: SlackDeps,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    team: str,
    respond: AsyncRespond,
) -> None:
    """A value clicked on a pulse poll, after the ack (Bolt's listener or `PollClicks`).

    The answer is committed before Slack hears "ok" (with process_before_response the
    response leaves when this returns; a failure shows the person an error and loses
    nothing); the message is redrawn to show it after the ack.
    """
    delivery, _, value = str(action["value"]).partition(":")
    workspace = await deps.workspace_of(team)
    user = body["user"]["id"]
    outcome = await deps.answers.answer(
        workspace,
        user,
        int(delivery),
        value=int(value),
        language=deps.language_getter(client, team, user),
    )
    channel, ts = _where(body)
    if outcome.view is not None:
        await deps.updates.show(client, channel, ts, outcome.view)
    if outcome.refusal:
        deps.after_ack(
            respond(text=outcome.refusal, response_type="ephemeral", replace_original=False),
            "a refusal",
        )
    else:
        deps.metrics.answers.labels("slack", "pulse").inc()


def _team(context: AsyncBoltContext) -> str:
    """The Slack team a request came from (the org, for an org-wide install)."""
    return context.team_id or context.enterprise_id or ""


async def run_command(
    deps: SlackDeps,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    user: str,
    channel: str,
    text: str,
    respond: AsyncRespond | None,
) -> None:
    ctx = await deps.command_context(client, context, user, channel)
    name, reply = await deps.run(execute, deps.services, ctx, text)
    deps.metrics.commands.labels("slack", name).inc()
    await send_reply(reply, client, user, channel, respond)


async def publish_home(
    deps: SlackDeps, client: AsyncWebClient, context: AsyncBoltContext, user: str
) -> None:
    ctx = await deps.command_context(client, context, user, channel="")
    services = deps.services
    view = await deps.run(home, services.uow, services.clock, services.views, ctx)
    await client.views_publish(user_id=user, view=home_view(view))
