"""The unit of work: one session, one transaction, every repository over it."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.db import leave_no_copy
from storage.repositories.answer_repo import SqlAnswers
from storage.repositories.api_token_repo import SqlApiTokens
from storage.repositories.conversation_repo import SqlConversations
from storage.repositories.delivery_repo import SqlDeliveries
from storage.repositories.digest_repo import SqlDigests
from storage.repositories.dispatch_repo import SqlDispatch
from storage.repositories.installation_repo import SqlInstallations
from storage.repositories.journey_repo import SqlJourneys
from storage.repositories.member_repo import SqlMembers
from storage.repositories.people_repo import SqlPeople
from storage.repositories.ritual_repo import SqlRituals
from storage.repositories.team_update_repo import SqlTeamUpdates
from storage.repositories.touchpoint_repo import SqlTouchpoints
from storage.repositories.web_session_repo import SqlWebSessions
from storage.repositories.week_figure_repo import SqlWeekFigures
from storage.repositories.workspace_repo import SqlWorkspaces
from storage.sql import ERASED


class SqlUnitOfWork:
    """Implements the domain's UnitOfWork port; leaving without `commit()` rolls back."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    def __enter__(self) -> SqlUnitOfWork:
        self.session = self._factory()
        self.workspaces = SqlWorkspaces(self.session)
        self.journeys = SqlJourneys(self.session)
        self.members = SqlMembers(self.session)
        self.deliveries = SqlDeliveries(self.session)
        self.answers = SqlAnswers(self.session)
        self.touchpoints = SqlTouchpoints(self.session)
        self.digests = SqlDigests(self.session)
        self.team_updates = SqlTeamUpdates(self.session)
        self.rituals = SqlRituals(self.session)
        self.dispatch = SqlDispatch(self.session)
        self.installations = SqlInstallations(self.session)
        self.conversations = SqlConversations(self.session)
        self.people = SqlPeople(self.session)
        self.week_figures = SqlWeekFigures(self.session)
        self.api_tokens = SqlApiTokens(self.session)
        self.web_sessions = SqlWebSessions(self.session)
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        erased = self.session.info.pop(ERASED, False)
        self.session.commit()
        if erased:
            bind = self.session.get_bind()
            assert isinstance(bind, Engine)
            leave_no_copy(bind)


class SqlUnitOfWorkFactory:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.session_factory)
