"""What a reminder says, independent of the platform that carries it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from knowledge.catalog import Catalog
from knowledge.records import GRADES, fiscal_to_reiwa


@dataclass(frozen=True)
class Indicator:
    no: int
    label: str
    unit: str | None
    target: float | None  # the target for the year being evaluated, if the plan sets one


@dataclass(frozen=True)
class Item:
    project_id: str
    name: str
    last_grade: str | None
    last_year: int | None
    last_comment: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Notice:
    key: str
    kind: str  # "reminder" | "overdue" | "snooze" | "summary" | "unrouted" | "digest" | "unknown"
    department: str
    fiscal_year: int
    deadline: date
    late: bool = False
    items: tuple[Item, ...] = ()
    missing: tuple[tuple[str, tuple[str, ...]], ...] = ()  # summary: department -> missing projects
    unrouted: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()  # digest: the top unanswered questions; unknown: the held keys
    mention: tuple[str, ...] = ()  # users to mention where the notice is posted

    @property
    def snoozable(self) -> bool:
        return self.kind in {"reminder", "snooze"}


def items_for(catalog: Catalog, project_ids: list[str], fiscal_year: int) -> tuple[Item, ...]:
    out = []
    for pid in project_ids:
        p = catalog.projects.get(pid)
        if p is None:
            continue
        e = p.latest_evaluation()
        indicators = tuple(
            Indicator(i.no, i.label, i.unit, (t.value if (t := i.value(fiscal_year, "target")) else None))
            for i in p.indicators
        )
        out.append(Item(p.id, p.name, e.grade if e else None, e.fiscal_year if e else None,
                        e.comment if e else "", indicators))
    return tuple(out)


def _date(d: date) -> str:
    return f"{d.month}月{d.day}日"


def notice_text(n: Notice) -> str:
    """The plain text of a notice (Slack's fallback, the dry run, logs)."""
    reiwa = fiscal_to_reiwa(n.fiscal_year)
    late = "（このお知らせは予定より遅れてお送りしています）\n" if n.late else ""
    if n.kind == "summary":
        lines = [f"【評価の提出状況】令和{reiwa}年度の締切（{_date(n.deadline)}）を過ぎました。未提出:"]
        lines += [f"・{dept}: {', '.join(pids)}" for dept, pids in n.missing]
        return late + "\n".join(lines)
    if n.kind == "digest":
        return "【今週の未回答の質問】答えられなかった質問の上位です。`dxbot aliases add 言い方 対象` で覚えさせられます。\n" + \
            "\n".join(f"・{line}" for line in n.lines)
    if n.kind == "unknown":
        return ("【送信を確認できないリマインダー】再起動後、次のリマインダーが届いたかどうかを Slack の履歴で確認できませんでした。"
                "二重送信を避けるため保留しています。チャンネルを確認し、`dxbot reminders resolve キー sent`（届いていた）"
                "または `dxbot reminders resolve キー resend`（送り直す）で決めてください。\n"
                + "\n".join(f"・{key}" for key in n.lines))
    if n.kind == "unrouted":
        return (f"{late}【送付先が未設定の部署】次の部署にリマインダーを送れませんでした: {'、'.join(n.unrouted)}\n"
                "`dxbot departments set 部署名 --channel C…` で送付先を設定してください。")
    if n.kind == "overdue":
        head = f"【締切超過】令和{reiwa}年度の事業評価の締切（{_date(n.deadline)}）を過ぎています。至急ご提出ください。"
    else:
        head = f"【評価入力のお願い】令和{reiwa}年度の事業評価の締切は {_date(n.deadline)} です。"
    lines = [late + head, f"宛先: {n.department}"]
    for item in n.items:
        last = f"前回: {item.last_grade}（{GRADES[item.last_grade]}、令和{fiscal_to_reiwa(item.last_year)}年度）" \
            if item.last_grade and item.last_year else "前回: 評価なし"
        lines.append(f"・{item.project_id} {item.name} — {last}")
        for ind in item.indicators:
            target = "目標なし" if ind.target is None else f"目標 {ind.target:,g}{ind.unit or ''}"
            lines.append(f"  参考値{ind.no}: {ind.label}（令和{reiwa}年度 {target}）")
    return "\n".join(lines)
