"""The ``dxbot`` command: a thin click layer over knowledge/ and handlers/."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from sqlite_utils import Database

from bot.config import Settings
from handlers import Responder
from handlers import compose as c
from knowledge.catalog import load_catalog
from knowledge.parse import PlanParseError, parse_plan
from knowledge.records import fiscal_to_reiwa
from knowledge.store import bundled_plan_text, connect, ensure_ingested, ingest


def _now() -> datetime:
    return datetime.now(timezone.utc)


def open_db(settings: Settings) -> Database:
    """The knowledge base, built from the bundled plan on first use."""
    db = connect(settings.db_path)
    report = ensure_ingested(db, now=_now())
    if report is not None:
        click.echo(f"Built {settings.db_path} from the bundled plan ({report.projects} projects, "
                   f"{report.terms} terms).", err=True)
    return db


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """dxbot: answers questions about Funabashi City's DX action plan."""
    ctx.obj = Settings.from_env()


@main.command("ingest")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def ingest_cmd(settings: Settings, path: Path | None) -> None:
    """Parse the plan (default: the bundled copy) into the knowledge base."""
    text = path.read_text(encoding="utf-8") if path else bundled_plan_text()
    try:
        plan = parse_plan(text)
    except PlanParseError as exc:
        raise click.ClickException(f"{path or 'bundled plan'}: {exc}") from exc
    db = connect(settings.db_path)
    report = ingest(db, plan, now=_now())
    state = "updated" if report.changed else "unchanged (same document)"
    click.echo(f"{settings.db_path}: {report.projects} projects, {report.terms} glossary terms, "
               f"{report.kpi_rows} KPI values, {report.aliases} aliases — {state}")


@main.command("ask")
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question, one line each.")
@click.option("--audience", type=click.Choice(["staff", "citizen"]), default="staff", show_default=True)
@click.option("--batch", type=click.File("r", encoding="utf-8"), help="Answer every line of FILE ('-' for stdin).")
@click.pass_obj
def ask_cmd(settings: Settings, text: str | None, as_json: bool, audience: str, batch) -> None:  # type: ignore[no-untyped-def]
    """Answer TEXT (or every line of --batch FILE) as the bot would."""
    if (text is None) == (batch is None):
        raise click.UsageError("give a question, or --batch FILE")
    responder = Responder(load_catalog(open_db(settings)))
    questions = (line.rstrip("\n") for line in batch) if batch else iter([text or ""])
    out = sys.stdout
    for q in questions:
        answer = responder.answer(q, audience=audience)  # type: ignore[arg-type]
        if as_json:
            out.write(json.dumps(answer.to_json(), ensure_ascii=False) + "\n")
        else:
            out.write(answer.text + ("\n\n" if batch else "\n"))
    out.flush()


@main.command("show")
@click.argument("project_id")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@click.pass_obj
def show_cmd(settings: Settings, project_id: str, lang: str) -> None:
    """Print one project in full (e.g. dxbot show 2-3-1)."""
    catalog = load_catalog(open_db(settings))
    from handlers.understand import read

    ids = read(project_id).project_ids
    p = catalog.project(ids[0]) if ids else None
    if p is None:
        raise click.ClickException(f"no project {project_id!r}; ids run {next(iter(catalog.projects))} … "
                                   f"{list(catalog.projects)[-1]}")
    approach = catalog.approaches[p.approach_id]
    policy = catalog.policies[p.policy_id]
    en = lang == "en"
    lines = [
        c.project_title(catalog, p, lang),  # type: ignore[arg-type]
        f"{'Policy' if en else '基本方針'} {policy.id}: {policy.title}",
        f"{'Approach' if en else 'アプローチ策'} {approach.id}: {approach.title}（{approach.vision}）",
        f"{'Departments' if en else '担当部署'}: {c.departments(catalog, p, lang)}",  # type: ignore[arg-type]
    ]
    if p.set_year:
        lines.append(f"{'Set in' if en else '設定年度'}: {c.year_label(p.set_year, lang)}")  # type: ignore[arg-type]
    if p.note:
        lines.append(p.note)
    lines += ["", *c.overview_text(catalog, p, lang).splitlines()[1:], ""]  # type: ignore[arg-type]
    lines += ["Schedule:" if en else "スケジュール:", *c.schedule_lines(p, lang), ""]  # type: ignore[arg-type]
    lines += ["KPI:" if en else "参考値（KPI）:"]
    lines += c.kpi_lines(p, lang) or ["  —"]  # type: ignore[arg-type]
    lines += ["", *c.evaluation_lines(p, lang, "staff"), c.source_line(catalog, lang, project=p.id)]  # type: ignore[arg-type]
    click.echo("\n".join(lines))


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_obj
def serve_cmd(settings: Settings, host: str, port: int) -> None:
    """Run the server: web chat at /, Slack at /slack/events, LINE at /line/webhook, /healthz."""
    import uvicorn

    from bot.server import build, create_app

    try:
        services = build(settings, clock=_now, host=host, notice=lambda m: click.echo(m, err=True))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if services.slack is not None and services.slack_mode == "socket":
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        SocketModeHandler(services.slack.app, settings.slack_app_token).connect()
        click.echo("Slack: connected in Socket Mode.", err=True)
    click.echo(f"dxbot is serving the web chat at http://{host}:{port}/ (health: /healthz)", err=True)
    uvicorn.run(create_app(services), host=host, port=port, log_level="warning")


@main.command("glossary")
@click.argument("term", required=False)
@click.pass_obj
def glossary_cmd(settings: Settings, term: str | None) -> None:
    """List the glossary, or print one TERM's definition (fuzzy: typos and readings work)."""
    catalog = load_catalog(open_db(settings))
    if term is None:
        for t in catalog.terms.values():
            first = t.definition.splitlines()[0]
            click.echo(f"{t.term}\t{first[:60]}{'…' if len(first) > 60 else ''}")
        return
    answer = Responder(catalog).answer(f"{term}とは")
    if answer.intent != "glossary":
        raise click.ClickException(answer.text)
    click.echo(answer.text)


if __name__ == "__main__":  # pragma: no cover
    main()
