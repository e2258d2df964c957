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


def test_base_images_and_tools_are_pinned_to_exact_releases() -> None:
    """A rebuild next year gets the same Python, PostgreSQL, nginx and uv: a release tag (PostgreSQL
    numbers its releases major.minor), never a floating one (3.11-slim, 16, latest). Digests would pin
    harder; they cannot be read offline here (docs/deploy.md says how to add them)."""
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    images = re.findall(r"^FROM (\S+)", docker, re.M) + re.findall(r"^\s*image: (\S+)", compose, re.M)
    assert images and all(re.fullmatch(r"[\w./-]+:\d+\.\d+(\.\d+)?[\w.-]*", i) for i in images), images
    assert re.search(r"pip install [^\n]*\buv==\d+\.\d+\.\d+", docker)


def test_the_image_has_a_japanese_font_for_the_rich_menu() -> None:
    """`dxbot line richmenu deploy` draws Japanese: the font it finds first is a runtime dependency
    (a PyPI wheel that `uv sync --no-dev` puts in the image), not a dev one or a system package."""
    from bot.line.richmenu import FONT_PATHS, find_font

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {re.split(r"[<>=;\[ ]", d, maxsplit=1)[0] for d in project["dependencies"]}
    assert "noto-cjk-sans-jp-regular" in runtime
    assert "--no-dev" in (ROOT / "Dockerfile").read_text(encoding="utf-8")
    found = find_font(candidates=FONT_PATHS[:1])  # the wheel's font alone, no system fallback
    assert found.is_file() and found.stat().st_size > 1_000_000
