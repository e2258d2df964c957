"""``dxbot inbound``: the queue of questions received from Slack and LINE, for operators."""

from __future__ import annotations

import click

from bot.config import Settings
from state.database import connect, open_state
from state.inbound_queue import InboundQueue
from state.inbound_queue_pg import open_inbound_queue


def _queue(settings: Settings) -> InboundQueue:
    db = connect(settings.db_path)
    open_state(settings.database_url, sqlite_db=db)  # PostgreSQL, when configured, holds the queue
    return open_inbound_queue(db)


@click.group("inbound")
def inbound_group() -> None:
    """Questions received from Slack and LINE, and how far their answers got."""


@inbound_group.command("status")
@click.pass_obj
def inbound_status(settings: Settings) -> None:
    """Counts per channel and state, the oldest unanswered question, and every failed or retrying row."""
    queue = _queue(settings)
    summary = queue.summary()
    if not summary:
        click.echo("inbound: empty")
    for channel, counts in sorted(summary.items()):
        click.echo(f"{channel}: " + ", ".join(f"{state} {n}" for state, n in sorted(counts.items())))
    oldest = queue.oldest_unfinished()
    if oldest is not None:
        age = (settings.clock()() - oldest).total_seconds()
        click.echo(f"oldest unanswered: received {oldest:%Y-%m-%d %H:%M:%S} UTC ({age:.0f} s ago)")
    for row in queue.rows(states=("failed", "pending", "processing")):
        if row["state"] == "failed" or row["last_error"]:
            click.echo(f"{row['state']:10} {row['channel']:5} {row['id']}  received {row['received_at'] or '—'}  "
                       f"attempts {row['attempts']}  {row['last_error'] or ''}")


@inbound_group.command("retry")
@click.argument("ids", nargs=-1)
@click.option("--failed", "all_failed", is_flag=True, help="Every failed row.")
@click.pass_obj
def inbound_retry(settings: Settings, ids: tuple[str, ...], all_failed: bool) -> None:
    """Queue failed rows again (by event id, or --failed for all); a running server answers them."""
    if not ids and not all_failed:
        raise click.UsageError("give event ids or --failed")
    queue = _queue(settings)
    targets = [r["id"] for r in queue.rows(states=("failed",))] if all_failed else list(ids)
    n = queue.requeue(targets, now=settings.clock()())
    click.echo(f"{n} queued again" + (f"; {len(targets) - n} not failed or kept nothing to answer with"
                                       if n < len(targets) else ""))
