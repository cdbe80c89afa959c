"""The deployment kit, checked without Docker: the compose file (also by `docker compose
config` where Docker Compose is installed), the Dockerfile's layers, the pinned
dependencies, the settings template and the systemd unit."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_compose_runs_postgres_a_one_shot_migration_and_pioneer() -> None:
    services = compose()["services"]
    assert set(services) == {"db", "migrate", "pioneer"}
    db, migrate, pioneer = services["db"], services["migrate"], services["pioneer"]

    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    (volume,) = db["volumes"]
    assert volume.split(":")[0] in compose()["volumes"]
    assert volume.endswith(":/var/lib/postgresql/data")

    # The schema is changed once, by a service that runs and exits, after the database is up.
    assert migrate["command"] == ["pioneer", "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert (
        ROOT / "deploy" / migrate["build"]["context"] / migrate["build"]["dockerfile"]
    ).is_file()

    # Pioneer only serves, and only once the migration succeeded.
    assert pioneer["command"] == ["pioneer", "serve"]
    assert pioneer["image"] == migrate["image"] and pioneer["build"] == migrate["build"]
    assert pioneer["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert pioneer["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(pioneer["healthcheck"]["test"])
    for service in (migrate, pioneer):
        assert service["env_file"] == ".env"
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://pioneer:")
        assert "@db:5432/pioneer" in service["environment"]["DATABASE_URL"]


def test_compose_asks_only_for_what_the_template_names() -> None:
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    wanted = set(re.findall(r"\$\{(\w+)", text))
    assert wanted == {"POSTGRES_PASSWORD"}
    assert "POSTGRES_PASSWORD=" in (DEPLOY / ".env.example").read_text(encoding="utf-8")


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(
        ["docker", "compose", "version"], capture_output=True, check=False
    ).returncode,
    reason="Docker Compose is not installed here; the file is parsed above instead",
)
def test_docker_compose_config_accepts_it() -> None:
    result = subprocess.run(
        [
            "docker",
            "compose",
            "-f",
            str(DEPLOY / "docker-compose.yml"),
            "--env-file",
            str(DEPLOY / ".env.example"),
            "config",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_settings_template_names_every_setting_with_a_comment() -> None:
    lines = (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines()
    named: dict[str, str] = {}
    for number, line in enumerate(lines):
        match = re.match(r"^(?:# )?([A-Z][A-Z0-9_]+)=", line)
        if match:
            comment = lines[number - 1]
            assert comment.startswith("# ") and "=" not in comment.split()[1], line
            named[match.group(1)] = comment
    settings = {name.upper() for name in Settings.model_fields}
    assert settings <= set(named), settings - set(named)
    assert set(named) - settings == {"POSTGRES_PASSWORD"}


def dockerfile_stages() -> dict[str, list[str]]:
    """Each stage's instructions, continuation lines joined, comments left out."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    stages: dict[str, list[str]] = {}
    current: list[str] = []
    for line in joined.splitlines():
        if line.startswith("FROM "):
            current = stages.setdefault(line.split(" AS ")[-1].strip(), [])
        elif line.strip():
            current.append(" ".join(line.split()))
    return stages


def test_the_dockerfile_installs_pinned_dependencies_before_the_code() -> None:
    stages = dockerfile_stages()
    deps, runtime = stages["deps"], stages["runtime"]
    # The dependencies' stage sees the pins and nothing of the code.
    assert "COPY constraints.txt /tmp/constraints.txt" in deps
    assert any(s.startswith("RUN /opt/venv/bin/pip install -r /tmp/constraints.txt") for s in deps)
    assert not [s for s in deps if s.startswith("COPY") and "constraints" not in s]
    # The image takes the dependencies' layer first, then the code as a wheel, checked.
    venv = runtime.index("COPY --from=deps /opt/venv /opt/venv")
    wheel = runtime.index("COPY --from=app /wheels /tmp/wheels")
    assert venv < wheel
    install = runtime[wheel + 1]
    assert "install --no-deps /tmp/wheels/*.whl" in install and " check" in install
    assert runtime[-1] == 'CMD ["pioneer", "serve"]'  # no migration at every start
    assert not [s for s in runtime if "migrate" in s]
    assert "USER pioneer" in runtime and any(s.startswith("HEALTHCHECK") for s in runtime)


def runtime_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(text) for text in project["dependencies"]]


def test_the_pins_satisfy_pyproject_and_leave_out_the_tools() -> None:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, pinned = line.partition("==")
            assert pinned, f"not a pin: {line}"
            pins[canonicalize_name(name)] = pinned
    for requirement in runtime_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not pinned"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])
    assert "psycopg-binary" in pins  # psycopg[binary]'s extra is pinned too
    assert not {"pytest", "ruff", "mypy", "types-pyyaml", "pioneer"} & set(pins)


def test_the_systemd_unit() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "pioneer.service", encoding="utf-8")
    service = unit["Service"]
    assert service["ExecStart"].endswith("/pioneer serve")
    assert service["EnvironmentFile"] == "/etc/pioneer/pioneer.env"
    assert service["User"] == "pioneer" and service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # a refusal is not retried forever
    assert "network-online.target" in unit["Unit"]["After"]
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_readme_walkthrough_names_real_files_and_commands() -> None:
    from bot.cli import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Run it in your workspace")
    walkthrough = readme[start : readme.index("\n## ", start + 1)]
    for path in set(re.findall(r"\b(deploy/[\w./-]+\w)", walkthrough)) - {"deploy/.env"}:
        assert (ROOT / path).exists(), path
    names = {command.name or command.callback.__name__ for command in app.registered_commands}  # type: ignore[union-attr]
    used = set(re.findall(r"(?<![/@\w])pioneer (?=(\w+))", walkthrough)) - {"pioneer"}
    assert used and used <= names, used - names
    assert "manifest --socket-mode" in walkthrough and "up -d" in walkthrough


def test_an_empty_setting_means_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PORT", "SLACK_APP_TOKEN", "PIONEER_PROMPTS_DIR", "LOG_LEVEL"):
        monkeypatch.setenv(name, "")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.port == 3000 and settings.slack_app_token is None
    assert settings.pioneer_prompts_dir is None and settings.log_level == "INFO"
