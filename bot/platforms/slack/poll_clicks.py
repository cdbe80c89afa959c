"""Poll clicks straight to their listener: the one request that comes in bursts.

A pulse poll goes to a whole team at once, so its clicks are most of what the server
answers, and Bolt's dispatch was a third of each one's time: a new Web API client per
request (reading the proxy settings from the environment each time), every argument a
listener might ask for built for each middleware and listener, a walk over every listener.
For a click that can only mean one thing, `PollClicks` does what Bolt would have done
with it and calls the same code (`answer_poll`, which Bolt's listener calls too).

Only where the outcome is known to be Bolt's own; everything else still goes to Bolt:
- one workspace, one token (`SLACK_BOT_TOKEN`), and only once Bolt has authorized a request
  and so learnt the installed team (auth.test): the click must come from that team, not an
  enterprise install, and carry nothing a workflow function adds;
- a `block_actions` body with one action, a poll value, a user and a response_url.
What the request's signature, shape and replays are is checked before, at the edge.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.slack.deps import SlackDeps
from bot.platforms.slack.listeners.actions import answer_poll
from bot.platforms.slack.render.prompt import POLL_ACTION_PATTERN

logger = logging.getLogger(__name__)

_POLL_ACTION = re.compile(POLL_ACTION_PATTERN)
# What Bolt reads from a body for context that a plain click of the installed team lacks.
_NOT_PLAIN = ("enterprise", "is_enterprise_install", "function_data", "bot_access_token")


class PollClicks:
    def __init__(self, deps: SlackDeps, client: AsyncWebClient) -> None:
        """`client`: the app's Web API client (one token, one shared session)."""
        self._deps = deps
        self._client = client
        self.installed_team: str | None = None  # learnt from Bolt's authorization

    def takes(self, body: dict[str, Any]) -> bool:
        """Whether `body` is a plain poll click of the installed team."""
        if self.installed_team is None or body.get("type") != "block_actions":
            return False
        actions = body.get("actions")
        if not isinstance(actions, list) or len(actions) != 1 or not isinstance(actions[0], dict):
            return False
        action, team, user = actions[0], body.get("team"), body.get("user")
        return (
            isinstance(action.get("action_id"), str)
            and _POLL_ACTION.match(action["action_id"]) is not None
            and isinstance(action.get("value"), str)
            and isinstance(team, dict)
            and team.get("id") == self.installed_team
            and isinstance(user, dict)
            and isinstance(user.get("id"), str)
            and isinstance(body.get("response_url"), str)
            and not any(body.get(key) for key in _NOT_PLAIN)
        )

    async def handle(self, body: dict[str, Any]) -> int:
        """Answer the click; the HTTP status to send (Bolt's: 200, or 500 on an error)."""
        client = self._client
        respond = AsyncRespond(
            response_url=body["response_url"], proxy=client.proxy, ssl=client.ssl
        )
        try:
            await answer_poll(
                self._deps, body, body["actions"][0], client, str(body["team"]["id"]), respond
            )
        except Exception:
            logger.exception("a poll click failed")
            return 500
        return 200
