"""Parse the action plan's text (converted from PDF) into records.

The text is the document as converted, not a cleaned copy: table rows are tab-separated, cells
may hold HTML paragraphs, page headers repeat inside project blocks, a cell split by a page break
continues on a line of its own, and a sample page explains the layout with a fake 1-1-1.
Anything the parser does not recognise inside a project or the glossary is an error naming the
line, so that a changed or damaged document never produces half a project.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

from knowledge.records import (
    Approach,
    Evaluation,
    Indicator,
    KpiValue,
    Plan,
    Policy,
    Project,
    ScheduleItem,
    Term,
    reiwa_to_fiscal,
)


class PlanParseError(ValueError):
    """The document does not look like the action plan; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


_PROJECT_START = re.compile(r"^事業番号\t\s*(\d+-\d+-\d+)\s*(?:\t(.*))?$")
_POLICY = re.compile(r"^基本方針\s*(\d+)\s+(\S.*?)\s*$")
_APPROACH_HEADING = re.compile(r"^(\d+)\s+(\S.*?)\s*$")
_VISION = re.compile(r"^目指すべき姿\s*[:：]\s*(.*?)\s*$")
_EVAL_HEAD = re.compile(r"^令和\s*(\d+)\s*年度(?:\s*進捗)?$")
_SET_YEAR = re.compile(r"設定年度\s*[:：]\s*令和\s*(\d+)\s*年度")
_NEW_MARK = re.compile(r"[【\[]\s*R\s*(\d+)\s*新\s*[】\]]")
_YEAR_LABEL = re.compile(r"^R\s*(\d+)(?:\s*\[実績値\])?$")
_YEAR_PREFIX = re.compile(r"^R\s*(\d+)(?:\s+|$)(.*)$", re.S)
_GRADE = re.compile(r"^【\s*([A-D])\s*】\s*(.*)$", re.S)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_TARGET_ACTUAL = re.compile(rf"^({_NUMBER})\s*\[\s*({_NUMBER}|[—\-－–])?\s*\]$")
_REVISED = re.compile(rf"^({_NUMBER})\s*⇒\s*({_NUMBER})$")
_PLAIN = re.compile(rf"^{_NUMBER}$")
_NONE_VALUES = {"", "—", "-", "－", "–", "―"}
_UNIT = re.compile(r"[（(]\s*([^()（）]{1,4}?)\s*[)）]\s*$")
_URL = re.compile(r"https?://[^\s<>」）)]+")
_CJK = r"\u3040-\u30ff\u3400-\u9fff\uff01-\uff60、。・「」（）"
_OCR_KA = re.compile(r"(?<![\u3400-\u9fff])力(?=[\u30a1-\u30fa])")
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \t\u3000]+(?=[{_CJK}])")


def is_noise(line: str) -> bool:
    """Blank lines, PDF table rules (`----\t---`) and stray markup carry nothing."""
    s = line.strip()
    return not s or re.fullmatch(r"[-|\t :]+", s) is not None or s in {"<hr/>", "<hr>"}


def strip_markup(cell: str) -> str:
    """Cell HTML to text: paragraphs become lines, white space is folded."""
    text = re.sub(r"</p>\s*<p>", "\n", cell)
    text = re.sub(r"</?p>", "\n", text)
    text = re.sub(r"<br\s*/?>", "\n", text)
    text = re.sub(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>", "", text)  # not <参考情報>
    lines = [re.sub(r"[ \t\u3000]+", " ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def fix_ocr(text: str) -> str:
    """The kanji 力 read where the PDF has katakana カ ("デジタル化の力ギは人なり"): only before katakana
    and not after a kanji, where 力 (協力, 能力) cannot be part of a kanji word."""
    return _OCR_KA.sub("カ", text)


def close_cjk_gaps(text: str) -> str:
    """Narrow PDF columns break words ("必 要に応じて"); spaces between two CJK characters go."""
    return _CJK_GAP.sub("", text)


MAX_PLAN_NUMBER = 1e15  # integers stay exact below 2**53; no KPI in a city's plan comes near


def _number(text: str, lineno: int) -> float:
    """A KPI cell's number; one too large to hold (10**400 reads as inf) is refused with its line."""
    value = float(text.replace(",", ""))
    if not value <= MAX_PLAN_NUMBER:
        raise PlanParseError(lineno, f"KPI value too large for a plan: {text[:20]!r}")
    return value


def _cells(line: str) -> list[str]:
    return line.split("\t")


# --------------------------------------------------------------------------- project blocks


@dataclass
class _Block:
    id: str
    start: int
    note: str = ""
    name: str | None = None
    departments: tuple[str, ...] = ()
    overview: str | None = None
    overview_line: int = 0
    set_year: int | None = None
    schedule_years: list[int] = field(default_factory=list)
    schedule_rows: list[tuple[int, list[str], bool]] = field(default_factory=list)  # line, cells, labelled
    kpi_rows: list[tuple[int, list[str]]] = field(default_factory=list)
    eval_year: int | None = None
    grade_cell: str | None = None
    comment_parts: list[str] = field(default_factory=list)
    state: str = "head"
    end: int = 0


def _split_departments(cell: str) -> tuple[str, ...]:
    parts = re.split(r"[、,，/／]", strip_markup(cell))
    return tuple(p.strip() for p in parts if p.strip())


def _feed_block(block: _Block, lineno: int, line: str) -> None:
    cells = _cells(line)
    head = cells[0].strip()
    rest = cells[1:]

    if head == "事業名":
        if block.name is not None:
            raise PlanParseError(lineno, f"project {block.id} has a second 事業名")
        block.name = strip_markup("\t".join(rest))
        return
    if head == "担当部署":
        block.departments = _split_departments("\t".join(rest))
        return
    if head.startswith("事業概要"):
        m = _SET_YEAR.search(head)
        block.set_year = reiwa_to_fiscal(int(m.group(1))) if m else None
        block.overview = "\t".join(rest)
        block.overview_line = lineno
        return
    if head.startswith("スケジュール"):
        block.state = "schedule"
        labels = [c.strip() for c in rest if c.strip()]
        if labels and all(_YEAR_LABEL.match(c) for c in labels):
            block.schedule_years = [reiwa_to_fiscal(int(_YEAR_LABEL.match(c).group(1))) for c in labels]  # type: ignore[union-attr]
        elif labels:
            # "R4 窓口や出張先での申請サポートを実施\tR5 …": each cell names its own year.
            block.schedule_rows.append((lineno, rest, True))
        return
    if head.startswith("参考値"):
        block.state = "kpi"
        block.kpi_rows.append((lineno, rest))
        return
    m = _EVAL_HEAD.match(head)
    if m and block.eval_year is None:
        block.eval_year = reiwa_to_fiscal(int(m.group(1)))
        block.state = "eval"
        _feed_eval_row(block, lineno, rest)
        return
    if head == "進捗" and block.state == "eval":
        _feed_eval_row(block, lineno, rest)
        return
    if head == "" and rest:
        if block.state == "schedule":
            block.schedule_rows.append((lineno, rest, False))
        elif block.state == "kpi":
            block.kpi_rows.append((lineno, rest))
        elif block.state == "eval":
            _feed_eval_row(block, lineno, rest)
        else:
            raise PlanParseError(lineno, f"unexpected table row in project {block.id}")
        return
    raise PlanParseError(lineno, f"unrecognised line in project {block.id}: {line.strip()[:40]!r}")


def _feed_eval_row(block: _Block, lineno: int, cells: list[str]) -> None:
    label = cells[0].strip() if cells else ""
    if label.startswith("評価") and "コメント" in label:
        # 1-1-3 style: "評価 コメント\t<p>【B】…</p> <p>comment</p>"
        paragraphs = strip_markup("\t".join(cells[1:])).split("\n")
        block.grade_cell = paragraphs[0] if paragraphs else ""
        block.comment_parts.append("\n".join(paragraphs[1:]))
    elif label.startswith("評価"):
        block.grade_cell = strip_markup("\t".join(cells[1:]))
    elif label.startswith("コメント"):
        block.comment_parts.append(strip_markup("\t".join(cells[1:])))
    elif label == "" and block.grade_cell is not None:
        # A comment cell continued after a page break.
        block.comment_parts.append("\t".join(cells[1:]) if len(cells) > 1 else "")
    elif block.grade_cell is None:
        # 2-4-2 and 2-4-3: a schedule row printed in the 進捗 row's cells.
        block.schedule_rows.append((lineno, cells, False))
    else:
        raise PlanParseError(lineno, f"unrecognised evaluation row in project {block.id}")


def _join_comment(parts: list[str]) -> str:
    text = ""
    for raw in parts:
        piece = raw.strip()
        if not piece:
            continue
        piece = strip_markup(piece)
        if piece in _NONE_VALUES:
            continue
        if text and not text.endswith(("。", "！", "？", "）", ")", "」", "\n")):
            text += piece  # a sentence cut by a page break (even where the next cell opens a <p>)
        else:
            text = f"{text}\n{piece}" if text else piece
    return text


def _split_overview(cell: str, lineno: int, pid: str) -> tuple[str, str, str]:
    text = strip_markup(cell)
    parts: dict[str, str] = {}
    for m in re.finditer(r"【(現状|課題|目標)】(.*?)(?=【(?:現状|課題|目標)】|\Z)", text, re.S):
        parts[m.group(1)] = m.group(2).strip()
    missing = [k for k in ("現状", "課題", "目標") if k not in parts]
    if missing:
        raise PlanParseError(lineno, f"project {pid}: 事業概要 lacks 【{'】【'.join(missing)}】")
    return parts["現状"], parts["課題"], parts["目標"]


def _schedule_items(block: _Block) -> tuple[ScheduleItem, ...]:
    years = block.schedule_years or [reiwa_to_fiscal(n) for n in (4, 5, 6, 7)]
    items: list[ScheduleItem] = []
    for lineno, cells, labelled in block.schedule_rows:
        placed: list[tuple[int, str]] = []  # (year, cell text) in the order printed, empty cells included
        for pos, cell in enumerate(cells):
            text = close_cjk_gaps(strip_markup(cell))
            if labelled:
                if not text:
                    continue
                m = _YEAR_PREFIX.match(text)
                if not m:
                    raise PlanParseError(lineno, f"project {block.id}: schedule cell without a year: {text[:30]!r}")
                placed.append((reiwa_to_fiscal(int(m.group(1))), m.group(2).strip()))
            elif pos >= len(years):
                if text:
                    raise PlanParseError(lineno, f"project {block.id}: schedule row has more cells than years")
            else:
                placed.append((years[pos], text))
        for i, (year, text) in enumerate(placed):
            # The plan draws an arrow from an item across the empty cells after it; the conversion
            # lost the arrows, so an item followed by an empty cell runs on from its year.
            continues = i + 1 < len(placed) and not placed[i + 1][1]
            pending_mark: int | None = None
            for paragraph in text.split("\n"):
                marker = _NEW_MARK.search(paragraph)
                new_in = reiwa_to_fiscal(int(marker.group(1))) if marker else pending_mark
                paragraph = _NEW_MARK.sub("", paragraph).strip()
                if not paragraph:
                    pending_mark = new_in  # "【R4 新】" alone marks the paragraph after it
                    continue
                pending_mark = None
                items.append(ScheduleItem(row=len(items), fiscal_year=year, text=paragraph, new_in=new_in,
                                          continues=continues))
    return tuple(items)


def _split_circled(text: str) -> list[tuple[int, str]]:
    """'① 12 ② 598' -> [(1, '12'), (2, '598')]; text without markers is indicator 1."""
    if not any(c in text for c in _CIRCLED):
        return [(1, text.strip())]
    out = []
    for m in re.finditer(rf"([{_CIRCLED}])([^{_CIRCLED}]*)", text):
        out.append((_CIRCLED.index(m.group(1)) + 1, m.group(2).strip()))
    return out


def _kpi_cell(text: str, year: int, lineno: int, pid: str) -> list[KpiValue]:
    text = text.strip()
    if text in _NONE_VALUES:
        return [KpiValue(year, "target", None, text)]
    m = _TARGET_ACTUAL.match(text)
    if m:
        actual = m.group(2)
        return [
            KpiValue(year, "target", _number(m.group(1), lineno), text),
            KpiValue(year, "actual", None if actual is None or actual in _NONE_VALUES else _number(actual, lineno), text),
        ]
    m = _REVISED.match(text)
    if m:
        return [KpiValue(year, "target", _number(m.group(2), lineno), text, revised_from=_number(m.group(1), lineno))]
    if _PLAIN.match(text):
        return [KpiValue(year, "target", _number(text, lineno), text)]
    raise PlanParseError(lineno, f"project {pid}: KPI value not understood: {text!r}")


@dataclass
class _KpiTable:
    """The 参考値 table's rows as read: labels, the baseline column, the years and their values."""
    labels: list[tuple[int, str]] = field(default_factory=list)
    baseline_year: int | None = None
    baselines: list[tuple[int, str]] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    values: list[tuple[int, list[str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _indicators(block: _Block) -> tuple[Indicator, ...]:
    if not block.kpi_rows:
        return ()
    header_line = block.kpi_rows[0][0]
    table = _kpi_table(block)
    if not table.labels or not table.years or not table.values:
        raise PlanParseError(header_line, f"project {block.id}: 参考値 table is incomplete")
    per_indicator = _kpi_values(block, table)
    out = []
    for no, label in table.labels:
        unit_match = _UNIT.search(label)
        out.append(Indicator(no=no, label=label, unit=unit_match.group(1) if unit_match else None,
                             values=tuple(per_indicator[no]), note="\n".join(table.notes)))
    return tuple(out)


def _kpi_table(block: _Block) -> _KpiTable:
    t = _KpiTable()
    header_line, header = block.kpi_rows[0]
    head_cells = [strip_markup(c) for c in header if c.strip()]
    if not head_cells or not head_cells[0].startswith("内容"):
        raise PlanParseError(header_line, f"project {block.id}: 参考値 table without 内容")
    year_label = _YEAR_LABEL.match(head_cells[-1])
    if year_label:
        t.baseline_year = reiwa_to_fiscal(int(year_label.group(1)))
    inline_label = head_cells[0][len("内容"):].strip()
    if inline_label:
        t.labels = _split_circled(inline_label)  # 2-3-3 prints the label inside the header cell
    for lineno, cells in block.kpi_rows[1:]:
        filled = [x for x in (strip_markup(c) for c in cells) if x]
        if filled:
            _kpi_row(block, t, lineno, filled)
    return t


def _kpi_row(block: _Block, t: _KpiTable, lineno: int, filled: list[str]) -> None:
    years = [_YEAR_LABEL.match(x) for x in filled]
    if all(years):
        t.years = [reiwa_to_fiscal(int(m.group(1))) for m in years if m]
    elif filled[0].startswith("※"):
        t.notes.append(" ".join(filled))
    elif t.years and not t.values:
        t.values = [(lineno, filled)]
    elif not t.labels:
        t.labels = _split_circled(filled[0])
        if len(filled) > 1:
            t.baselines = _split_circled(filled[-1])
    else:
        raise PlanParseError(lineno, f"project {block.id}: unexpected row in the 参考値 table")


def _kpi_values(block: _Block, t: _KpiTable) -> dict[int, list[KpiValue]]:
    lineno, cells = t.values[0]
    if len(cells) != len(t.years):
        raise PlanParseError(lineno, f"project {block.id}: {len(cells)} KPI values for {len(t.years)} years")
    per_indicator: dict[int, list[KpiValue]] = {no: [] for no, _ in t.labels}
    for no, text in t.baselines:
        if t.baseline_year is not None and no in per_indicator:
            value = None if text in _NONE_VALUES else _number(text, lineno) if _PLAIN.match(text) else None
            per_indicator[no].append(KpiValue(t.baseline_year, "baseline", value, text))
    for year, cell in zip(t.years, cells, strict=True):
        for no, text in _split_circled(cell):
            if no not in per_indicator:
                raise PlanParseError(lineno, f"project {block.id}: KPI value for unknown indicator {no}")
            per_indicator[no].extend(_kpi_cell(text, year, lineno, block.id))
    return per_indicator


def _finish_block(block: _Block, policies: dict[int, Policy], approaches: dict[str, Approach]) -> Project:
    missing = [
        label
        for label, value in (
            ("事業名", block.name),
            ("担当部署", block.departments or None),
            ("事業概要", block.overview),
            ("令和N年度 進捗", block.eval_year),
            ("評価", block.grade_cell),
        )
        if value is None
    ]
    if missing:
        raise PlanParseError(
            block.start,
            f"project {block.id} (lines {block.start}–{block.end}) is incomplete: missing {', '.join(missing)}",
        )
    policy_id, approach_no, _ = (int(x) for x in block.id.split("-"))
    approach_id = f"{policy_id}-{approach_no}"
    if approach_id not in approaches:
        raise PlanParseError(block.start, f"project {block.id} belongs to no known approach {approach_id}")
    current, issue, goal = (close_cjk_gaps(t) for t in _split_overview(block.overview or "", block.overview_line, block.id))
    grade_text = (block.grade_cell or "").strip()
    m = _GRADE.match(grade_text)
    if m:
        grade = m.group(1)
    elif grade_text in _NONE_VALUES:
        grade = None
    else:
        raise PlanParseError(block.start, f"project {block.id}: grade not understood: {grade_text[:20]!r}")
    name = block.name or ""
    repost = re.search(r"[（(]再掲[)）]\s*$", name)
    return Project(
        id=block.id,
        name=name,
        departments=block.departments,
        policy_id=policy_id,
        approach_id=approach_id,
        set_year=block.set_year,
        current=current,
        issue=issue,
        goal=goal,
        schedule=_schedule_items(block),
        indicators=_indicators(block),
        evaluations=(Evaluation(fiscal_year=block.eval_year or 0, grade=grade, comment=close_cjk_gaps(_join_comment(block.comment_parts))),),
        note=block.note,
        repost_of="" if repost else None,  # resolved once every project is known
        line=block.start,
    )


# --------------------------------------------------------------------------- glossary


def _parse_glossary(lines: list[tuple[int, str]]) -> tuple[Term, ...]:
    entries: list[tuple[str, list[str]]] = []
    attached = False  # inside the URL / download block that follows a definition
    for lineno, line in lines:
        s = line.strip()
        if s in {"<hr/>", "<hr>"}:
            attached = False
            continue
        if is_noise(line) or re.fullmatch(r"用語\t+解説", s):
            continue
        flat = re.sub(r"\s*\t\s*", " ", s).strip()
        if attached or s.startswith("【") or s.startswith("http"):
            if not entries:
                raise PlanParseError(lineno, "glossary text before the first term")
            attached = attached or s.startswith("【")
            entries[-1][1].append(flat)
            continue
        if "\t" in s:
            term, definition = (p.strip() for p in s.split("\t", 1))
            if not term or not definition:
                raise PlanParseError(lineno, f"glossary row without a term or definition: {s[:40]!r}")
            entries.append((term, [definition]))
        elif entries:
            entries[-1][1].append(flat)  # a definition wrapped onto the next line
        else:
            raise PlanParseError(lineno, f"glossary text before the first term: {s[:40]!r}")
    terms = []
    for i, (term, parts) in enumerate(entries):
        definition = "\n".join(parts)
        terms.append(Term(term=term, definition=definition, urls=tuple(_URL.findall(definition)), position=i + 1))
    return tuple(terms)


# --------------------------------------------------------------------------- document


def parse_plan(text: str) -> Plan:
    """Parse the whole document. Raises :class:`PlanParseError` naming the line it could not read."""
    raw_lines = text.splitlines()
    numbered = list(enumerate(raw_lines, start=1))
    layout = _layout(raw_lines, numbered)
    body = _Body(first_project=layout.first_project)
    for lineno, line in numbered:
        if layout.body_start <= lineno < layout.glossary_at:
            body.feed(lineno, line)
    blocks = body.close(layout.glossary_at)
    projects = _projects(blocks, body.policies, body.approaches)
    glossary = _parse_glossary([(n, ln) for n, ln in numbered if layout.glossary_at < n < layout.glossary_end])
    if not glossary:
        raise PlanParseError(layout.glossary_at, "the glossary is empty")
    return Plan(
        title=layout.title,
        edition=layout.edition,
        policies=tuple(sorted(body.policies.values(), key=lambda p: p.id)),
        approaches=tuple(sorted(body.approaches.values(), key=lambda a: a.id)),
        projects=tuple(projects),
        glossary=glossary,
        source_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


@dataclass(frozen=True)
class _Layout:
    title: str
    edition: str
    glossary_at: int
    glossary_end: int
    body_start: int
    first_project: int


def _layout(raw_lines: list[str], numbered: list[tuple[int, str]]) -> _Layout:
    """Where the parts of the document are: its title, the body after the sample page, the glossary."""
    nonblank = [ln.strip() for ln in raw_lines if ln.strip()]
    if not nonblank:
        raise PlanParseError(1, "empty document")
    title = nonblank[0]
    edition = next((ln.strip() for ln in raw_lines if re.search(r"年.*月\s*改定\s*$", ln.strip())), "")
    glossary_at = next((n for n, ln in numbered if ln.strip() == "用語集"), None)
    if glossary_at is None:
        raise PlanParseError(len(raw_lines), "no 用語集 (glossary) section")
    glossary_end = next((n for n, ln in numbered if n > glossary_at and ln.strip() == title), len(raw_lines) + 1)
    sample_at = next((n for n, ln in numbered if "ページの見方" in ln), None)
    sample_end = 0
    if sample_at is not None:
        sample_end = next((n for n, ln in numbered if n > sample_at and _POLICY.match(ln.strip())), 0)
        if not sample_end:
            raise PlanParseError(sample_at, "the sample page is not followed by a 基本方針 section")
    body_start = sample_end or 1
    first_project = next((n for n, ln in numbered if n >= body_start and _PROJECT_START.match(ln)), None)
    if first_project is None:
        raise PlanParseError(body_start, "no project (事業番号) found")
    return _Layout(title, edition, glossary_at, glossary_end, body_start, first_project)


class _Body:
    """The body read line by line: policy and approach headings, and each project's block."""

    def __init__(self, *, first_project: int) -> None:
        self.first_project = first_project
        self.policies: dict[int, Policy] = {}
        self.approaches: dict[str, Approach] = {}
        self.blocks: list[_Block] = []
        self.block: _Block | None = None
        self.policy: int | None = None
        self.heading: tuple[int, str] | None = None
        self.opened: set[int] = set()  # policies whose section has begun (an approach's vision was read)

    def feed(self, lineno: int, line: str) -> None:
        stripped = line.strip()
        m = _PROJECT_START.match(line)
        if m:
            if self.block is not None:
                self.block.end = lineno - 1
                self.blocks.append(self.block)
            self.block = _Block(id=m.group(1), start=lineno, note=(m.group(2) or "").strip())
            self.heading = None
        elif is_noise(line):
            return
        elif not self._heading(lineno, line, stripped):
            if self.block is None:
                if lineno < self.first_project:
                    return  # narrative chapters before the first project
                raise PlanParseError(lineno, f"text outside any project: {stripped[:40]!r}")
            _feed_block(self.block, lineno, line)

    def _heading(self, lineno: int, line: str, stripped: str) -> bool:
        """A policy, an approach heading or an approach's vision: True when the line was one."""
        m = _POLICY.match(stripped)
        if m and "\t" not in line:
            self.policy = int(m.group(1))
            if self.policy not in self.opened:  # the title is the heading that opens its section (below)
                self.policies[self.policy] = Policy(self.policy, fix_ocr(m.group(2)))
            return True
        m = _APPROACH_HEADING.match(stripped)
        if m and "\t" not in line and self.policy is not None:
            self.heading = (int(m.group(1)), m.group(2))  # a page header, or an approach with its vision next
            return True
        m = _VISION.match(stripped)
        if not m:
            return False
        if self.heading is None or self.policy is None:
            raise PlanParseError(lineno, "目指すべき姿 without an approach heading")
        # A policy's title is the heading before its first approach, not one in the narrative
        # chapters that the sample page (when a copy lacks it) no longer fences off.
        self.opened.add(self.policy)
        aid = f"{self.policy}-{self.heading[0]}"
        self.approaches[aid] = Approach(aid, self.policy, self.heading[1], m.group(1))
        self.heading = None
        return True

    def close(self, glossary_at: int) -> list[_Block]:
        if self.block is not None:
            self.block.end = glossary_at - 1
            self.blocks.append(self.block)
        return self.blocks


def _projects(blocks: list[_Block], policies: dict[int, Policy], approaches: dict[str, Approach]) -> list[Project]:
    projects: list[Project] = []
    seen: dict[str, int] = {}
    for b in blocks:
        if b.id in seen:
            raise PlanParseError(b.start, f"project {b.id} appears twice (first at line {seen[b.id]})")
        seen[b.id] = b.start
        projects.append(_finish_block(b, policies, approaches))
    projects = _resolve_reposts(projects)
    for a in approaches.values():
        if a.policy_id not in policies:
            raise PlanParseError(1, f"approach {a.id} under unknown policy {a.policy_id}")
    return projects


def _resolve_reposts(projects: list[Project]) -> list[Project]:
    """A project marked (再掲) repeats an earlier one of the same name: link it."""
    by_name = {p.name: p.id for p in projects if p.repost_of is None}
    out = []
    for p in projects:
        if p.repost_of is not None:
            base = re.sub(r"\s*[（(]再掲[)）]\s*$", "", p.name)
            p = replace(p, repost_of=by_name.get(base))
        out.append(p)
    return out
