"""Bolt listeners; each module has `register(app, deps)`. They ack, translate, call services."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.platforms.slack.app import SlackDeps
from bot.platforms.slack.listeners import actions, events, slash_command, views


def register_all(app: AsyncApp, deps: SlackDeps) -> None:
    for module in (slash_command, actions, views, events):
        module.register(app, deps)
