"""Every dxbot command is documented in the README (as sqlite-utils' test_docs does)."""

from __future__ import annotations

from pathlib import Path

from bot.cli import main

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented() -> None:
    missing = [name for name in main.commands if f"`dxbot {name}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert "uv run pytest -q" in README and ci.strip().endswith("uv run pytest -q")
