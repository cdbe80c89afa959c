"""The App Home tab: a member's journeys, roles and open prompts; facilitators' controls."""

from __future__ import annotations

from bot.app.commands import escape
from bot.app.home import Home
from bot.platforms.slack.render.blocks import Block, button, context, mrkdwn, plain
from prompts.messages import t

HOME_ACTION_PATTERN = r"^pioneer\.home\.(phase_next|poll_now|checkin_now)$"


def home_view(home: Home) -> Block:
    lang = home.language
    blocks: list[Block] = [
        {"type": "header", "text": plain(t("slack.home.title", lang), 150)},
    ]
    if not home.journeys:
        blocks.append(mrkdwn(t("slack.home.none", lang)))
    for journey in home.journeys:
        blocks.append({"type": "divider"})
        blocks.append(
            mrkdwn(
                t(
                    "slack.home.journey",
                    lang,
                    name=escape(journey.name),
                    channel=journey.channel,
                    weeks=journey.weeks_in_phase,
                )
                + f"\n{journey.phase_text}\n{journey.roles_text}"
            )
        )
        if journey.open_prompts:
            lines = [t("slack.home.open", lang)]
            for view in journey.open_prompts:
                done = (
                    f" {t('slack.home.answered', lang)}"
                    if view.answered_value or view.answered_text
                    else ""
                )
                lines.append(f"• {escape(view.question)}{done}")
            blocks.append(mrkdwn("\n".join(lines)))
        else:
            blocks.append(context(t("slack.home.no_open", lang)))
        if journey.facilitator:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"pioneer.home.{journey.journey_id}",
                    "elements": [
                        button(
                            t("slack.home.phase_next", lang),
                            "pioneer.home.phase_next",
                            journey.channel,
                        ),
                        button(
                            t("slack.home.poll_now", lang),
                            "pioneer.home.poll_now",
                            journey.channel,
                            "primary",
                        ),
                        button(
                            t("slack.home.checkin_now", lang),
                            "pioneer.home.checkin_now",
                            journey.channel,
                        ),
                    ],
                }
            )
    return {"type": "home", "blocks": blocks[:100]}
