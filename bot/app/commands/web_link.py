"""`/pioneer web`: a one-time link to the web view, said only to the person asking."""

from __future__ import annotations

from bot.app.commands.context import Env, Reply
from bot.app.commands.words import Web
from bot.app.web_signin import WebNotConfigured
from bot.domain import errors
from bot.domain.web_links import LINK_LIFETIME


def run_web(env: Env, _: Web) -> Reply:
    # The web shows a person their journeys; someone in none has nothing to see there.
    if not env.my_journeys():
        raise errors.NotAMember()
    if not env.ctx.private:
        # A sign-in link is a key: never said where others read along.
        return env.reply("web.private_only")
    signin = env.services.web
    if signin is None:
        raise WebNotConfigured()
    url = signin.link(env.ctx.workspace_id, env.ctx.user)
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    return env.reply("web.link", url=url, minutes=minutes)
