"""Bolt listeners; each module has `register(app, deps)`. They ack, translate, call services."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.platforms.slack.deps import SlackDeps
from bot.platforms.slack.listeners import actions, did, events, modals, slash_command


def register_all(app: AsyncApp, deps: SlackDeps) -> None:
    for module in (slash_command, actions, modals, did, events):
        module.register(app, deps)
