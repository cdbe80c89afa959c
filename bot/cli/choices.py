"""The fixed choices of the command line's options, as enums: `--help` lists them and the
parser refuses anything else before a command runs."""

from __future__ import annotations

from enum import StrEnum


class ListFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class DigestFormat(StrEnum):
    MD = "md"
    JSON = "json"


class Scenario(StrEnum):
    """The demo's organisations (bot/demo/scenarios.py; a test keeps the two lists equal)."""

    A = "a"
    B = "b"
