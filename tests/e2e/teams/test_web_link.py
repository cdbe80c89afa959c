"""`@Pioneer web` on Teams: the sign-in link only in the person's 1:1 chat, since a channel
shows every reply to everyone in it."""

from __future__ import annotations

from bot.container import Container
from bot.domain.model import Role
from tests.e2e.teams.conftest import BART, Teams, journey_with


def test_a_sign_in_link_is_given_only_in_the_1_1_chat(teams: Teams, container: Container) -> None:
    journey_with(teams, (BART, Role.FOLLOWER))
    container.services.web.public_url = "https://pioneer.example.org"  # type: ignore[union-attr]
    in_channel = teams.say(BART, "web")
    assert "1:1 chat" in in_channel and "/web/signin/" not in in_channel
    private = teams.say(BART, "web", channel=None, mention_bot=False)
    assert "https://pioneer.example.org/web/signin/" in private
    dutch = teams.say(BART, "webversie", channel=None, mention_bot=False, locale="nl-NL")
    assert "/web/signin/" in dutch
