"""``dxbot migrate``, ``export-state`` and ``import-state``: the shared state's schema and moves."""

from __future__ import annotations

from pathlib import Path

import click

from bot.config import Settings


def _state(settings: Settings):
    from knowledge.statedb import open_state
    from knowledge.store import connect

    try:
        return open_state(settings.database_url, sqlite_db=connect(settings.db_path), migrate_now=False)
    except Exception as exc:  # noqa: BLE001 - one line naming the database and the problem
        raise click.ClickException(f"cannot open the state database: {exc}") from exc


@click.command("migrate")
@click.pass_obj
def migrate_cmd(settings: Settings) -> None:
    """Bring the state database's schema up to this version (serve does it on start as well)."""
    from knowledge.migrations import LATEST, migrate

    state = _state(settings)
    applied = migrate(state)
    done = f"applied {', '.join(map(str, applied))}" if applied else "nothing to do"
    click.echo(f"{state.describe()}: schema version {LATEST} ({done})")


@click.command("export-state")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def export_state_cmd(settings: Settings, path: Path) -> None:
    """Write the shared state (submissions, directory, aliases, queues, logs) to PATH as JSON."""
    from knowledge.migrations import migrate
    from knowledge.state_transfer import export_state

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
    from knowledge.migrations import migrate
    from knowledge.state_transfer import ImportRefused, import_state

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
