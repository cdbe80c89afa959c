"""Chat ports: how the scheduler and the use cases reach people. Each chat platform
implements them at the edge; `bot.domain.ports` re-exports them beside the storage ports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.domain.model import Member
from bot.domain.team_update import TeamUpdateView
from bot.domain.views import Notice, PromptView

if TYPE_CHECKING:
    from bot.domain.digest.view import DigestView


# -- reaching people: each chat platform implements these at the edge ------------------------
class ChatPort(Protocol):
    """How the scheduler and services reach people; each platform implements it at the edge."""

    def send_prompt(self, member: Member, view: PromptView, idempotency_key: str) -> str:
        """Deliver `view` to `member` by direct message; return a reference to the message.
        `idempotency_key` is stable for the delivery, so a retry after an unclear failure
        can find the message already sent instead of posting a second one."""
        ...

    def post_notice(self, channel: str, notice: Notice) -> str: ...


class DigestPublished(Protocol):
    def __call__(self, workspace_id: int, view: DigestView) -> None: ...


@runtime_checkable
class FindsSent(Protocol):
    def find_sent(self, member: Member, idempotency_key: str) -> str | None:
        """A message with this key that already went out (its reference), if any."""


@runtime_checkable
class OpensDms(Protocol):
    """A platform whose direct messages go to a channel it opens per person (Slack): the
    channel of a sent message's reference is kept as the member's `dm_channel`, so later
    sends, also after a restart, need not open it again."""

    def dm_channel(self, member: Member) -> str: ...


@runtime_checkable
class DigestSender(Protocol):
    """What delivers a digest (Block Kit + chart on Slack) and the fortnight's team update."""

    def send_digest(
        self, member_or_channel: Member | str, view: DigestView, chart_png: bytes
    ) -> str:
        """Post `view` (in `view.language`) with the chart to a member's DM or a channel."""
        ...

    def send_team_update(self, member: Member, view: TeamUpdateView) -> str:
        """The fortnight's team update (in `view.language`) to a member's DM."""
        ...
