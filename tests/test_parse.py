"""The parsed plan against the document itself (values transcribed from the plan text)."""

from __future__ import annotations

import pytest

from knowledge.parse import PlanParseError, parse_plan
from knowledge.records import Plan

# id: (name, departments, R4 grade) as printed in the plan
PROJECTS = {
    "1-1-1": ("オンライン申請の拡充", ["デジタル行政推進課"], "B"),
    "1-1-2": ("オンラインによる行政情報の発信強化", ["広報課", "デジタル行政推進課"], "B"),
    "1-1-3": ("マイナンバーカードの普及促進", ["戸籍住民課"], "B"),
    "1-2-1": ("窓口のワンストップ化", ["戸籍住民課"], "B"),
    "1-2-2": ("キャッシュレス決済の拡充", ["デジタル行政推進課", "税務課"], "A"),
    "1-3-1": ("オープンデータの整備", ["デジタル行政推進課"], "B"),
    "1-3-2": ("市役所データの見える化", ["デジタル行政推進課"], "A"),
    "1-3-3": ("官民共創によるデータ利活用", ["デジタル行政推進課"], "B"),
    "2-1-1": ("文書管理システムの電子決裁導入", ["総務法制課"], "B"),
    "2-1-2": ("財務会計事務のデジタル化", ["財政課", "契約課", "会計課"], "B"),
    "2-1-3": ("Web 会議の推進", ["デジタル行政推進課"], "B"),
    "2-2-1": ("テレワーク環境の充実", ["デジタル行政推進課"], "C"),
    "2-2-2": ("サテライトオフィスの検討", ["デジタル行政推進課", "人事課"], "B"),
    "2-3-1": ("RPA の活用拡充", ["デジタル行政推進課"], "B"),
    "2-3-2": ("AI 等先進技術の強化", ["デジタル行政推進課"], "B"),
    "2-3-3": ("BPR の徹底", ["デジタル行政推進課"], "B"),
    "2-4-1": ("システムの標準化・共通化対応", ["システム所管課", "デジタル行政推進課"], "B"),
    "2-4-2": ("システムのクラウド化", ["システム所管課", "デジタル行政推進課"], "B"),
    "2-4-3": ("庁内ネットワークの再構築", ["デジタル行政推進課"], None),
    "3-1-1": ("スマホコンシェルジュの拡充", ["社会教育課"], "B"),
    "3-1-2": ("スマートフォン講座等の充実", ["デジタル行政推進課", "中央公民館"], "C"),
    "3-1-3": ("窓口へのデジタル端末の配備", ["デジタル行政推進課"], "B"),
    "4-1-1": ("セキュリティ研修の実施", ["デジタル行政推進課"], "A"),
    "4-1-2": ("セキュリティ環境の深化", ["デジタル行政推進課"], "B"),
    "5-1-1": ("デジタル人材の育成", ["デジタル行政推進課"], "B"),
    "5-1-2": ("セキュリティ研修の実施(再掲)", ["デジタル行政推進課"], "A"),
}

# id: [(label start, baseline, {fiscal year: (target, actual)}, {year: revised_from})]
KPIS = {
    "1-1-1": [
        ("26手続の内", 12, {2022: (26, 26), 2023: (None, None), 2024: (None, None), 2025: (None, None)}, {}),
        ("その他のオンライン申請様式数", 598, {2022: (800, 908), 2023: (1000, None), 2024: (1200, None), 2025: (1400, None)}, {}),
    ],
    "1-1-2": [("市公式アプリ「ふなっぷ」の利用者数", 13875,
               {2022: (19000, 17124), 2023: (20000, None), 2024: (23000, None), 2025: (26000, None)},
               {2023: 24000, 2024: 29000, 2025: 34000})],
    "1-3-1": [("オープンデータの公開数", 747, {2022: (800, 765), 2023: (850, None), 2024: (900, None), 2025: (950, None)}, {})],
    "2-1-1": [("電子決裁化対象文書の内", None, {2022: (50, 55), 2023: (60, None), 2024: (70, None), 2025: (70, None)}, {})],
    "2-1-3": [("Web 会議の開催(主催)数", None, {2022: (1700, 1880), 2023: (1700, None), 2024: (1700, None), 2025: (1700, None)}, {})],
    "2-2-1": [("テレワークを実施したいと考えている人の内", 42.1, {2022: (50.0, 26.8), 2023: (50.0, None), 2024: (50.0, None), 2025: (50.0, None)}, {})],
    "2-3-1": [("RPA を用いて削減できた時間数", 6615, {2022: (8000, 7552), 2023: (10000, None), 2024: (12000, None), 2025: (14000, None)}, {})],
    "2-3-3": [("システム・ソフトの導入時に BPR", "absent", {2022: (100, 109), 2023: (100, None), 2024: (100, None), 2025: (100, None)}, {})],
    "3-1-2": [("スマートフォン講座等の開催数", 150, {2022: (200, 135), 2023: (200, None), 2024: (200, None), 2025: (200, None)}, {})],
    "4-1-1": [("受講対象者が受講した割合(%)", 100.0, {2022: (100.0, 100.0), 2023: (100.0, None), 2024: (100.0, None), 2025: (100.0, None)}, {})],
    "5-1-2": [("受講対象者が受講した割合(%)", 100.0, {2022: (100.0, 100.0), 2023: (100.0, None), 2024: (100.0, None), 2025: (100.0, None)}, {})],
}

TERMS = [
    "AI", "AI-OCR", "AI 音声認識システム", "BPR", "ChatGPT", "CSIRT", "DX", "LGWAN", "RPA", "SNS", "Web会議",
    "Yahoo!くらし", "オープンデータ", "オープンデータカタログサイト", "オンライン申請", "ガバメントクラウド",
    "基幹系システム", "基幹20業務", "キャッシュレス", "クラウド", "サテライトオフィス", "システム(の)標準化・共通化",
    "シビックテック", "生涯学習サポート事業", "情報セキュリティ", "スマートフォン", "スマホコンシェルジュ",
    "セキュリティポリシー", "デジタルリテラシー", "テレワーク", "電子決裁", "転出届・転入予約サービス", "二次元コード",
    "プッシュ通知", "ふなっぷ", "船橋子育て地域マップ", "マイナポータル", "マイナンバーカード", "ワンスオンライン",
]


def by_id(plan: Plan):
    return {p.id: p for p in plan.projects}


def test_policies_and_approaches(plan: Plan) -> None:
    assert [p.id for p in plan.policies] == [1, 2, 3, 4, 5]
    assert plan.policies[1].title == "デジタル化による行政運営の効率化"
    assert [a.id for a in plan.approaches] == ["1-1", "1-2", "1-3", "2-1", "2-2", "2-3", "2-4", "3-1", "4-1", "5-1"]
    approaches = {a.id: a for a in plan.approaches}
    assert approaches["1-2"].title == "窓口のデジタル化"
    assert approaches["1-2"].vision == "書かない、手短な市役所に！"
    assert approaches["2-3"].title == "AI 等の先進技術の活用"


@pytest.mark.parametrize("pid", sorted(PROJECTS))
def test_every_project_matches_the_document(plan: Plan, pid: str) -> None:
    name, departments, grade = PROJECTS[pid]
    p = by_id(plan)[pid]
    assert p.name == name
    assert list(p.departments) == departments
    assert p.evaluations[0].grade == grade
    assert p.evaluations[0].fiscal_year == 2022
    assert p.policy_id == int(pid[0]) and p.approach_id == pid[:3]
    assert p.current and p.issue and p.goal


def test_only_the_real_projects_are_parsed(plan: Plan) -> None:
    # The layout sample's fake 1-1-1 is not a project, and the real 1-1-1 is not replaced by it.
    assert [p.id for p in plan.projects] == sorted(PROJECTS, key=lambda i: tuple(map(int, i.split("-"))))
    assert by_id(plan)["1-1-1"].line > 200


@pytest.mark.parametrize("pid", sorted(KPIS))
def test_kpi_tables(plan: Plan, pid: str) -> None:
    p = by_id(plan)[pid]
    assert len(p.indicators) == len(KPIS[pid])
    for ind, (label, baseline, years, revised) in zip(p.indicators, KPIS[pid], strict=True):
        assert ind.label.startswith(label)
        if baseline == "absent":
            assert ind.baseline is None
        else:
            assert ind.baseline is not None and ind.baseline.fiscal_year == 2021
            assert ind.baseline.value == baseline
        for year, (target, actual) in years.items():
            t = ind.value(year, "target")
            assert t is not None and t.value == target, (year, t)
            a = ind.value(year, "actual")
            assert (a.value if a else None) == actual
            assert t.revised_from == revised.get(year)


def test_projects_without_kpi_have_none(plan: Plan) -> None:
    assert {p.id for p in plan.projects if p.indicators} == set(KPIS)


def test_units_are_taken_where_stated(plan: Plan) -> None:
    units = {p.id: p.indicators[0].unit for p in plan.projects if p.indicators}
    assert units["2-1-1"] == units["2-2-1"] == units["4-1-1"] == "%"
    assert units["2-3-1"] is None


def test_evaluation_comments_survive_page_breaks(plan: Plan) -> None:
    p = by_id(plan)
    # 2-2-1's comment is cut mid-sentence by a page break: "…と考えて" / "いる人の内…"
    assert "テレワークを実施したいと考えている人の内" in p["2-2-1"].evaluations[0].comment
    # 1-1-2's comment continues on the next page after a repeated page header.
    assert p["1-1-2"].evaluations[0].comment.endswith("利用者数の向上を目指します。")
    assert "Yahoo!くらし" in p["1-1-2"].evaluations[0].comment
    # 1-2-2 keeps "<参考情報>", which looks like markup but is text.
    assert "<参考情報>" in p["1-2-2"].evaluations[0].comment
    # 1-1-3 prints the grade inside the comment cell.
    assert p["1-1-3"].evaluations[0].comment.startswith("市内公民館や商業施設において")
    assert p["2-4-3"].evaluations[0].comment == ""


def test_schedules(plan: Plan) -> None:
    p = by_id(plan)
    s = [(i.fiscal_year, i.text, i.new_in) for i in p["2-3-1"].schedule]
    assert (2022, "ロールモデル作成のための業務フロー可視化", 2022) in s
    assert (2023, "ロールモデルの作成・実証・横展開", 2023) in s
    assert (2025, "継続", None) in s
    # 2-4-3 prints its schedule in the 進捗 row, with "[R5 新]".
    assert [(i.fiscal_year, i.text, i.new_in) for i in p["2-4-3"].schedule] == [
        (2023, "次期庁内ネットワークの構築", 2023), (2025, "次期庁内ネットワークの運用開始", 2023)]
    # Cells labelled with their year ("R5 交付率を上げるための体制強化").
    assert [(i.fiscal_year, i.text) for i in p["1-1-3"].schedule] == [
        (2022, "窓口や出張先での申請サポートを実施"), (2023, "交付率を上げるための体制強化")]
    # Words broken by narrow PDF columns are joined again.
    assert any(i.text == "新たな AI 音声認識システムの実証・選定を行い、必要に応じて予算要求を実施" for i in p["2-3-2"].schedule)
    assert p["2-2-2"].schedule == () and p["5-1-1"].schedule == ()


def test_repost_and_new_project(plan: Plan) -> None:
    p = by_id(plan)
    assert p["5-1-2"].repost_of == "4-1-1"
    assert p["4-1-1"].repost_of is None
    assert p["2-4-3"].note == "令和5年6月改定時に新規追加"
    assert p["2-4-3"].set_year == 2023


def test_all_39_glossary_terms(plan: Plan, plan_text: str) -> None:
    assert [t.term for t in plan.glossary] == TERMS
    for t in plan.glossary:
        first_line = t.definition.splitlines()[0]
        assert f"{t.term}\t{first_line}" in plan_text or t.term == "AI 音声認識システム" and first_line in plan_text


def test_glossary_definitions_are_complete(plan: Plan) -> None:
    terms = {t.term: t for t in plan.glossary}
    assert terms["船橋子育て地域マップ"].urls == ("https://funabashi-map.netlify.app/",)
    assert "https://funabashi-map.netlify.app/" in terms["船橋子育て地域マップ"].definition
    assert terms["ふなっぷ"].urls == ("https://www.city.funabashi.lg.jp/shisei/kouhou/002/p078079.html",)
    assert terms["オープンデータカタログサイト"].urls == ("https://odcs.bodik.jp/122041/",)
    assert terms["基幹20業務"].definition.endswith("後期高齢者医療、国民年金")
    assert terms["情報セキュリティ"].definition.endswith("情報にアクセスできる状態を確保すること。")
    # The download block after ふなっぷ is part of its definition, not a term of its own.
    assert "iOS(iPhone 等)" not in terms and "【ふなっぷ URL】" not in terms
    assert "発 行" not in terms  # the colophon after the glossary


def test_a_project_cut_in_half_fails_with_its_line(plan_text: str) -> None:
    lines = plan_text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("事業番号\t2-3-1"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("事業番号\t2-3-2"))
    damaged = lines[: start + 4] + lines[end:]  # 2-3-1 keeps its head but loses the rest
    with pytest.raises(PlanParseError) as err:
        parse_plan("\n".join(damaged))
    assert err.value.line == start + 1
    assert "2-3-1" in str(err.value) and f"line {start + 1}" in str(err.value)


def test_an_unknown_line_inside_a_project_is_named(plan_text: str) -> None:
    lines = plan_text.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("事業名\tRPA"))
    lines.insert(at + 1, "予算額\t1,000万円")
    with pytest.raises(PlanParseError) as err:
        parse_plan("\n".join(lines))
    assert err.value.line == at + 2


def test_a_damaged_kpi_value_is_named(plan_text: str) -> None:
    broken = plan_text.replace("8,000[7,552]", "8,000[7,55?]")
    with pytest.raises(PlanParseError, match="KPI"):
        parse_plan(broken)


def test_a_duplicated_project_is_rejected(plan_text: str) -> None:
    lines = plan_text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("事業番号\t3-1-3"))
    end = next(i for i, ln in enumerate(lines) if i > start and ln.startswith("基本方針4"))
    doubled = lines[:end] + lines[start:end] + lines[end:]
    with pytest.raises(PlanParseError, match="appears twice"):
        parse_plan("\n".join(doubled))


def test_not_a_plan() -> None:
    with pytest.raises(PlanParseError):
        parse_plan("hello\nworld\n")
