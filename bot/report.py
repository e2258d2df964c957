"""The monthly report the city reads: ``dxbot report`` (Markdown, CSV or one HTML file that opens
offline) and the staff page ``/admin`` (the same HTML, with a form per unanswered cluster to teach
an alias). Charts are inline SVG drawn here: no script, no CDN, no file beside it.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scheduler.calendar import TOKYO
from state.conversations import QuestionLog, group_similar
from state.feedback import OUTCOMES, MonthSummary, month_bounds, summarise

CHANNEL_COLOUR = {"web": "#0b57d0", "slack": "#6a1b9a", "line": "#1b7a35"}  # ≥ 4.5:1 on white
OTHER_COLOUR = "#5f6368"
OUTCOME_LABEL = {"answered": "回答 / answered", "clarified": "聞き返し / clarified", "unknown": "不明 / unknown",
                 "out_of_scope": "対象外 / out of scope"}
TOP = 10  # projects and terms listed
CLUSTERS = 20  # unanswered clusters listed


@dataclass(frozen=True)
class Report:
    summary: MonthSummary
    clusters: tuple[tuple[str, int, tuple[str, ...]], ...]  # representative, count, variants
    names: dict[str, str]  # "project:2-3-1" -> "2-3-1 RPA の活用拡充"


def build(db: Any, month: str, *, names: dict[str, str] | None = None, zone: Any = TOKYO) -> Report:
    """The month's report from the state (ValueError for a malformed month)."""
    summary = summarise(db, month, zone=zone)
    start, end = month_bounds(month, zone=zone)
    end_iso = end.astimezone(start.tzinfo).isoformat()
    rows = [r for r in QuestionLog(db).since(start) if _before(r["at"], end_iso)]
    clusters = tuple((rep, n, tuple(v)) for rep, n, v in group_similar([r["text"] for r in rows])[:CLUSTERS])
    return Report(summary, clusters, names or {})


def _before(at: str, end_iso: str) -> bool:
    return datetime.fromisoformat(at) < datetime.fromisoformat(end_iso)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _name(report: Report, subject: str) -> str:
    return report.names.get(subject) or subject.split(":", 1)[-1]


# ------------------------------------------------------------------ Markdown


def markdown(report: Report) -> str:
    s = report.summary
    out = [f"# dxbot monthly report {s.month}", "", f"Answers: **{s.total}**", "",
           "## Answers per day and channel", "", "| day | " + " | ".join(s.channels) + " | total |",
           "|---|" + "---:|" * (len(s.channels) + 1)]
    for day in s.days:
        counts = s.per_day[day]
        if counts:
            out.append(f"| {day} | " + " | ".join(str(counts.get(c, 0)) for c in s.channels)
                       + f" | {sum(counts.values())} |")
    out += ["", "## Outcomes", "", "| outcome | answers | rate |", "|---|---:|---:|"]
    out += [f"| {o} | {s.outcomes.get(o, 0)} | {_pct(s.rate(o))} |" for o in OUTCOMES]
    out += ["", "## Asked most", "", "| project or term | answers |", "|---|---:|"]
    out += [f"| {_md(_name(report, k))} | {n} |" for k, n in s.subjects[:TOP]]
    out += ["", "## Feedback", "", f"👍 {s.votes.get('up', 0)} / 👎 {s.votes.get('down', 0)} "
            f"(👍 rate {_pct(s.up_rate)})", ""]
    if s.reasons:
        out += ["| day | channel | 👎 reason |", "|---|---|---|"]
        out += [f"| {d} | {c} | {_md(r)} |" for d, c, r in s.reasons]
    out += ["", "## Unanswered (grouped)", "", "| count | question | also asked as |", "|---:|---|---|"]
    out += [f"| {n} | {_md(rep)} | {_md(' / '.join(v for v in vs if v != rep)[:200])} |"
            for rep, n, vs in report.clusters]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# ------------------------------------------------------------------ CSV


def csv_text(report: Report) -> str:
    """One row per figure: section, key, channel, value (a spreadsheet pivots it)."""
    s = report.summary
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["section", "key", "channel", "value"])
    for day in s.days:
        for channel, n in sorted(s.per_day[day].items()):
            w.writerow(["answers", day, channel, n])
    for o in OUTCOMES:
        w.writerow(["outcome", o, "", s.outcomes.get(o, 0)])
    for k, n in s.subjects:
        w.writerow(["subject", _name(report, k), "", n])
    for channel, tally in sorted(s.votes_by_channel.items()):
        for vote in ("up", "down"):
            w.writerow(["vote", vote, channel, tally.get(vote, 0)])
    for day, channel, reason in s.reasons:
        w.writerow(["reason", day, channel, reason])
    for rep, n, _ in report.clusters:
        w.writerow(["unanswered", rep, "", n])
    return buf.getvalue()


# ------------------------------------------------------------------ HTML with inline SVG

_STYLE = """
body{font:15px/1.6 system-ui,"Hiragino Sans","Noto Sans JP","IPAGothic",sans-serif;color:#1b1b1b;background:#fff;
margin:0 auto;max-width:60rem;padding:1rem}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.4rem 0 .4rem;border-bottom:1px solid #c4c7c5}
.meta{color:#5f6368;font-size:.85rem}.kpis{display:flex;flex-wrap:wrap;gap:.6rem;padding:0;list-style:none}
.kpis li{border:1px solid #c4c7c5;border-radius:8px;padding:.4rem .8rem;min-width:8rem}
.kpis b{display:block;font-size:1.3rem}svg{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.2rem .4rem;
border-bottom:1px solid #e3e3e3;vertical-align:top}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.legend{display:flex;gap:1rem;flex-wrap:wrap;padding:0;list-style:none;font-size:.85rem}
.sw{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
.sw.web{background:#0b57d0}.sw.slack{background:#6a1b9a}.sw.line{background:#1b7a35}.sw.other{background:#5f6368}
form.teach{display:flex;flex-wrap:wrap;gap:.3rem;align-items:center}
form.teach input{font:inherit;padding:.15rem .3rem;border:1px solid #767676;border-radius:4px;width:9rem}
button{font:inherit;border:1px solid #0b57d0;color:#0b57d0;background:#fff;border-radius:4px;padding:.1rem .6rem;cursor:pointer}
button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.note{background:#f1f4f9;border-radius:6px;padding:.4rem .7rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
"""


def style_hash() -> str:
    """The CSP source that lets exactly this page's one inline style block run."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode() + "'"


def _e(text: object) -> str:
    return html.escape(str(text))


def _colour(channel: str) -> str:
    return CHANNEL_COLOUR.get(channel, OTHER_COLOUR)


def day_chart(s: MonthSummary) -> str:
    """Answers per day, stacked by channel: one bar a day."""
    width, height, left, bottom, top = 720, 220, 36, 24, 10
    peak = max((sum(c.values()) for c in s.per_day.values()), default=0) or 1
    slot = (width - left) / max(1, len(s.days))
    bars = []
    for i, day in enumerate(s.days):
        y = float(height - bottom)
        for channel in s.channels:
            n = s.per_day[day].get(channel, 0)
            if not n:
                continue
            h = n / peak * (height - bottom - top)
            y -= h
            bars.append(f'<rect x="{left + i * slot + 1:.1f}" y="{y:.1f}" width="{max(1.0, slot - 2):.1f}" '
                        f'height="{h:.1f}" fill="{_colour(channel)}"><title>{_e(day)} {_e(channel)}: {n}</title></rect>')
    ticks = "".join(
        f'<text x="{left + i * slot + slot / 2:.1f}" y="{height - 8}" font-size="10" text-anchor="middle" '
        f'fill="#1b1b1b">{int(day[-2:])}</text>' for i, day in enumerate(s.days) if i % 5 == 0 or i == len(s.days) - 1)
    axis = (f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#5f6368"/>'
            f'<text x="{left - 4}" y="{top + 8}" font-size="10" text-anchor="end" fill="#1b1b1b">{peak}</text>'
            f'<text x="{left - 4}" y="{height - bottom}" font-size="10" text-anchor="end" fill="#1b1b1b">0</text>')
    label = f"{s.month}: answers per day by channel (peak {peak})"
    return (f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{_e(label)}" '
            f'xmlns="http://www.w3.org/2000/svg">{axis}{"".join(bars)}{ticks}</svg>')


def rate_chart(parts: list[tuple[str, int, str]], *, label: str) -> str:
    """One horizontal bar split into parts (label, count, colour), each with its share."""
    width, height = 720, 34
    total = sum(n for _, n, _ in parts) or 1
    x, rects = 0.0, []
    for name, n, colour in parts:
        w = n / total * width
        if w:
            rects.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{colour}">'
                         f"<title>{_e(name)}: {n} ({n / total * 100:.1f}%)</title></rect>")
        x += w
    return (f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{_e(label)}" '
            f'xmlns="http://www.w3.org/2000/svg">{"".join(rects)}</svg>')


_OUTCOME_COLOUR = {"answered": "#1b7a35", "clarified": "#0b57d0", "unknown": "#b45309", "out_of_scope": "#5f6368"}


def html_page(report: Report, *, teach: Callable[[str], str] | None = None, notice: str = "") -> str:
    """The report as one HTML document; ``teach(question)`` draws a cluster's alias form (/admin)."""
    s = report.summary
    legend = "".join(f'<li><span class="sw {_e(c if c in CHANNEL_COLOUR else "other")}"></span>{_e(c)}</li>'
                     for c in s.channels)
    rows = "".join(f"<tr><td>{_e(d)}</td>" + "".join(f'<td class="n">{s.per_day[d].get(c, 0)}</td>' for c in s.channels)
                   + f'<td class="n">{sum(s.per_day[d].values())}</td></tr>' for d in s.days if s.per_day[d])
    outcome_parts = [(OUTCOME_LABEL[o], s.outcomes.get(o, 0), _OUTCOME_COLOUR[o]) for o in OUTCOMES]
    outcome_rows = "".join(f'<tr><td>{_e(OUTCOME_LABEL[o])}</td>'
                           f'<td class="n">{s.outcomes.get(o, 0)}</td><td class="n">{_pct(s.rate(o))}</td></tr>'
                           for o in OUTCOMES)
    subjects = "".join(f'<tr><td>{_e(_name(report, k))}</td><td class="n">{n}</td></tr>' for k, n in s.subjects[:TOP])
    up, down = s.votes.get("up", 0), s.votes.get("down", 0)
    reasons = "".join(f"<tr><td>{_e(d)}</td><td>{_e(c)}</td><td>{_e(r)}</td></tr>" for d, c, r in s.reasons)
    clusters = "".join(
        f'<tr><td class="n">{n}</td><td>{_e(rep)}</td><td>{_e(" / ".join(v for v in vs if v != rep)[:200])}</td>'
        + (f"<td>{teach(rep)}</td>" if teach else "") + "</tr>" for rep, n, vs in report.clusters)
    teach_head = "<th>教える / teach an alias</th>" if teach else ""
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>dxbot 月次レポート / monthly report {_e(s.month)}</title><style>{_STYLE}</style></head>
<body><main>
<h1>dxbot 月次レポート / monthly report {_e(s.month)}</h1>
<p class="meta">船橋市 DX アクションプラン案内 — Slack, LINE and the web chat</p>
{f'<p class="note" role="status">{_e(notice)}</p>' if notice else ""}
<ul class="kpis">
<li>回答数 / answers<b>{s.total}</b></li>
<li>回答率 / answered<b>{_pct(s.rate("answered"))}</b></li>
<li>不明 / unknown<b>{_pct(s.rate("unknown"))}</b></li>
<li>役に立った率 / helpful<b>{_pct(s.up_rate)}</b></li>
</ul>
<h2>日別・チャネル別 / Answers per day and channel</h2>
<ul class="legend">{legend}</ul>
{day_chart(s)}
<details><summary>表 / table</summary><table><thead><tr><th>day</th>{"".join(f'<th class="n">{_e(c)}</th>' for c in s.channels)}
<th class="n">total</th></tr></thead><tbody>{rows}</tbody></table></details>
<h2>結果 / Outcomes</h2>
{rate_chart(outcome_parts, label="outcomes: " + ", ".join(f"{n} {name}" for name, n, _ in outcome_parts))}
<table><thead><tr><th>outcome</th><th class="n">answers</th><th class="n">rate</th></tr></thead>
<tbody>{outcome_rows}</tbody></table>
<h2>よく聞かれた事業・用語 / Asked most</h2>
<table><thead><tr><th>project or term</th><th class="n">answers</th></tr></thead><tbody>{subjects}</tbody></table>
<h2>評価 / Feedback</h2>
{rate_chart([("helpful", up, "#1b7a35"), ("not helpful", down, "#b3261e")], label=f"feedback: {up} helpful, {down} not helpful")}
<p>役に立った / helpful {up} — 役に立たなかった / not helpful {down} — 役に立った率 / helpful rate {_pct(s.up_rate)}</p>
<table><thead><tr><th>day</th><th>channel</th><th>理由 / reason (not helpful)</th></tr></thead><tbody>{reasons}</tbody></table>
<h2>答えられなかった質問 / Unanswered, grouped</h2>
<table><thead><tr><th class="n">count</th><th>question</th><th>also asked as</th>{teach_head}</tr></thead>
<tbody>{clusters}</tbody></table>
</main></body></html>
"""
