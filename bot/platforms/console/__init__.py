"""The console platform: prints (and records) what members would receive. Demo and tests."""

from bot.platforms.console.chat import ConsoleChat, Sent

__all__ = ["ConsoleChat", "Sent"]
