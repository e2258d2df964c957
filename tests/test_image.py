"""The container image is built from what the package is: every top-level package of the wheel is
copied into it, and the build context leaves out what must not reach an image."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_image_copies_every_package_the_bot_imports() -> None:
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"]["build"][
        "targets"]["wheel"]["packages"]
    copied = set(re.findall(r"^COPY (\w+) \1$", (ROOT / "Dockerfile").read_text(encoding="utf-8"), re.M))
    assert set(packages) <= copied, set(packages) - copied


def test_the_build_context_leaves_out_secrets_databases_and_the_virtualenv() -> None:
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".venv", ".git", "*.db", "deploy/dxbot.env"} <= ignored


def test_the_compose_file_has_no_default_password_and_outlasts_the_drain() -> None:
    from bot.config import Settings

    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "change-me" not in compose and "${DXBOT_DB_PASSWORD:?" in compose
    graces = [int(s) for s in re.findall(r"stop_grace_period: (\d+)s", compose)]
    assert len(graces) == 2 and min(graces) > Settings().drain_seconds
    assert compose.count("restart: unless-stopped") == 4
