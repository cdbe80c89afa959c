"""Asking the team now (a facilitator's poll or check-in) and previewing the digest."""

from __future__ import annotations

from bot.app.commands.context import Env, Reply
from bot.app.commands.words import CheckinNow, DigestPreview, PollNow
from bot.domain.journeys import DIGEST_READERS, FACILITATORS, require_role
from bot.domain.model import Perspective, PromptKind, Role
from bot.domain.rituals import NothingToSend
from bot.rendering.markdown import render_summary
from bot.rendering.steward_text import steward_summary

# What a chat reply holds (a Slack section: 3,000 characters), less room for the seams.
SUMMARY_LIMIT = 2900


def run_poll(env: Env, command: PollNow) -> Reply:
    return _send_now(env, PromptKind.PULSE, command.perspective)


def run_checkin(env: Env, _: CheckinNow) -> Reply:
    return _send_now(env, PromptKind.CHECKIN, None)


def _send_now(env: Env, kind: PromptKind, perspective: Perspective | None) -> Reply:
    env.need_journey()
    admin = env.admin()
    action = "poll" if kind is PromptKind.PULSE else "checkin"
    require_role(env.member, FACILITATORS, action, admin)
    sent = env.services.dispatch.send_now(
        env.ctx.workspace_id, env.journey_id, env.ctx.user, kind, perspective, admin=admin
    )
    if sent == 0:
        raise NothingToSend()  # everyone away, or nobody in the audience yet
    return env.reply(f"cmd.sent.{kind.value}", count=sent)


def run_digest(env: Env, _: DigestPreview) -> Reply:
    env.need_journey()
    require_role(env.member, DIGEST_READERS, "digest", env.admin(DIGEST_READERS))
    view = env.services.digests.preview(env.ctx.workspace_id, env.journey_id)
    if env.member is not None and env.member.has(Role.LEARNING):
        # Their own week first, as on Monday; the board's summary after it, within the
        # one message a chat reply is.
        mine = steward_summary(view, env.language)
        rest = render_summary(view, env.language, limit=max(600, SUMMARY_LIMIT - len(mine)))
        return Reply(text=f"{mine}\n\n{rest}", language=env.language)
    return Reply(text=render_summary(view, env.language), language=env.language)
