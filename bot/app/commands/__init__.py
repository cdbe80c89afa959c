"""The `/pioneer` command, for every platform: parse text into a typed command, run it.

`words.py` parses the text after `/pioneer` into one of its typed commands; `table.py`
routes each command type to its handler and runs it, returning a neutral `Reply` (text, for
the channel or only the caller, maybe a CSV file, maybe buttons that run another command).
Platforms turn a `Reply` into Block Kit or an Adaptive Card.

Synchronous on purpose: the services are. Async platforms call this in a worker thread.
"""

from bot.app.commands.context import Action, Context, Profile, Reply, ReplyFile, escape
from bot.app.commands.table import execute, resolve_language
from bot.app.commands.words import fans_out, parse

__all__ = [
    "Action",
    "Context",
    "Profile",
    "Reply",
    "ReplyFile",
    "escape",
    "execute",
    "fans_out",
    "parse",
    "resolve_language",
]
