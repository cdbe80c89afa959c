"""Microsoft Teams via the Microsoft 365 Agents SDK: commands, Adaptive Cards, proactive sends.

Nothing of the SDK is imported here: a process without Teams settings never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings


def teams_configured(settings: Settings) -> bool:
    return bool(settings.teams_app_id and settings.teams_app_secret and settings.teams_tenant_id)
