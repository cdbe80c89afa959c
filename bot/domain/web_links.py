"""The web view's one-time sign-in links and sessions, kept as SHA-256 hashes only: a
copy of the database opens no session."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=8)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def csrf_token(session_secret: str) -> str:
    """Bound to the session: a page of another site cannot know it, nor read it."""
    return hmac.new(session_secret.encode(), b"pioneer-csrf", hashlib.sha256).hexdigest()


def csrf_matches(session_secret: str, presented: str) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_token(session_secret), presented)


@dataclass(frozen=True)
class WebLink:
    """A one-time sign-in link, sent in chat; only its hash is kept."""

    workspace_id: int
    user: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class WebSession:
    """A signed-in browser: who, in which workspace, until when."""

    workspace_id: int
    user: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    id: int | None = None
