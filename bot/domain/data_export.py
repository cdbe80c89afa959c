"""Getting data out: what the read-only API and the webhook may show of a published digest.

Only what a director may read already, and less: the stored DigestView has applied k to
every figure, and this module copies only figures, counts and words of the vocabulary. It
leaves out the quotes, the notes of contacts and the nudges' wording, which are free text
or written for a chat message; and it drops any figure shown for fewer than k people, so
a digest stored by an older version cannot leak one either.

API tokens: a token is shown once; only its SHA-256 hash is stored, so a stolen database
opens no API, and the hashes are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.digest.view import DigestView, FigureView, GroupView, Scorecard

TOKEN_PREFIX = "pio_"  # noqa: S105  (a prefix, not a secret)
# The part of a token kept in plain text, so an admin can tell tokens apart in a list.
SHOWN_CHARS = len(TOKEN_PREFIX) + 4
EVERYONE = "everyone"
CSV_COLUMNS = ("iso_week", "phase", "kind", "key", "group", "respondents", "mean")


@dataclass(frozen=True)
class ApiToken:
    """A workspace's API token as stored: its hash, never the token itself."""

    workspace_id: int
    name: str
    token_hash: str
    shown: str  # the token's first characters, `pio_AbCd`
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    id: int | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def new_token() -> str:
    """256 random bits, URL-safe, with a prefix that secret scanners can recognise."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)


@dataclass(frozen=True)
class FigureRow:
    """One line of figures.csv: a week's figure for a perspective or signal, one group."""

    iso_week: str
    phase: str
    kind: str  # "perspective" | "signal"
    key: str
    group: str  # a role, or "everyone"
    respondents: int
    mean: float

    def cells(self) -> tuple[str, ...]:
        return (
            self.iso_week,
            self.phase,
            self.kind,
            self.key,
            self.group,
            str(self.respondents),
            f"{self.mean:.2f}",
        )


def _shown(figure: FigureView, k: int) -> bool:
    return figure.respondents is not None and figure.respondents >= k and figure.mean is not None


def _figure(figure: FigureView, k: int) -> dict[str, Any] | None:
    if not _shown(figure, k):
        return None
    return {
        "respondents": figure.respondents,
        "mean": figure.mean,
        "distribution": list(figure.distribution),
        "vs_last_week": figure.vs_last_week,
        "vs_phase_start": figure.vs_phase_start,
    }


def _group(group: GroupView, k: int) -> dict[str, Any]:
    return {
        "key": group.key,
        "everyone": _figure(group.all, k),
        "roles": {
            item.role.value: shown
            for item in group.roles
            if (shown := _figure(item.figure, k)) is not None
        },
    }


def _scorecard(card: Scorecard | None, k: int) -> dict[str, Any] | None:
    if card is None:
        return None
    return {
        "phase": card.phase.value,
        "ready": card.ready,
        "signals": [
            {
                "signal": row.signal.value,
                "status": row.status,
                "weeks": row.weeks,
                "figure": _figure(row.figure, k),
            }
            for row in card.rows
        ],
    }


def digest_document(view: DigestView) -> dict[str, Any]:
    """A published digest's figures as JSON: aggregates over at least k people only."""
    k = view.k
    return {
        "journey": {"id": view.journey_id, "name": view.journey_name},
        "iso_week": view.iso_week,
        "phase": view.phase.value,
        "weeks_in_phase": view.weeks_in_phase,
        "phase_start_week": view.phase_start_week,
        "k": k,
        "generated_at": view.generated_at.isoformat(),
        "participation": [
            {
                "group": p.role.value if p.role else EVERYONE,
                "asked": p.asked,
                "answered": p.answered if p.answered is not None and p.answered >= k else None,
            }
            for p in view.participation
        ],
        "perspectives": [_group(g, k) for g in view.perspectives],
        "signals": [_group(g, k) for g in view.signals],
        "scorecard": _scorecard(view.scorecard, k),
        "trend": [
            {
                "iso_week": point.iso_week,
                "perspective": point.perspective.value,
                "respondents": point.respondents if point.mean is not None else None,
                "mean": point.mean,
                "asked": point.asked,
            }
            for point in view.trend
            if point.respondents is None or point.respondents >= k
        ],
        "themes": [
            {
                "perspective": theme.perspective.value,
                "theme": theme.theme,
                "people": theme.people if theme.people is not None and theme.people >= k else None,
            }
            for theme in view.themes
        ],
        "outside_contacts": view.touchpoints,
        "nudges": [
            {"rule": n.rule, "signal": n.signal, "open_since": n.open_since or None}
            for n in view.nudges
        ],
    }


def figure_rows(view: DigestView) -> list[FigureRow]:
    """The week's perspective and signal figures, one row per group shown (never below k)."""
    rows = []
    for kind, groups in (("perspective", view.perspectives), ("signal", view.signals)):
        for group in groups:
            figures = [(EVERYONE, group.all)] + [(r.role.value, r.figure) for r in group.roles]
            for name, figure in figures:
                if _shown(figure, view.k):
                    assert figure.respondents is not None and figure.mean is not None
                    rows.append(
                        FigureRow(
                            view.iso_week,
                            view.phase.value,
                            kind,
                            group.key,
                            name,
                            figure.respondents,
                            figure.mean,
                        )
                    )
    return rows


def webhook_summary(view: DigestView, workspace: dict[str, str]) -> dict[str, Any]:
    """What the outgoing webhook posts when a digest is published: small, with no links."""
    k = view.k

    def brief(group: GroupView) -> dict[str, Any] | None:
        return (
            {"respondents": group.all.respondents, "mean": group.all.mean}
            if _shown(group.all, k)
            else None
        )

    everyone = view.participation_of(None)
    card = view.scorecard
    return {
        "event": "digest.published",
        "workspace": workspace,
        "journey": {"id": view.journey_id, "name": view.journey_name},
        "iso_week": view.iso_week,
        "phase": view.phase.value,
        "weeks_in_phase": view.weeks_in_phase,
        "k": k,
        "asked": everyone.asked if everyone else None,
        "perspectives": {g.key: brief(g) for g in view.perspectives},
        "ready_to_move_on": card.ready if card else None,
        "exit_signals": {row.signal.value: row.status for row in card.rows} if card else {},
    }
