"""The App Home tab: a member's journeys, roles and open prompts; facilitators' controls
and readiness card, and the modal that asks a reason before the phase moves."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.app.commands import escape
from bot.app.home import Home
from bot.domain.digest.phase_readiness import ReadinessCard
from bot.domain.journeys import MAX_REASON_LENGTH
from bot.domain.model import Language, Phase
from bot.platforms.slack.render.blocks import Block, button, clip, context, mrkdwn, plain
from bot.rendering.readiness_text import blocks_of_text
from prompts.messages import t

# Buttons that run their command at once; moving the phase asks first (PHASE_ACTION_PATTERN).
HOME_ACTION_PATTERN = r"^pioneer\.home\.(poll_now|checkin_now)$"
PHASE_ACTION_PATTERN = r"^pioneer\.home\.phase_(next|back)$"
PHASE_SUBMIT = "pioneer.phase_move"
REASON_BLOCK = "reason"
REASON_INPUT = "reason"


@dataclass(frozen=True)
class PhaseMoveMeta:
    """What the modal carries from the button to its submission."""

    channel: str
    direction: str  # next | back
    name: str = ""  # the journey's name, escaped
    phase: str = ""
    target: str = ""
    language: str = "en"

    def dump(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def load(cls, text: str) -> PhaseMoveMeta | None:
        """The meta of a button or modal; None when it is not one of ours (a stale or
        forged value), which is then ignored."""
        try:
            data = json.loads(text)
            meta = cls(**{k: str(v) for k, v in data.items() if k in cls.__dataclass_fields__})
            Language(meta.language)
            phases = {p.value for p in Phase}
        except (TypeError, ValueError):
            return None
        if meta.direction not in ("next", "back") or not {meta.phase, meta.target} <= phases:
            return None
        return meta


def _phase_buttons(card: ReadinessCard, lang: Language) -> list[Block]:
    out = []
    for direction, possible in (("next", card.can_go_next), ("back", card.can_go_back)):
        if not possible:
            continue
        target = card.phase.next() if direction == "next" else card.phase.previous()
        meta = PhaseMoveMeta(
            card.channel,
            direction,
            clip(card.journey_name, 150),
            card.phase.value,
            target.value if target else "",
            lang.value,
        )
        label = t(f"readiness.button.{direction}", lang)
        out.append(button(label, f"pioneer.home.phase_{direction}", meta.dump()))
    return out


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
            card = journey.readiness
            if card is not None:
                blocks += [mrkdwn(part) for part in blocks_of_text(card, lang, commands=False)]
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"pioneer.home.{journey.journey_id}",
                    "elements": [
                        *(_phase_buttons(card, lang) if card is not None else []),
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


def phase_modal(meta: PhaseMoveMeta) -> Block:
    """Confirm a phase move, with the reason the journey's history keeps (required)."""
    lang = Language(meta.language)
    ask = t(
        f"readiness.modal.ask.{meta.direction}",
        lang,
        name=meta.name,
        phase=t(f"phase.{meta.phase}", lang),
        target=t(f"phase.{meta.target}", lang),
    )
    return {
        "type": "modal",
        "callback_id": PHASE_SUBMIT,
        "private_metadata": meta.dump(),
        "title": plain(t(f"readiness.modal.title.{meta.direction}", lang), 24),
        "submit": plain(t("readiness.modal.confirm", lang), 24),
        "close": plain(t("readiness.modal.cancel", lang), 24),
        "blocks": [
            mrkdwn(ask),
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": plain(t("readiness.modal.reason", lang), 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON_INPUT,
                    "multiline": True,
                    "min_length": 1,
                    "max_length": MAX_REASON_LENGTH,
                    "placeholder": plain(t("readiness.modal.reason_hint", lang), 150),
                },
            },
        ],
    }
