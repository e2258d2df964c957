"""The ``dxbot`` command: a thin click layer over knowledge/ and handlers/."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from sqlite_utils import Database

from bot import report
from bot.cli_errors import Dxbot, check_time, read_plan_file
from bot.config import Settings
from bot.metrics_dir import multiprocess_metrics
from handlers import Responder
from handlers import compose as c
from handlers.explain import explain as explain_answer
from handlers.understand import read
from knowledge.health import last_good
from knowledge.parse import PlanParseError, parse_plan
from knowledge.records import fiscal_to_reiwa
from knowledge.store import bundled_plan_text, ingest
from knowledge.validate import PlanCheckError, validate
from scheduler import calendar as cal
from scheduler.calendar import TOKYO
from scheduler.jobs import ReminderService
from scheduler.notices import notice_text
from scheduler.notify import LogNotifier, Notifier
from scheduler.reminders import plan as plan_reminders
from scheduler.rounds import status_lines
from state.aliases import add_user_alias
from state.catalog import load_catalog
from state.conversations import QuestionLog, group_similar
from state.database import connect, open_state
from state.directory import Directory, Route
from state.evaluations import export_rows, progress_by_department, publish, submitted, to_csv, to_markdown
from state.outbox_pg import open_outbox
from state.shared_plan import store_plan, sync_plan


def _now() -> datetime:
    return datetime.now(UTC)


def open_db(settings: Settings) -> Database:
    """The knowledge base, built from the bundled plan on first use."""

    db = connect(settings.db_path)
    report = sync_plan(db, open_state(settings.database_url, sqlite_db=db), now=_now())
    if report is not None:
        click.echo(f"Built {settings.db_path} from the bundled plan ({report.projects} projects, "
                   f"{report.terms} terms).", err=True)
    return db


@click.group(cls=Dxbot, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """dxbot: answers questions about Funabashi City's DX action plan."""
    ctx.obj = Settings.from_env()


@main.command("ingest")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Load a plan that fails the completeness checks (it is not the last good one).")
@click.pass_obj
def ingest_cmd(settings: Settings, path: Path | None, force: bool) -> None:
    """Parse the plan (default: the bundled copy), check it is whole, and load it into the knowledge base."""

    text = read_plan_file(path) if path else bundled_plan_text()
    try:
        plan = parse_plan(text)
    except PlanParseError as exc:
        raise click.ClickException(f"{path or 'bundled plan'}: {exc}") from exc

    db = connect(settings.db_path)
    try:
        validate(text, plan, last_good=last_good(db))
        forced = False
    except PlanCheckError as exc:
        if not force:
            raise click.ClickException(f"{path or 'bundled plan'}: refused: {exc} "
                                       "(if this is really the plan, `dxbot ingest --force`)") from exc
        click.secho(f"{path or 'bundled plan'}: loaded despite: {exc} (forced)", fg="yellow", err=True)
        forced = True
    store_plan(open_state(settings.database_url, sqlite_db=db), text, now=_now())  # every host follows
    report = ingest(db, plan, now=_now(), forced=forced, text=text, origin="file" if path else "bundled")
    state = "updated" if report.changed else "unchanged (same document)"
    click.echo(f"{settings.db_path}: {report.projects} projects, {report.terms} glossary terms, "
               f"{report.kpi_rows} KPI values, {report.aliases} aliases — {state}")


@main.command("ask")
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question, one line each.")
@click.option("--audience", type=click.Choice(["staff", "citizen"]), default="staff", show_default=True)
@click.option("--batch", type=click.File("r", encoding="utf-8"), help="Answer every line of FILE ('-' for stdin).")
@click.option("--explain", is_flag=True, help="Show the stage that decided and each candidate's name, lexical and semantic scores.")
@click.pass_obj
def ask_cmd(settings: Settings, text: str | None, as_json: bool, audience: str, batch, explain: bool) -> None:
    """Answer TEXT (or every line of --batch FILE) as the bot would."""
    if (text is None) == (batch is None):
        raise click.UsageError("give a question, or --batch FILE")
    responder = Responder(load_catalog(open_db(settings)), contact=settings.contact)
    questions = (line.rstrip("\n") for line in batch) if batch else iter([text or ""])
    out = sys.stdout
    for q in questions:
        if explain:
            out.write(explain_answer(responder, q, audience=audience).text() + ("\n\n" if batch else "\n"))  # type: ignore[arg-type]
            continue
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
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Server processes (one per core); they share the state and add up their /metrics.")
@click.pass_obj
def serve_cmd(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run the server: web chat at /, Slack at /slack/events, LINE at /line/webhook, /healthz."""

    # start-up cost: the server (uvicorn, Starlette, Bolt, the LINE SDK) loads only for `serve`.
    import uvicorn

    from bot.server import app_from_env
    from bot.web.access import StaffAccess, uvicorn_proxy_options

    proxy = uvicorn_proxy_options(list(settings.trusted_proxies))
    if workers == 1:
        try:
            app = app_from_env(host=host, notice=lambda m: click.echo(m, err=True))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"dxbot is serving the web chat at http://{host}:{port}/ (health: /healthz)", err=True)
        uvicorn.run(app, host=host, port=port, log_level="warning", **proxy)  # type: ignore[arg-type]
        return
    missing = settings.slack_mode()[1] + settings.line_mode()[1]
    if missing:
        raise click.ClickException(f"partly configured: missing {', '.join(missing)}")
    os.environ["DXBOT_HOST"] = host  # each worker process builds its app from the environment
    click.echo(StaffAccess(token=settings.web_staff_token).describe(), err=True)
    click.echo(f"dxbot is serving the web chat at http://{host}:{port}/ with {workers} workers", err=True)

    with multiprocess_metrics():
        uvicorn.run("bot.server:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level="warning", **proxy)  # type: ignore[arg-type]


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



# ---------------------------------------------------------------------------------------- reminders


def _reminder_parts(settings: Settings):


    db = open_db(settings)
    return db, Directory(db), open_outbox(db, lease=timedelta(seconds=settings.outbox_lease_seconds))


def _parse_time(value: str | None, settings: Settings) -> datetime:

    if not value:
        return settings.clock()()
    t = datetime.fromisoformat(value)
    return t if t.tzinfo else t.replace(tzinfo=TOKYO)  # a bare time is Tokyo time


@main.command("remind")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; write and send nothing.")
@click.option("--at", "at", metavar="DATETIME", callback=check_time, help="Plan as if it were this time (ISO 8601; Tokyo if no zone).")
@click.option("--now", "send_now", is_flag=True, help="Send what is due now (through Slack, or printed without it).")
@click.pass_obj
def remind_cmd(settings: Settings, dry_run: bool, at: str | None, send_now: bool) -> None:
    """Evaluation reminders: preview them (--dry-run [--at]) or send what is due (--now)."""

    if dry_run == send_now:
        raise click.UsageError("choose --dry-run or --now")
    db, directory, outbox = _reminder_parts(settings)
    catalog = load_catalog(db)
    when = _parse_time(at, settings)
    if dry_run:
        fy = cal.evaluation_year(when)
        report = plan_reminders(when, catalog=catalog, outbox=None, directory=directory, done=submitted(db, fy))
        click.echo(f"At {when.astimezone(cal.TOKYO):%Y-%m-%d %H:%M} (Tokyo): evaluation of FY{fy} "
                   f"(deadline {cal.deadline(fy)}); due: {report.slot.label if report.slot else 'nothing yet'}")
        nxt = [s for s in cal.slots(fy) if s.at > when]
        if nxt:
            click.echo(f"Next: {nxt[0].label} at {nxt[0].at:%Y-%m-%d %H:%M}")
        for route, notice in report.notices:
            click.echo(f"\n--- to {route} ({notice.key})\n{notice_text(notice)}")
        if report.unrouted:
            click.secho(f"\nNO ROUTE for: {', '.join(report.unrouted)} — set one with `dxbot departments set`",
                        fg="red", err=True)
        return
    mode, missing = settings.slack_mode()
    notifier: Notifier
    if mode != "off" and not missing:
        # start-up cost: Bolt and the Slack SDK load only when reminders go to Slack.
        from bot.slack.app import web_client
        from bot.slack.reminder_update import updating_notifier

        notifier = updating_notifier(web_client(token=settings.slack_bot_token or "", base_url=settings.slack_api_url),
                                     db=db, responder=Responder(catalog), clock=lambda: when)
    else:
        click.echo("Slack is not configured: notices are printed instead of sent.", err=True)
        notifier = LogNotifier(sys.stdout)
    # Plan at the given time; without --at the clock runs on, so that leases renewed while a slow
    # platform is sending expire by real time for the other schedulers.
    clock = settings.clock() if at is None else (lambda: when)
    service = ReminderService(db=db, responder=Responder(catalog), directory=directory, outbox=outbox,
                              notifier=notifier, clock=clock)
    report, delivery = service.tick()
    assert delivery is not None
    click.echo(f"enqueued {len(report.enqueued)}, sent {len(delivery.sent)}, recovered {len(delivery.recovered)}, "
               f"skipped {len(delivery.skipped)}, to retry {len(delivery.retried)}"
               + (f", held as unknown {len(delivery.held)}" if delivery.held else ""))
    if delivery.held:
        click.secho(f"UNKNOWN (delivery not verifiable): {', '.join(delivery.held)} — "
                    "decide with `dxbot reminders resolve KEY sent|resend`", fg="red", err=True)
    if report.unrouted:
        click.secho(f"NO ROUTE for: {', '.join(report.unrouted)}", fg="red", err=True)
    if report.refused:
        click.secho(f"REFUSED (the clock is behind a round already planned): {', '.join(report.refused)}",
                    fg="red", err=True)


@main.group("reminders")
def reminders_group() -> None:
    """The reminder outbox."""


@reminders_group.command("status")
@click.pass_obj
def reminders_status(settings: Settings) -> None:
    """Counts by state, every failed, retrying or unknown reminder with its error, and each round."""

    _, _, outbox = _reminder_parts(settings)
    counts = outbox.summary()
    click.echo("outbox: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "empty"))
    for row in outbox.rows(states=("unknown", "failed", "pending", "sending")):
        if row["last_error"] or row["state"] in {"failed", "unknown"}:
            click.echo(f"{row['state']:8} {row['key']}  attempts {row['attempts']}  {row['last_error'] or ''}")
    for line in status_lines(outbox, settings.clock()()):
        click.echo(line)
    if counts.get("unknown"):
        click.echo("unknown: delivery could not be verified — check the channel, then "
                   "`dxbot reminders resolve KEY sent` (it arrived) or `... resend`")


@reminders_group.command("resolve")
@click.argument("key")
@click.argument("decision", type=click.Choice(["sent", "resend"]))
@click.pass_obj
def reminders_resolve(settings: Settings, key: str, decision: str) -> None:
    """Decide an unknown (or failed) reminder: it was SENT, or RESEND it at the next tick."""
    _, _, outbox = _reminder_parts(settings)
    try:
        state = outbox.resolve(key, decision, now=settings.clock()())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{key}: {state}" + (" (sent at the next tick)" if state == "pending" else ""))


@main.group("departments")
def departments_group() -> None:
    """The department directory: where reminders go and who may submit."""


@departments_group.command("list")
@click.pass_obj
def departments_list(settings: Settings) -> None:
    """Every department named in the plan, with its route (or NO ROUTE)."""
    db, directory, _ = _reminder_parts(settings)
    catalog = load_catalog(db)
    routes = directory.routes()
    names = list(dict.fromkeys([*catalog.departments, *routes]))
    for name in names:
        r = routes.get(name)
        if r is None:
            click.secho(f"{name}: NO ROUTE", fg="red")
        elif r.teams:
            click.echo(f"{name}: teams {', '.join(r.teams)}")
        else:
            click.echo(f"{name}: channel {r.slack_channel or '—'}, users {', '.join(r.slack_users) or '—'}")
    admin = directory.admin()
    click.echo(f"admin: channel {admin.channel or '—'}, users {', '.join(admin.users) or '—'}")


@departments_group.command("set")
@click.argument("name")
@click.option("--channel", help="Slack channel id for the department's reminders.")
@click.option("--user", "users", multiple=True, help="Slack user id of a member (repeat).")
@click.option("--team", "teams", multiple=True, help="For a placeholder (システム所管課): a real team (repeat).")
@click.pass_obj
def departments_set(settings: Settings, name: str, channel: str | None, users: tuple[str, ...],
                    teams: tuple[str, ...]) -> None:
    """Route NAME's reminders to a channel and/or users, or map a placeholder to teams."""

    if not (channel or users or teams):
        raise click.UsageError("give --channel, --user or --team")
    _, directory, _ = _reminder_parts(settings)
    directory.set(Route(name, channel, users, teams))
    click.echo(f"{name}: saved")


@departments_group.command("remove")
@click.argument("name")
@click.pass_obj
def departments_remove(settings: Settings, name: str) -> None:
    """Forget NAME's route."""
    _, directory, _ = _reminder_parts(settings)
    if not directory.remove(name):
        raise click.ClickException(f"{name} has no route")
    click.echo(f"{name}: removed")


@departments_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def departments_load(settings: Settings, path: Path) -> None:
    """Load routes from a TOML file ([admin] and [departments."名前"] tables)."""
    _, directory, _ = _reminder_parts(settings)
    click.echo(f"{directory.load_toml(path)} departments loaded from {path}")


@departments_group.command("admin")
@click.option("--channel")
@click.option("--user", "users", multiple=True)
@click.pass_obj
def departments_admin(settings: Settings, channel: str | None, users: tuple[str, ...]) -> None:
    """Set the admin channel (overdue summaries, alerts) and admin users (may submit for anyone)."""
    _, directory, _ = _reminder_parts(settings)
    directory.set_admin(channel=channel, users=list(users))
    click.echo("admin: saved")


# ---------------------------------------------------------------------------------------- evaluations


@main.group("evaluations")
def evaluations_group() -> None:
    """Evaluations submitted through the bot."""


def _year(year: int | None, settings: Settings) -> int:

    return year if year is not None else cal.evaluation_year(settings.clock()())


@evaluations_group.command("status")
@click.option("--year", type=int, help="Fiscal year (e.g. 2026); default: the round under way.")
@click.pass_obj
def evaluations_status(settings: Settings, year: int | None) -> None:
    """Submitted and missing projects per department."""

    db = open_db(settings)
    fy = _year(year, settings)
    rows = progress_by_department(load_catalog(db), submitted(db, fy))
    click.echo(f"FY{fy} (令和{fiscal_to_reiwa(fy)}年度)")
    for dept, (done, missing) in rows.items():
        mark = "done" if not missing else f"missing {', '.join(missing)}"
        click.echo(f"{dept}: submitted {len(done)}/{len(done) + len(missing)} — {mark}")


@evaluations_group.command("export")
@click.option("--year", type=int, required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "md"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.pass_obj
def evaluations_export(settings: Settings, year: int, fmt: str, output: Path | None) -> None:
    """The committee's table: every project with its submitted grade, KPI actual/target and comment."""

    db = open_db(settings)
    rows = export_rows(db, load_catalog(db), year)
    text = to_csv(rows) if fmt == "csv" else to_markdown(rows, fiscal_year=year)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{len(rows)} projects written to {output}", err=True)
    else:
        click.echo(text, nl=False)


@evaluations_group.command("publish")
@click.option("--year", type=int, required=True)
@click.pass_obj
def evaluations_publish(settings: Settings, year: int) -> None:
    """Make the year's drafts the published evaluations that status questions (and citizens) see."""

    db = open_db(settings)
    published = publish(db, year, now=_now())
    click.echo(f"published {len(published)} evaluations for FY{year}: {', '.join(published) or '—'}")


# ---------------------------------------------------------------------------------------- improving answers


@main.command("unanswered")
@click.option("--since", metavar="DATE", callback=check_time, help="Only questions from this date on (ISO 8601); default: 30 days.")
@click.pass_obj
def unanswered_cmd(settings: Settings, since: str | None) -> None:
    """Questions the bot could not answer (or barely), grouped by similarity, most asked first."""


    db = open_db(settings)
    when = _parse_time(since, settings) if since else settings.clock()() - timedelta(days=30)
    rows = QuestionLog(db, salt=settings.log_salt).since(when)
    if not rows:
        click.echo("no unanswered questions")
        return
    for rep, count, variants in group_similar([r["text"] for r in rows]):
        others = [v for v in variants if v != rep][:3]
        click.echo(f"{count:4d}  {rep}" + (f"   (also: {' / '.join(others)})" if others else ""))


@main.command("report")
@click.option("--month", required=True, metavar="YYYY-MM", help="The month (Tokyo time), e.g. 2025-04.")
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "html"]), default="md", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.pass_obj
def report_cmd(settings: Settings, month: str, fmt: str, output: Path | None) -> None:
    """The month's answers per day and channel, outcome rates, what was asked most, 👍 / 👎 with the
    reasons, and the unanswered questions grouped: Markdown, CSV, or one HTML file that opens offline."""

    db = open_db(settings)
    names = {f"project:{p.id}": f"{p.id} {p.name}" for p in load_catalog(db).projects.values()}
    try:
        built = report.build(db, month, names=names)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from exc
    text = {"md": report.markdown, "csv": report.csv_text, "html": report.html_page}[fmt](built)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output} ({built.summary.total} answers in {month})", err=True)


@main.group("aliases")
def aliases_group() -> None:
    """Phrasings the bot understands."""


@aliases_group.command("add")
@click.argument("text")
@click.argument("target")
@click.pass_obj
def aliases_add(settings: Settings, text: str, target: str) -> None:
    """Teach that TEXT names TARGET (a project id like 2-3-1, or a glossary term). Kept across re-ingests;
    a running server picks it up without a restart."""

    db = open_db(settings)
    try:
        kind, target = add_user_alias(db, text, target)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{text!r} now names {kind} {target}")


from bot.line.cli import line_group  # noqa: E402  (its own module: the LINE account's commands)

main.add_command(line_group)

from bot.cli_inbound import inbound_group  # noqa: E402  (a group of its own module)

main.add_command(inbound_group)

from bot.cli_state import register as _register_state_commands  # noqa: E402

_register_state_commands(main)  # migrate, export-state, import-state

if __name__ == "__main__":  # pragma: no cover
    main()
