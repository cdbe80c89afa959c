"""SlackChat: the domain's ChatPort over slack_sdk's (synchronous) WebClient.

It does one attempt per call and says what went wrong with the domain's exceptions; the
scheduler decides about pacing and retries. slack_sdk's own retry handlers are switched
off so that a retry never happens behind the scheduler's back.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import threading
import urllib.error
from collections.abc import Callable
from typing import Any, TypeVar

import aiohttp
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.digest.view import DigestView
from bot.domain.errors import DeliveryFailed, RateLimited, TemporaryFailure, Unreachable
from bot.domain.model import Member
from bot.domain.team_update import TeamUpdateView
from bot.domain.views import Notice, PromptView, message_ref, parse_ref
from bot.platforms.slack.pooled import PooledWebClient
from bot.platforms.slack.render.did import team_update_message
from bot.platforms.slack.render.digest import chart_title, digest_message
from bot.platforms.slack.render.prompt import prompt_message
from bot.platforms.slack.render.reply import notice_message

logger = logging.getLogger(__name__)

METADATA_EVENT = "pioneer_delivery"
# Errors after which trying again will not help: the person or channel cannot be reached.
UNREACHABLE = frozenset(
    {
        "user_not_found",
        "account_inactive",
        "channel_not_found",
        "not_in_channel",
        "cannot_dm_bot",
        "user_disabled",
        "is_archived",
        "users_not_found",
        "user_not_visible",
        "restricted_action",
    }
)
HISTORY_LOOKBACK = 50

T = TypeVar("T")


class SlackChat:
    """One workspace's bot: DMs prompts, posts notices, finds what it already sent."""

    def __init__(self, client: WebClient | PooledWebClient) -> None:
        self.client = client
        self._dm_channels: dict[str, str] = {}
        self._opening: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    @classmethod
    def connect(cls, token: str, api_url: str, timeout: int = 10) -> SlackChat:
        """Over the process's shared keep-alive HTTP session (see `pooled`)."""
        return cls(PooledWebClient(token, api_url, timeout))

    # -- the ChatPort ------------------------------------------------------------------------
    def send_prompt(self, member: Member, view: PromptView, idempotency_key: str) -> str:
        text, blocks = prompt_message(view)

        def post(channel: str) -> Any:
            return self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"key": idempotency_key}},
            )

        response = self._to_dm(member, post)
        return message_ref(str(response["channel"]), str(response["ts"]))

    def _to_dm(self, member: Member, post: Callable[[str], Any]) -> Any:
        """`post` to the member's DM channel; a remembered channel Slack no longer knows
        (channel_not_found: nothing was posted) is opened again, once."""
        known = self._known_dm(member)
        try:
            return self._call(lambda: post(known or self.dm_channel(member)))
        except Unreachable as exc:
            if not known or str(exc) != "channel_not_found":
                raise
        channel = self._open_dm(member, stale=known)
        return self._call(lambda: post(channel))

    def post_notice(self, channel: str, notice: Notice) -> str:
        response = self._call(
            lambda: self.client.chat_postMessage(
                channel=channel, unfurl_links=False, **notice_message(notice)
            )
        )
        return message_ref(str(response["channel"]), str(response["ts"]))

    def send_digest(
        self, member_or_channel: Member | str, view: DigestView, chart_png: bytes
    ) -> str:
        """The weekly digest as Block Kit, its chart uploaded to the same conversation.

        The upload is files.getUploadURLExternal + a POST of the bytes +
        files.completeUploadExternal (slack_sdk's files_upload_v2).
        """
        channel = (
            member_or_channel
            if isinstance(member_or_channel, str)
            else self.dm_channel(member_or_channel)
        )
        message = digest_message(view)
        response = self._call(lambda: self.client.chat_postMessage(channel=channel, **message))
        if chart_png:
            try:
                self._call(
                    lambda: self.client.files_upload_v2(
                        channel=channel,
                        content=chart_png,
                        filename=f"pioneer-digest-{view.iso_week}.png",
                        title=chart_title(view),
                        alt_txt=chart_title(view),
                    )
                )
            except DeliveryFailed as exc:
                # The digest itself is delivered (its figures are all in the message); sending
                # it again for the sake of its chart would repeat it. The chart is left out.
                logger.warning("digest %s: chart not uploaded: %s", view.iso_week, exc)
        return message_ref(str(response["channel"]), str(response["ts"]))

    def send_team_update(self, member: Member, view: TeamUpdateView) -> str:
        """The fortnight's team update, by direct message."""
        message = team_update_message(view)
        response = self._to_dm(
            member, lambda channel: self.client.chat_postMessage(channel=channel, **message)
        )
        return message_ref(str(response["channel"]), str(response["ts"]))

    # -- helpers the scheduler can use ---------------------------------------------------------
    def dm_channel(self, member: Member) -> str:
        """The DM channel with `member`: as remembered (by this process, or stored with the
        member), else opened once (conversations.open is Tier 3)."""
        return self._known_dm(member) or self._open_dm(member)

    def _known_dm(self, member: Member) -> str | None:
        with self._lock:
            return self._dm_channels.get(member.user) or member.dm_channel

    def _open_dm(self, member: Member, stale: str | None = None) -> str:
        """One conversations.open per person however many threads send to them at once."""
        with self._lock:
            opening = self._opening.setdefault(member.user, threading.Lock())
        with opening:
            with self._lock:
                cached = self._dm_channels.get(member.user)
            if cached and cached != stale:
                return cached
            response = self._call(lambda: self.client.conversations_open(users=member.user))
            channel = str(response["channel"]["id"])
            with self._lock:
                self._dm_channels[member.user] = channel
            return channel

    def find_sent(self, member: Member, idempotency_key: str) -> str | None:
        """The ref of a message already sent for this key, e.g. after a reset mid-post."""
        channel = self.dm_channel(member)
        response = self._call(
            lambda: self.client.conversations_history(
                channel=channel, include_all_metadata=True, limit=HISTORY_LOOKBACK
            )
        )
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT
                and payload.get("key") == idempotency_key
            ):
                return message_ref(channel, str(message["ts"]))
        return None

    def update_prompt(self, ref: str, view: PromptView) -> None:
        """Show a prompt as it stands now (answered, or closed)."""
        channel, ts = parse_ref(ref)
        text, blocks = prompt_message(view)
        self._call(
            lambda: self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        )

    # -- error mapping ---------------------------------------------------------------------------
    @staticmethod
    def _call(fn: Callable[[], T]) -> T:
        try:
            return fn()
        except SlackApiError as exc:
            raise _translate(exc) from exc
        except (
            urllib.error.URLError,
            http.client.HTTPException,
            ConnectionError,
            TimeoutError,
            aiohttp.ClientError,
        ) as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc


def _translate(exc: SlackApiError) -> DeliveryFailed:
    response: Any = exc.response
    status = int(getattr(response, "status_code", 0) or 0)
    headers = getattr(response, "headers", {}) or {}
    error = ""
    with contextlib.suppress(AttributeError, TypeError):
        error = str(response.get("error") or "")
    if status == 429 or error == "ratelimited":
        retry_after = _header(headers, "Retry-After")
        try:
            seconds = float(retry_after) if retry_after is not None else 1.0
        except ValueError:
            seconds = 1.0
        return RateLimited(retry_after=seconds)
    if status >= 500 or error in ("internal_error", "fatal_error", "service_unavailable"):
        return TemporaryFailure(f"HTTP {status} {error}".strip())
    if error in UNREACHABLE:
        return Unreachable(error)
    return DeliveryFailed(error or f"HTTP {status}")


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers).items():
        if key.lower() == name.lower():
            return str(value[0] if isinstance(value, list) else value)
    return None


class SlackChats:
    """One SlackChat per workspace, kept so each one's DM cache lives as long as the process.

    `token_for` maps a Slack team id to its bot token (one fixed token in single-workspace
    mode, the installation store in OAuth mode); `team_for` maps our workspace id to the team.
    """

    def __init__(
        self,
        token_for: Callable[[str], str | None],
        api_url: str,
        team_for: Callable[[int], str | None] | None = None,
    ) -> None:
        self._token_for = token_for
        self._team_for = team_for
        self._api_url = api_url
        self._chats: dict[str, SlackChat] = {}
        self._lock = threading.Lock()

    def for_team(self, team_id: str) -> SlackChat:
        token = self._token_for(team_id)
        if not token:
            raise Unreachable(f"no Slack installation for {team_id}")
        with self._lock:
            chat = self._chats.get(team_id)
            if chat is None or chat.client.token != token:
                chat = SlackChat.connect(token, self._api_url)
                self._chats[team_id] = chat
            return chat

    def for_workspace(self, workspace_id: int) -> SlackChat:
        """The ChatPort for one of our workspaces (a Slack team)."""
        team = self._team_for(workspace_id) if self._team_for else None
        if not team:
            raise Unreachable(f"workspace {workspace_id} is not a Slack workspace")
        return self.for_team(team)
