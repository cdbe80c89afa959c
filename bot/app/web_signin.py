"""Signing in to the web view without a password: a one-time link sent in chat.

`/pioneer web` asks for a link (`link`); following it and pressing "sign in" trades it for
a session (`redeem`), once, within LINK_LIFETIME. Only hashes of the link and the session
are stored, so a copy of the database signs nobody in.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import errors
from bot.domain.ports import Clock, UnitOfWorkFactory
from bot.domain.web_links import (
    LINK_LIFETIME,
    SESSION_LIFETIME,
    WebLink,
    WebSession,
    new_secret,
    secret_hash,
)

SIGNIN_PATH = "/web/signin/"


class WebNotConfigured(errors.DomainError):
    """No PIONEER_PUBLIC_URL: there is no address to send."""

    key = "web.not_configured"


@dataclass(frozen=True)
class Signed:
    """A new session: its secret (for the cookie, never stored) and what it is."""

    secret: str
    session: WebSession


class WebSignIn:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, public_url: str | None) -> None:
        self._uow = uow
        self._clock = clock
        self.public_url = (public_url or "").rstrip("/")

    @property
    def secure(self) -> bool:
        """Cookies go only over HTTPS when the public address is HTTPS."""
        return self.public_url.startswith("https://")

    def link(self, workspace_id: int, user: str) -> str:
        """A new one-time sign-in address for `user`; the secret in it is stored hashed."""
        if not self.public_url:
            raise WebNotConfigured()
        secret = new_secret()
        now = self._clock.now()
        with self._uow() as uow:
            uow.web_sessions.add(
                WebLink(workspace_id, user, secret_hash(secret), now, now + LINK_LIFETIME)
            )
            uow.commit()
        return f"{self.public_url}{SIGNIN_PATH}{secret}"

    def redeem(self, secret: str) -> Signed | None:
        """A session for an unused link within its ten minutes; None for any other."""
        if not secret:
            return None
        now = self._clock.now()
        with self._uow() as uow:
            link = uow.web_sessions.use_link(secret_hash(secret), now)
            if link is None:
                return None
            session_secret = new_secret()
            until = now + SESSION_LIFETIME
            session = WebSession(
                link.workspace_id, link.user, secret_hash(session_secret), now, until
            )
            uow.web_sessions.add(session)
            uow.commit()
        return Signed(session_secret, session)

    def session(self, secret: str) -> WebSession | None:
        if not secret:
            return None
        with self._uow() as uow:
            return uow.web_sessions.find_session(secret_hash(secret), self._clock.now())

    def sign_out(self, secret: str) -> None:
        with self._uow() as uow:
            uow.web_sessions.end_session(secret_hash(secret))
            uow.commit()
