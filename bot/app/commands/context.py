"""What a platform passes in with a command (`Context`), what it gets back (`Reply`), and
the environment a subcommand runs in (`Env`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.app.services import Services
from bot.domain import errors
from bot.domain.digest.phase_readiness import ReadinessCard
from bot.domain.journeys import FACILITATORS
from bot.domain.model import ROLES, Journey, Language, Member, Role
from prompts.messages import t


def roles_text(roles: set[Role] | frozenset[Role], language: Language) -> str:
    return ", ".join(t(f"role.{r.value}", language) for r in sorted(roles, key=ROLES.index))


def escape(text: str) -> str:
    """Neutralise markup in user text: no @channel, no fake links (Slack and Teams alike)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Profile:
    """What the platform knows of a person, used only when the journey does not say."""

    language: Language | None = None
    timezone: str | None = None
    # A workspace admin or owner (Slack's users.info): may act as facilitator of any journey.
    is_admin: bool = False


def _no_profile() -> Profile:
    return Profile()


@dataclass(frozen=True)
class Context:
    platform: str
    workspace_id: int
    channel: str
    user: str
    user_name: str = ""
    # Lazily asked (a Web API call on Slack), so most commands never pay for it.
    profile: Callable[[], Profile] = _no_profile
    mention: Callable[[str], str] = lambda user: f"<@{user}>"
    channel_mention: Callable[[str], str] = lambda channel: f"<#{channel}>"
    # Whether a reply that is not public reaches only this person (Slack's ephemeral
    # replies, a 1:1 chat); a Teams channel shows every reply to everyone in it.
    private: bool = True


@dataclass(frozen=True)
class ReplyFile:
    filename: str
    title: str
    content: bytes


@dataclass(frozen=True)
class Action:
    """A button offered with a reply; pressing it runs `command` as the same person."""

    label: str
    command: str
    danger: bool = False


@dataclass(frozen=True)
class Reply:
    text: str
    language: Language
    public: bool = False  # for the whole channel, not only the caller
    file: ReplyFile | None = None
    actions: tuple[Action, ...] = ()
    # `/pioneer status` for a facilitator, director or learning professional: a platform
    # that can show more than text (a Teams card with a reason field) draws it from this.
    readiness: ReadinessCard | None = None


@dataclass
class Env:
    """Everything a runner needs: services, who asks where, and in which language to answer."""

    services: Services
    ctx: Context
    journey: Journey | None
    member: Member | None
    language: Language

    def say(self, key: str, **params: Any) -> str:
        return t(key, self.language, **params)

    def reply(self, key: str, public: bool = False, **params: Any) -> Reply:
        return Reply(text=self.say(key, **params), language=self.language, public=public)

    def admin(self, allowed: frozenset[Role] = FACILITATORS) -> bool:
        """Whether the caller acts as a workspace admin (as facilitator of this journey).

        Asked of the platform only when their own roles do not already allow the command
        (`allowed`), so a facilitator's or director's commands cost no extra call.
        """
        if self.member is not None and self.member.roles & allowed:
            return False
        return self.ctx.profile().is_admin

    def need_journey(self) -> Journey:
        if self.journey is None or self.journey.id is None:
            raise errors.NoJourney()
        return self.journey

    @property
    def journey_id(self) -> int:
        journey_id = self.need_journey().id
        assert journey_id is not None
        return journey_id

    def my_journeys(self) -> list[tuple[Journey, Member]]:
        """Every journey of this workspace the person is a member of, with their membership."""
        with self.services.uow() as uow:
            found = []
            for journey in uow.journeys.list(self.ctx.workspace_id):
                assert journey.id is not None
                member = uow.members.by_user(self.ctx.workspace_id, journey.id, self.ctx.user)
                if member is not None:
                    found.append((journey, member))
        return found
