"""What people type, checked once for every platform before it is stored.

PostgreSQL cannot store a NUL character (the insert fails, so the answer could never be
saved), SQLite silently cut the text at it, and a lone surrogate (valid JSON, not valid
UTF-8) cannot be encoded for either. None of these is anything a person means to say, and
other control characters are invisible: the text is refused, with a message that says so,
rather than stored as something other than what was written. Tabs and line breaks are text.
"""

from __future__ import annotations

import re

from bot.domain import errors

# C0 controls except tab, line feed and carriage return; DEL; C1 controls; lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def has_unsafe_characters(text: str | None) -> bool:
    return text is not None and _UNSAFE.search(text) is not None


def refuse_unsafe_characters(text: str | None) -> None:
    """Raise `errors.UnsafeText` for text that cannot or should not be stored."""
    if has_unsafe_characters(text):
        raise errors.UnsafeText()
