"""Slack OAuth: installations in our database (tokens encrypted) and a stateless state store."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.crypto import TokenCipher
from bot.domain.ports import UnitOfWorkFactory
from bot.domain.records import PlatformInstallation

logger = logging.getLogger(__name__)

SECRET_FIELDS = (
    "bot_token",
    "bot_refresh_token",
    "user_token",
    "user_refresh_token",
    "incoming_webhook_url",
)


class TokensSealed(RuntimeError):
    """Stored tokens that the current encryption key cannot open."""


def installation_key(enterprise_id: str | None, team_id: str | None) -> str:
    return f"{enterprise_id or ''}:{team_id or ''}"


class SqlInstallationStore(InstallationStore):
    """One row per workspace (or org-wide install); a reinstall replaces it.

    Only the bot token is used; installer user tokens are kept if Slack sends them, but the
    manifest asks for no user scopes.
    """

    def __init__(self, uow: UnitOfWorkFactory, cipher: TokenCipher) -> None:
        self._uow = uow
        self._cipher = cipher

    @property
    def logger(self) -> logging.Logger:
        return logger

    def save(self, installation: Installation) -> None:
        data = {
            # Installation takes ISO strings back for its timestamps.
            k: v.isoformat() if isinstance(v, datetime) else v
            for k, v in installation.to_dict_for_copying().items()
            if k != "custom_values"
        }
        secret = {k: data.pop(k, None) for k in SECRET_FIELDS}
        key = installation_key(installation.enterprise_id, installation.team_id)
        external = installation.team_id or installation.enterprise_id or ""
        with self._uow() as uow:
            workspace = uow.workspaces.get_or_create(
                "slack", external, installation.team_name or installation.enterprise_name or ""
            )
            assert workspace.id is not None
            uow.installations.save(
                PlatformInstallation(
                    key=key,
                    workspace_id=workspace.id,
                    data=data,
                    sealed=self._cipher.encrypt(json.dumps(secret)),
                    installed_at=datetime.fromtimestamp(installation.installed_at, tz=UTC),
                )
            )
            uow.commit()

    def save_bot(self, bot: Bot) -> None:
        # The installation row already holds the bot; `save` is always called first.
        pass

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        key = installation_key(enterprise_id, None if is_enterprise_install else team_id)
        with self._uow() as uow:
            found = uow.installations.find(key)
        if found is None:
            return None
        data: dict[str, Any] = dict(found.data)
        data.update(json.loads(self._cipher.decrypt(found.sealed)))
        return Installation(**data)

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        installation = self.find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return installation.to_bot() if installation and installation.bot_token else None

    def check_tokens(self, limit: int = 20) -> str:
        """Whether the newest stored tokens open with the current key (raises if not):
        with a changed PIONEER_ENCRYPTION_KEY every request of those workspaces fails."""
        with self._uow() as uow:
            stored = uow.installations.newest(limit)
        closed = 0
        for installation in stored:
            try:
                self._cipher.decrypt(installation.sealed)
            except ValueError:
                closed += 1
        if closed:
            raise TokensSealed(
                f"{closed} of the {len(stored)} newest stored tokens cannot be decrypted "
                "with PIONEER_ENCRYPTION_KEY (was the key changed?)"
            )
        return f"{len(stored)} decrypt" if stored else "none stored"

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        with self._uow() as uow:
            uow.installations.delete(
                [installation_key(enterprise_id, team_id), installation_key(None, team_id)]
            )
            uow.commit()

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.delete_all(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:
            self.delete_all(enterprise_id=enterprise_id, team_id=team_id)


class AsyncSqlInstallationStore(AsyncInstallationStore):
    """The same store for Bolt's AsyncApp: the database work runs in a worker thread."""

    def __init__(self, store: SqlInstallationStore) -> None:
        self.sync = store

    @property
    def logger(self) -> logging.Logger:
        return logger

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.sync.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        pass

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        return await asyncio.to_thread(
            self.sync.find_bot,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            self.sync.find_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self.sync.delete_bot, enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            self.sync.delete_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
        )

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self.sync.delete_all, enterprise_id=enterprise_id, team_id=team_id)


class SignedStateStore(AsyncOAuthStateStore):
    """OAuth `state` as a signed, expiring nonce: no table, works across replicas.

    Bolt also binds the state to the installing browser with a cookie, which is what stops
    a state from being used by someone else.
    """

    def __init__(self, secret: str, expiration_seconds: int = 600) -> None:
        self._secret = secret.encode()
        self._expiration = expiration_seconds

    @property
    def logger(self) -> logging.Logger:
        return logger

    def _sign(self, payload: str) -> str:
        return hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest()[:32]

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        payload = f"{int(time.time())}.{secrets.token_urlsafe(12)}"
        return f"{payload}.{self._sign(payload)}"

    async def async_consume(self, state: str) -> bool:
        payload, _, signature = state.rpartition(".")
        if not payload or not hmac.compare_digest(signature, self._sign(payload)):
            return False
        issued = payload.split(".", 1)[0]
        return issued.isdigit() and time.time() - int(issued) <= self._expiration
