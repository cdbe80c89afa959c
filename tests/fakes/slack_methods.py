"""What the fake Slack Web API (tests/fakes/slack_api.py) answers, method by method, and the
workspace it keeps: people, DM channels and their messages, uploaded files, OAuth tokens.

It answers ``auth.test``, ``chat.postMessage`` (keeps ``metadata``), ``chat.update``,
``chat.postEphemeral``, ``conversations.open`` (DM id ``D<user>``),
``conversations.history`` (newest first; ``metadata`` only with ``include_all_metadata``),
``views.open``, ``views.update``, ``views.publish``, ``users.info`` (``tz``, ``locale``,
``is_admin``, ``is_owner``; see `set_user`), ``files.getUploadURLExternal`` +
``POST /upload/<file_id>`` +
``files.completeUploadExternal``, ``oauth.v2.access``. Any other ``/api/<method>`` answers
``{"ok": true}``, as does any other path (a ``response_url``).

`unreachable(user, error)` makes ``conversations.open`` for that user fail with ``error``
(``user_not_found``, ``cannot_dm_bot``...) until further notice; `close_channel(channel)`
makes posts to that channel fail with ``channel_not_found``.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    path: str
    body: bytes = b""

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        token = self.args.get("token")
        return str(token) if token else None


@dataclass
class User:
    id: str
    name: str
    tz: str = "Europe/Amsterdam"
    locale: str = "en-US"
    deleted: bool = False
    is_bot: bool = False
    is_admin: bool = False
    is_owner: bool = False


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[Any] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    user: str = ""

    def as_json(self, with_metadata: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": "message",
            "ts": self.ts,
            "text": self.text,
            "blocks": self.blocks,
            "user": self.user,
            "bot_id": "B0001",
        }
        if with_metadata and self.metadata:
            data["metadata"] = self.metadata
        return data


class SlackMethods:
    """Slack's normal behaviour; FakeSlack serves it over HTTP and can script failures first."""

    def __init__(self, team_id: str, team_name: str, bot_user_id: str) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        # One lock for everything the fake keeps; the server's thread per request shares it.
        self._lock = threading.Lock()
        self._users: dict[str, User] = {}
        self._unreachable: dict[str, str] = {}
        self._closed: set[str] = set()
        self._messages: dict[str, list[Message]] = {}
        self._uploads: dict[str, dict[str, Any]] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self.tokens: dict[str, str] = {}  # token -> team id, for multi-workspace auth.test

    @property
    def url(self) -> str:
        """Where the fake is served (upload URLs point there)."""
        raise NotImplementedError

    # -- the workspace, for tests ------------------------------------------------------------
    def set_user(self, user_id: str, **attrs: Any) -> User:
        with self._lock:
            user = self._users.get(user_id) or User(id=user_id, name=user_id.lower())
            for key, value in attrs.items():
                setattr(user, key, value)
            self._users[user_id] = user
            return user

    def unreachable(self, user_id: str, error: str = "user_not_found") -> None:
        with self._lock:
            self._unreachable[user_id] = error

    def close_channel(self, channel: str) -> None:
        with self._lock:
            self._closed.add(channel)

    def messages(self, channel: str) -> list[Message]:
        with self._lock:
            return list(self._messages.get(channel, []))

    def upload(self, file_id: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._uploads[file_id])

    # -- normal behaviour ------------------------------------------------------------------
    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def _user(self, user_id: str) -> User:
        with self._lock:
            return self._users.get(user_id) or User(id=user_id, name=user_id.lower())

    def _answer(self, call: Call) -> dict[str, Any]:  # noqa: C901 (one branch per method)
        a = call.args
        m = call.method
        if m == "auth.test":
            team = self.tokens.get(call.token or "", self.team_id)
            return {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": self.team_name,
                "team_id": team,
                "user": "pioneer",
                "user_id": self.bot_user_id,
                "bot_id": "B0001",
                "is_enterprise_install": False,
            }
        if m in ("chat.postMessage", "chat.postEphemeral"):
            channel = str(a.get("channel", ""))
            with self._lock:
                closed = channel in self._closed
            if not channel or closed:
                return {"ok": False, "error": "channel_not_found"}
            msg = Message(
                channel=channel,
                ts=self._next_ts(),
                text=str(a.get("text", "")),
                blocks=list(a.get("blocks") or []),
                metadata=a.get("metadata") if isinstance(a.get("metadata"), dict) else None,
                user=self.bot_user_id,
            )
            if m == "chat.postMessage":
                with self._lock:
                    self._messages.setdefault(channel, []).append(msg)
                return {"ok": True, "channel": channel, "ts": msg.ts, "message": msg.as_json(True)}
            return {"ok": True, "message_ts": msg.ts}
        if m == "chat.update":
            channel, ts = str(a.get("channel", "")), str(a.get("ts", ""))
            with self._lock:
                for msg in self._messages.get(channel, []):
                    if msg.ts == ts:
                        msg.text = str(a.get("text", msg.text))
                        msg.blocks = list(a.get("blocks") or [])
            return {"ok": True, "channel": channel, "ts": ts}
        if m == "conversations.open":
            user_id = str(a.get("users", "")).split(",")[0]
            with self._lock:
                error = self._unreachable.get(user_id)
            if error:
                return {"ok": False, "error": error}
            return {"ok": True, "channel": {"id": f"D{user_id}"}}
        if m == "conversations.history":
            channel = str(a.get("channel", ""))
            with_meta = str(a.get("include_all_metadata", "")).lower() in ("1", "true")
            limit = int(a.get("limit") or 100)
            msgs = list(reversed(self.messages(channel)))[:limit]
            return {
                "ok": True,
                "messages": [msg.as_json(with_meta) for msg in msgs],
                "has_more": False,
            }
        if m in ("views.open", "views.update", "views.publish", "views.push"):
            view = a.get("view") or {}
            return {"ok": True, "view": {"id": f"V{next(self._ids)}", **view}}
        if m == "users.info":
            user = self._user(str(a.get("user", "")))
            return {
                "ok": True,
                "user": {
                    "id": user.id,
                    "name": user.name,
                    "real_name": user.name.title(),
                    "deleted": user.deleted,
                    "is_bot": user.is_bot,
                    "is_admin": user.is_admin,
                    "is_owner": user.is_owner,
                    "tz": user.tz,
                    "locale": user.locale,
                    "profile": {"display_name": user.name, "real_name": user.name.title()},
                },
            }
        if m == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids):05d}"
            with self._lock:
                self._uploads[file_id] = {"filename": a.get("filename"), "content": b""}
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if m == "upload":
            file_id = call.path.rsplit("/", 1)[-1]
            with self._lock:
                self._uploads.setdefault(file_id, {})["content"] = call.body
            return {"ok": True}
        if m == "files.completeUploadExternal":
            files = a.get("files") or []
            with self._lock:
                for f in files:
                    self._uploads.setdefault(f["id"], {}).update(
                        title=f.get("title"),
                        channel=a.get("channel_id"),
                        initial_comment=a.get("initial_comment"),
                    )
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if m == "oauth.v2.access":
            code = str(a.get("code", ""))
            team = code.split(":", 1)[1] if ":" in code else self.team_id
            token = f"xoxb-{team}-{next(self._ids)}"
            self.tokens[token] = team
            return {
                "ok": True,
                "app_id": "A0001",
                "authed_user": {"id": "UINSTALLER"},
                "scope": "commands,chat:write,im:write,im:history,users:read",
                "token_type": "bot",
                "access_token": token,
                "bot_user_id": self.bot_user_id,
                "team": {"id": team, "name": self.team_name},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        return {"ok": True}
