"""A poll for Bart in his 1:1 chat, about to go out through Teams' ChatPort: what the
sending and the resending tests start from."""

from __future__ import annotations

from dataclasses import dataclass

from bot.container import Container
from bot.domain.model import Member
from bot.domain.views import PromptView
from bot.platforms.teams.chat import TeamsChat
from bot.scheduling.sender import Outcome, Sender
from tests.e2e.teams.conftest import BART, Teams, chat, deliver, joined
from tests.fakes.bot_connector import FakeConnector


def bart_in_private(teams: Teams, container: Container) -> tuple[int, int, Member, str]:
    """A journey with Bart, who wrote to the bot 1:1 once: (workspace, journey, Bart, chat)."""
    workspace_id, journey_id, bart = joined(teams, container, BART)
    return workspace_id, journey_id, bart, teams.hello_in_private(BART)


def prompt_for(container: Container, member: Member, n: int = 49) -> tuple[PromptView, str]:
    """A poll recorded for `member` in week `n`, not sent yet: (its view, its send key)."""
    delivery = deliver(container, member, occurrence=f"2026-W{n}")
    assert delivery.id is not None
    view = container.prompt_views.view_for(member.workspace_id, delivery.id)
    assert view is not None
    return view, f"delivery:{delivery.id}"


@dataclass
class Asked:
    """A poll for Bart, about to go to his 1:1 chat (`personal`) through Teams' ChatPort."""

    workspace_id: int
    bart: Member
    personal: str
    port: TeamsChat
    view: PromptView
    key: str

    def send_prompt(self) -> str:
        """One attempt by the chat itself, as a platform adapter makes it."""
        return self.port.send_prompt(self.bart, self.view, self.key)

    def send(self, sender: Sender, maybe_sent: bool = False) -> Outcome:
        """Through the scheduler's Sender: paced, retried."""
        return sender.send(self.port, self.bart, self.view, self.key, maybe_sent=maybe_sent)


def ask_bart(teams: Teams, container: Container, connector: FakeConnector) -> Asked:
    """Bart in his 1:1 chat and a poll for him; the connector's record cleared."""
    workspace_id, _, bart, personal = bart_in_private(teams, container)
    view, key = prompt_for(container, bart)
    connector.clear()
    return Asked(workspace_id, bart, personal, chat(container, workspace_id), view, key)
