"""The Teams app package: manifest.json (+ a Dutch localisation) and two icons, in a zip.

Upload it in Teams (Apps → Manage your apps → Upload an app) or the Teams admin centre.
The icons are drawn here, so the package needs no binary files in the repository.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.app.commands.words import SUBCOMMANDS
from prompts.messages import t

SCHEMA = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
MANIFEST_VERSION = "1.17"
PLACEHOLDER_APP_ID = "00000000-0000-0000-0000-000000000000"
PLACEHOLDER_DOMAIN = "pioneer.example.org"
ACCENT = (0x1F, 0x6F, 0x5C)
# Teams shows at most 10 commands per scope; these are the ones people type most.
MENU_COMMANDS = (
    "help",
    "start",
    "status",
    "join",
    "role",
    "phase",
    "poll",
    "checkin",
    "digest",
    "language",
)
SCOPES = ["personal", "team", "groupChat"]


def _command_list(language: str) -> list[dict[str, Any]]:
    by_name = {sub.name: sub for sub in SUBCOMMANDS}
    commands = []
    for name in MENU_COMMANDS:
        usage = t(by_name[name].usage_key, language).replace("`", "")
        commands.append({"title": name, "description": usage[:128]})
    return [{"scopes": SCOPES, "commands": commands}]


def _texts(language: str) -> dict[str, Any]:
    return {
        "name.short": t("teams.manifest.short_name", language),
        "name.full": t("teams.manifest.full_name", language),
        "description.short": t("teams.manifest.short_description", language)[:80],
        "description.full": t("teams.manifest.full_description", language)[:4000],
    }


def build_manifest(app_id: str | None = None, base_url: str | None = None) -> dict[str, Any]:
    bot_id = app_id or PLACEHOLDER_APP_ID
    domain = PLACEHOLDER_DOMAIN
    website = f"https://{PLACEHOLDER_DOMAIN}"
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme != "https" or not parts.netloc:
            raise ValueError(f"--url must be an https base URL, not {base_url!r}")
        domain, website = parts.netloc, base_url.rstrip("/")
    texts = _texts("en")
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": "0.1.0",
        "id": bot_id,
        "developer": {
            "name": "Pioneer",
            "websiteUrl": website,
            "privacyUrl": f"{website}/privacy",
            "termsOfUseUrl": f"{website}/terms",
        },
        "name": {"short": texts["name.short"], "full": texts["name.full"]},
        "description": {"short": texts["description.short"], "full": texts["description.full"]},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "localizationInfo": {
            "defaultLanguageTag": "en",
            "additionalLanguages": [{"languageTag": "nl", "file": "nl.json"}],
        },
        "bots": [
            {
                "botId": bot_id,
                "scopes": SCOPES,
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": _command_list("en"),
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [domain],
    }


def localisation(language: str) -> dict[str, Any]:
    """A Teams localisation file: the same keys, in `language`."""
    data: dict[str, Any] = {
        "$schema": "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.Localization.schema.json",
    }
    data |= _texts(language)
    for index, command in enumerate(_command_list(language)[0]["commands"]):
        data[f"bots[0].commandLists[0].commands[{index}].description"] = command["description"]
    return data


# -- icons -----------------------------------------------------------------------------------
def png(size: int, pixel: Callable[[float, float], tuple[int, int, int, int]]) -> bytes:
    """A size x size RGBA PNG; `pixel(x, y)` gets coordinates in 0..1."""
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            rows.extend(pixel((x + 0.5) / size, (y + 0.5) / size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def _flag(x: float, y: float) -> bool:
    """A pioneer's flag: a pole and a pennant."""
    pole = 0.30 <= x <= 0.36 and 0.18 <= y <= 0.84
    pennant = (
        0.36 <= x <= 0.74
        and 0.18 <= y <= 0.52
        and (y - 0.18) <= 0.17 + (0.74 - x) * 0.45
        and (0.52 - y) <= 0.17 + (0.74 - x) * 0.45
    )
    return pole or pennant


def color_icon() -> bytes:
    return png(192, lambda x, y: (255, 255, 255, 255) if _flag(x, y) else (*ACCENT, 255))


def outline_icon() -> bytes:
    return png(32, lambda x, y: (255, 255, 255, 255) if _flag(x, y) else (0, 0, 0, 0))


def package(app_id: str | None = None, base_url: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "manifest.json",
            json.dumps(build_manifest(app_id, base_url), indent=2, ensure_ascii=False),
        )
        archive.writestr("nl.json", json.dumps(localisation("nl"), indent=2, ensure_ascii=False))
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return buffer.getvalue()


def write_package(path: Path, app_id: str | None = None, base_url: str | None = None) -> Path:
    path.write_bytes(package(app_id, base_url))
    return path
