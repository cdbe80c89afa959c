"""Our database behind the Agents SDK: its `Storage` for conversation references, and the
Teams people the bot has seen (ids, name, 1:1 chat, reachable or not).

Every row carries its workspace (the Teams tenant), found from the tenant id inside the
conversation reference itself, so a reference can never be filed under another tenant.
The SDK calls `Storage` from the event loop; the database work runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from microsoft_agents.hosting.core.storage import Storage, StoreItem

from bot.domain.ports import UnitOfWork, UnitOfWorkFactory
from bot.domain.records import Person

PLATFORM = "teams"
KEY_PREFIX = "proactive/conversations/"
# What went into a person's 1:1 chat, by idempotency key: the Bot Connector cannot be asked.
SENT_PREFIX = "pioneer/sent/"
SENT_KEPT = 50
MEMO_SECONDS = 600.0
MEMO_SIZE = 50_000

StoreItemT = TypeVar("StoreItemT", bound=StoreItem)


class MissingTenant(ValueError):
    """A conversation reference without a tenant cannot be filed under any workspace."""


def conversation_key(conversation_id: str) -> str:
    return f"{KEY_PREFIX}{conversation_id}"


def tenant_of(item: dict[str, Any]) -> str | None:
    reference = item.get("conversation_reference") or {}
    conversation = reference.get("conversation") or {}
    tenant = conversation.get("tenantId") or (item.get("claims") or {}).get("tid")
    return str(tenant) if tenant else None


def workspace_for_tenant(uow: UnitOfWork, tenant_id: str, name: str = "") -> int:
    workspace = uow.workspaces.get_or_create(PLATFORM, tenant_id, name)
    assert workspace.id is not None
    return workspace.id


class NullStorage(Storage):
    """Turn state the SDK insists on loading and saving: Pioneer keeps none, so none is kept."""

    async def read(
        self, keys: list[str], *, target_cls: type[StoreItemT], **kwargs: Any
    ) -> dict[str, StoreItemT]:
        return {}

    async def write(self, changes: dict[str, StoreItem]) -> None:
        return None

    async def delete(self, keys: list[str]) -> None:
        return None


class SqlConversationStorage(Storage):
    """The SDK's `Storage` for `Conversation` items, one row per conversation."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def read(
        self, keys: list[str], *, target_cls: type[StoreItemT], **kwargs: Any
    ) -> dict[str, StoreItemT]:
        if not keys:
            raise ValueError("Storage.read(): keys are required.")
        rows = await asyncio.to_thread(self._read, keys)
        found: dict[str, StoreItemT] = {}
        for key, data in rows.items():
            found[key] = cast(StoreItemT, target_cls.from_json_to_store_item(data))
        return found

    def _read(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        with self._uow() as uow:
            return dict(uow.conversations.read(keys))

    async def write(self, changes: dict[str, StoreItem]) -> None:
        if not changes:
            raise ValueError("Storage.write(): changes are required.")
        items = {key: dict(item.store_item_to_json()) for key, item in changes.items()}
        await asyncio.to_thread(self._write, items)

    def _write(self, items: dict[str, dict[str, Any]]) -> None:
        now = datetime.now(UTC)
        with self._uow() as uow:
            for key, data in items.items():
                tenant = tenant_of(data)
                if tenant is None:
                    raise MissingTenant(f"conversation reference {key!r} has no tenant id")
                workspace_id = workspace_for_tenant(uow, tenant)
                reference = data.get("conversation_reference") or {}
                service_url = str(reference.get("serviceUrl") or "")
                if not uow.conversations.save(key, workspace_id, service_url, data, now):
                    # Conversation ids are global; one claimed by another tenant is refused.
                    raise MissingTenant(f"conversation {key!r} belongs to another tenant")
            uow.commit()

    async def delete(self, keys: list[str]) -> None:
        await asyncio.to_thread(self._delete, keys)

    def _delete(self, keys: list[str]) -> None:
        with self._uow() as uow:
            uow.conversations.delete(keys)
            uow.commit()


class TeamsPerson(Person):
    """A person as Teams names their ids: the AAD object id and the 29: id."""

    __slots__ = ()

    @property
    def aad_object_id(self) -> str:
        return self.external_id

    @property
    def teams_id(self) -> str | None:
        return self.platform_id


def _teams_person(person: Person | None) -> TeamsPerson | None:
    return TeamsPerson(*person) if person is not None else None


class TeamsPeople:
    """Synchronous; async callers run these in a worker thread."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        memo_seconds: float = MEMO_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._uow = uow
        self._lock = threading.Lock()
        self._workspaces: dict[str, int] = {}
        # What was written lately, so a chatty conversation costs no writes per message.
        self._memo: OrderedDict[Hashable, float] = OrderedDict()
        self._memo_seconds = memo_seconds
        self._monotonic = monotonic

    def workspace(self, tenant_id: str, name: str = "") -> int:
        with self._lock:
            known = self._workspaces.get(tenant_id)
        if known is not None:
            return known
        with self._uow() as uow:
            workspace_id = workspace_for_tenant(uow, tenant_id, name)
            uow.commit()
        with self._lock:
            self._workspaces[tenant_id] = workspace_id
        return workspace_id

    def recently_seen(self, key: Hashable) -> bool:
        now = self._monotonic()
        with self._lock:
            at = self._memo.get(key)
            return at is not None and now - at < self._memo_seconds

    def note_seen(self, key: Hashable) -> None:
        with self._lock:
            self._memo[key] = self._monotonic()
            self._memo.move_to_end(key)
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)

    def _forget_memo(self) -> None:
        with self._lock:
            self._memo.clear()

    def seen(
        self,
        workspace_id: int,
        aad: str,
        teams_id: str | None,
        name: str,
        personal_conversation_id: str | None = None,
    ) -> None:
        """They wrote to the bot: they are reachable, and this is how to reach them."""
        with self._uow() as uow:
            uow.people.seen(
                workspace_id, aad, teams_id, name, personal_conversation_id, datetime.now(UTC)
            )
            uow.commit()

    def get(self, workspace_id: int, aad: str) -> TeamsPerson | None:
        with self._uow() as uow:
            return _teams_person(uow.people.get(workspace_id, aad))

    def by_teams_id(self, workspace_id: int, teams_id: str) -> TeamsPerson | None:
        with self._uow() as uow:
            return _teams_person(uow.people.by_platform_id(workspace_id, teams_id))

    def set_personal_conversation(self, workspace_id: int, aad: str, conversation_id: str) -> None:
        with self._uow() as uow:
            uow.people.set_personal_conversation(
                workspace_id, aad, conversation_id, datetime.now(UTC)
            )
            uow.commit()

    def mark_unreachable(self, workspace_id: int, aad: str, at: datetime) -> None:
        self._forget_memo()  # their next message must be written, to clear the mark
        with self._uow() as uow:
            uow.people.mark_unreachable(workspace_id, aad, at)
            uow.commit()

    def service_url(self, workspace_id: int) -> str | None:
        """Where this tenant's Bot Connector lives, as last seen on any of its activities."""
        with self._uow() as uow:
            return uow.conversations.latest_service_url(workspace_id)

    def tenant_of(self, workspace_id: int) -> str | None:
        with self._uow() as uow:
            workspace = uow.workspaces.get(workspace_id)
        return workspace.external_id if workspace and workspace.platform == PLATFORM else None

    def conversation_workspace(self, conversation_id: str) -> int | None:
        """The workspace a stored conversation belongs to (so no tenant posts into another's)."""
        with self._uow() as uow:
            return uow.conversations.workspace_of(conversation_key(conversation_id))

    def sent(self, conversation_id: str) -> dict[str, dict[str, Any]]:
        """The marks of what was sent into a conversation, by idempotency key."""
        with self._uow() as uow:
            found = uow.conversations.read([SENT_PREFIX + conversation_id])
        data = found.get(SENT_PREFIX + conversation_id) or {}
        return dict(data.get("sent") or {})

    def mark_sent(
        self,
        workspace_id: int,
        conversation_id: str,
        service_url: str,
        key: str,
        mark: dict[str, Any] | None,
    ) -> None:
        """Note (or, with None, forget) how sending `key` into the conversation went; only
        the latest SENT_KEPT keys are kept: older deliveries are marked in their own rows."""
        row_key = SENT_PREFIX + conversation_id
        now = datetime.now(UTC)
        with self._uow() as uow:
            data = uow.conversations.read([row_key]).get(row_key) or {}
            sent = dict(data.get("sent") or {})
            sent.pop(key, None)
            if mark is not None:
                sent[key] = mark | {"at": now.isoformat()}
            kept = dict(sorted(sent.items(), key=lambda item: item[1]["at"])[-SENT_KEPT:])
            uow.conversations.save(row_key, workspace_id, service_url, {"sent": kept}, now)
            uow.commit()

    def names(self, workspace_id: int) -> dict[str, str]:
        """Display names by AAD object id, for mentions in a reply (one query per reply)."""
        with self._uow() as uow:
            return uow.people.names(workspace_id)
