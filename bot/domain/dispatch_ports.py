"""Ports of sending: who may plan and send (the dispatch lock and a workspace's send
lease), and sending a prompt now. The scheduler implements them over the database."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from bot.domain.model import Perspective, PromptKind


class SendLease(Protocol):
    """One workspace's sending, held by this process until it lets go or stops renewing."""

    def renew(self) -> bool: ...  # still ours; False once another process took it over


class DispatchLock(Protocol):
    """Who plans and who sends. `with lock.pass_() as got:` plans one dispatcher pass (records
    what fell due) if `got`; `with lock.sending() as may:` says whether this process may send
    at all; `with lock.workspace(id) as lease:` sends one workspace's messages if `lease` is
    not None (one sender per workspace, so its pacing holds). `shared`: several processes
    may send at once. Where the database cannot share (SQLite), `hold_process_lock` makes
    this process its one scheduler, or raises SchedulerLocked."""

    @property
    def shared(self) -> bool: ...
    def pass_(self, wait: bool = True) -> AbstractContextManager[bool]: ...
    def sending(self) -> AbstractContextManager[bool]: ...
    def workspace(self, workspace_id: int) -> AbstractContextManager[SendLease | None]: ...
    def hold_process_lock(self) -> None: ...
    def release_process_lock(self) -> None: ...


class Dispatch(Protocol):
    """Sending a prompt to a journey's audience now (a facilitator's "poll now")."""

    # Record and send one prompt to the current phase's audience; how many were asked.
    def send_now(
        self,
        workspace_id: int,
        journey_id: int,
        actor: str,
        kind: PromptKind,
        perspective: Perspective | None = None,
        admin: bool = False,  # the actor is a workspace admin, who may act as facilitator
    ) -> int: ...
