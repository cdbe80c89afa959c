"""`pioneer manifest --teams` writes an app package Teams accepts: manifest.json with the bot,
its commands and valid domains, a Dutch localisation, and two PNG icons of the right size."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.platforms.teams.manifest import PLACEHOLDER_APP_ID, PLACEHOLDER_DOMAIN, build_manifest


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_manifest_teams_writes_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMS_APP_ID", "11111111-2222-4333-8444-555555555555")
    out = tmp_path / "pioneer.zip"
    result = CliRunner().invoke(
        app, ["manifest", "--teams", "--out", str(out), "--url", "https://pioneer.acme.nl"]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == [
            "color.png",
            "manifest.json",
            "nl.json",
            "outline.png",
        ]
        manifest = json.loads(archive.read("manifest.json"))
        dutch = json.loads(archive.read("nl.json"))
        assert _png_size(archive.read("color.png")) == (192, 192)
        assert _png_size(archive.read("outline.png")) == (32, 32)
    [bot] = manifest["bots"]
    assert bot["botId"] == manifest["id"] == "11111111-2222-4333-8444-555555555555"
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    commands = bot["commandLists"][0]["commands"]
    assert 1 <= len(commands) <= 10
    assert {"help", "start", "status", "phase", "poll"} <= {c["title"] for c in commands}
    assert all(len(c["description"]) <= 128 for c in commands)
    assert manifest["validDomains"] == ["pioneer.acme.nl"]
    assert len(manifest["description"]["short"]) <= 80
    assert dutch["name.short"] == "Pioneer" and "peilingen" in dutch["description.short"]


def test_without_an_app_id_the_package_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package with the placeholder id would upload and never reach this bot."""
    monkeypatch.delenv("TEAMS_APP_ID", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the working tree
    result = CliRunner().invoke(app, ["manifest", "--teams"])
    assert result.exit_code == 2
    assert "TEAMS_APP_ID" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "pioneer-teams.zip").exists()


def test_the_placeholders_are_what_build_manifest_uses_without_settings() -> None:
    manifest = build_manifest()
    assert manifest["id"] == PLACEHOLDER_APP_ID
    assert manifest["validDomains"] == [PLACEHOLDER_DOMAIN]


def test_a_bad_url_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMS_APP_ID", "11111111-2222-4333-8444-555555555555")
    result = CliRunner().invoke(
        app, ["manifest", "--teams", "--out", str(tmp_path / "x.zip"), "--url", "ftp://x"]
    )
    assert result.exit_code == 2
