"""``dxbot migrate``, ``export-state`` and ``import-state``: the shared state's schema and moves."""

from __future__ import annotations

from pathlib import Path

import click

from bot.config import Settings
from knowledge.store import open_knowledge
from state.database import open_state
from state.migrations import LATEST, MIGRATIONS, applied, migrate
from state.transfer import ImportRefused, export_state, import_state


def _state(settings: Settings):
    """The state, not yet migrated (``migrate`` reports what it applies): on SQLite the knowledge
    base's file as it is."""
    try:
        return open_state(settings.database_url, sqlite_db=open_knowledge(settings.db_path), migrate_now=False)
    except Exception as exc:  # noqa: BLE001 - one line naming the database and the problem
        raise click.ClickException(f"cannot open the state database: {exc}") from exc


@click.command("migrate")
@click.pass_obj
def migrate_cmd(settings: Settings) -> None:
    """Bring the state database's schema up to this version (serve does it on start as well).

    Lists every migration: when it was applied, or that it was applied now."""
    state = _state(settings)
    now = migrate(state)
    done = f"applied {', '.join(map(str, now))}" if now else "nothing to do"
    click.echo(f"{state.describe()}: schema version {LATEST} ({done})")
    when = applied(state)
    for m in MIGRATIONS:
        status = "applied now" if m.version in now else f"applied {when[m.version]}" if m.version in when else "missing"
        click.echo(f"  {m.version:>3}  {m.name}  ({status})")


@click.command("export-state")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def export_state_cmd(settings: Settings, path: Path) -> None:
    """Write the shared state (submissions, directory, aliases, queues, logs) to PATH as JSON."""
    state = _state(settings)
    migrate(state)
    with path.open("w", encoding="utf-8") as out:
        counts = export_state(state, out)
    click.echo(f"{state.describe()} → {path}: " + ", ".join(f"{t} {n}" for t, n in counts.items()))


@click.command("import-state")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_state_cmd(settings: Settings, path: Path) -> None:
    """Load an export into a new, empty state database (e.g. DXBOT_DATABASE_URL=postgresql://…)."""
    state = _state(settings)
    migrate(state)
    try:
        with path.open(encoding="utf-8") as source:
            counts = import_state(state, source)
    except (ImportRefused, ValueError) as exc:
        raise click.ClickException(f"{path}: {exc}") from exc
    click.echo(f"{path} → {state.describe()}: " + ", ".join(f"{t} {n}" for t, n in counts.items()))


def register(group: click.Group) -> None:
    for command in (migrate_cmd, export_state_cmd, import_state_cmd):
        group.add_command(command)
