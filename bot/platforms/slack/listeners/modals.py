"""Modal submissions: a check-in's answer, or a comment on a pulse poll."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.model import Language, PromptKind
from bot.platforms.slack.deps import SlackDeps
from bot.platforms.slack.listeners.actions import publish_home, run_command
from bot.platforms.slack.render.app_home import (
    PHASE_SUBMIT,
    REASON_BLOCK,
    REASON_INPUT,
    PhaseMoveMeta,
)
from bot.platforms.slack.render.prompt import (
    ANSWER_BLOCK,
    ANSWER_INPUT,
    CHECKIN_SUBMIT,
    COMMENT_SUBMIT,
    ModalMeta,
)
from prompts.messages import t


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.view(PHASE_SUBMIT)
    async def phase_move(
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        meta = PhaseMoveMeta.load(view["private_metadata"])
        if meta is None:
            await ack()
            return
        state = view["state"]["values"][REASON_BLOCK][REASON_INPUT]
        reason = " ".join(str(state.get("value") or "").split())
        if not reason:
            error = t("readiness.reason_needed", Language(meta.language))
            await ack(response_action="errors", errors={REASON_BLOCK: error})
            return
        await ack()
        user = body["user"]["id"]
        # The same use case as `/pioneer phase next|back <reason>`: the same checks and
        # refusals, the same announcement in the channel, the same history.
        await run_command(
            deps, client, context, user, meta.channel, f"phase {meta.direction} {reason}", None
        )
        await publish_home(deps, client, context, user)

    @app.view(CHECKIN_SUBMIT)
    @app.view(COMMENT_SUBMIT)
    async def submitted(
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        meta = ModalMeta.load(view["private_metadata"])
        state = view["state"]["values"][ANSWER_BLOCK][ANSWER_INPUT]
        text = state.get("value") or ""
        workspace = await deps.workspace_id(context)
        # Recorded before the ack on purpose: a refusal (closed, too long) must be shown in
        # the still-open modal, and only the ack can carry it there. It takes milliseconds.
        user = body["user"]["id"]
        outcome = await deps.answers.answer(
            workspace,
            user,
            meta.delivery_id,
            text=text,
            language=deps.language_getter(client, context.team_id, user),
        )
        if outcome.refusal:
            await ack(response_action="errors", errors={ANSWER_BLOCK: outcome.refusal})
            return
        await ack()
        kind = outcome.view.kind if outcome.view else PromptKind.CHECKIN
        deps.metrics.answers.labels("slack", kind.value).inc()
        if outcome.view is not None and meta.channel and meta.ts:
            await deps.updates.show(client, meta.channel, meta.ts, outcome.view)
