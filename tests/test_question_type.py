"""The question type decides the kind of answer; the topic only selects what it is about.

Real Responder, real plan: a figure question gets the figure first, a 課題 question the 課題
section first, a year question that year's schedule, a "what does it mean" question the glossary.
"""

from __future__ import annotations

import pytest


def _lead(answer) -> str:
    """The line right after the title: what the reader sees first."""
    return answer.text.split("\n")[1]


def _asked(responder, question: str, intent: str, top: str, **options):
    """The answer to ``question``, checked to be ``intent`` about ``top`` first."""
    answer = responder.answer(question, **options)
    assert (answer.intent, answer.answers[0].id) == (intent, top), answer.text
    return answer


@pytest.mark.parametrize(
    "question, term",
    [
        ("標準化・共通化ってどういう意味？", "システム(の)標準化・共通化"),
        ("マイナンバーってどういう意味", "マイナンバーカード"),
        ("マイナンバーとは", "マイナンバーカード"),
        ("マイナンバーカードの意味を教えて", "マイナンバーカード"),
        ("テレワークってどういうこと？", "テレワーク"),
        ("キャッシュレスとは", "キャッシュレス"),
        ("what does cashless mean?", "キャッシュレス"),
        ("meaning of telework", "テレワーク"),
    ],
)
def test_asking_what_words_mean_gets_the_glossary_even_when_a_project_shares_them(responder, question, term):
    _asked(responder, question, "glossary", term)


def test_asking_what_a_project_is_by_its_own_name_gets_the_project(responder):
    answer = responder.answer("RPAの活用拡充とは")
    assert (answer.intent, answer.answers[0].id) == ("project_overview", "2-3-1")


@pytest.mark.parametrize(
    "question, pid, figure, year",
    [
        ("オープンデータは今何件？", "1-3-1", "765", "令和4年度"),
        ("オープンデータの公開数はいくつ？", "1-3-1", "765", "令和4年度"),
        ("RPAでどれくらい時間を削減できた？", "2-3-1", "7,552", "令和4年度"),
        ("スマホ講座は何回開催されたの", "3-1-2", "135", "令和4年度"),
        ("テレワークできた人の割合は？", "2-2-1", "26.8%", "令和4年度"),
        ("テレワークはどれくらい進んでる？", "2-2-1", "26.8%", "令和4年度"),
        ("ふなっぷの利用者は何人？", "1-1-2", "17,124", "令和4年度"),
        ("how many open data sets are published?", "1-3-1", "765", "R4"),
        ("how much time did RPA save?", "2-3-1", "7,552", "R4"),
    ],
)
def test_how_many_gets_the_latest_actual_figure_first(responder, question, pid, figure, year):
    answer = _asked(responder, question, "project_kpi", pid)
    assert figure in _lead(answer) and year in _lead(answer), answer.text


@pytest.mark.parametrize(
    "question, figures",
    [
        ("マイナンバーカードの交付率", ["60.6%", "43.6%"]),
        ("マイナンバーカードの交付率はどれくらい？", ["60.6%"]),
        ("マイナンバーカードの申請率は何%？", ["76.99%"]),
    ],
)
def test_a_rate_only_the_projects_text_gives_is_quoted_from_it(responder, question, figures):
    # 1-1-3 has no KPI table: its status card, led by the plan's sentences that give the rate.
    answer = _asked(responder, question, "project_status", "1-1-3")
    assert "計画の記述" in _lead(answer)
    for figure in figures:
        assert figure in answer.text


@pytest.mark.parametrize(
    "question, pid, sentence",
    [
        ("RPAは何業務で活用されている？", "2-3-1", "9課74業務"),
        ("テレワーク専用PCは何台？", "2-2-1", "計300台"),
        ("マイナンバーカードの申請サポートは何回実施した？", "1-1-3", "計232回"),
    ],
)
def test_a_count_the_kpi_does_not_keep_is_quoted_from_the_text(responder, question, pid, sentence):
    measured = bool(responder.catalog.projects[pid].indicators)
    answer = _asked(responder, question, "project_kpi" if measured else "project_status", pid)
    assert sentence in _lead(answer)


def test_a_figure_question_about_a_project_without_kpi_quotes_the_figures_its_text_gives(responder):
    answer = responder.answer("What's the My Number Card issuance rate?")
    assert (answer.intent, answer.answers[0].id, answer.lang) == ("project_status", "1-1-3", "en")
    assert _lead(answer).startswith("From the plan") and "60.6%" in answer.text


@pytest.mark.parametrize(
    "question, intent",
    [
        ("手数料のキャッシュレス決済の状況", "project_status"),  # 手数料 is a fee, not a count
        ("業務効率化のためのRPAの状況", "project_status"),  # 効率 is no rate
    ],
)
def test_words_that_only_look_like_counts_do_not_make_figure_questions(responder, question, intent):
    assert responder.answer(question).intent == intent


def test_how_many_projects_is_still_a_list(responder):
    answer = responder.answer("B評価の事業は何件？")
    assert answer.intent == "project_list" and len(answer.answers) == 19


@pytest.mark.parametrize(
    "question, pid",
    [
        ("RPAの課題は？", "2-3-1"),
        ("テレワークの問題点を教えて", "2-2-1"),
        ("マイナンバーカード普及の課題は何", "1-1-3"),
        ("2-1-1の課題", "2-1-1"),
        ("what are the challenges for open data?", "1-3-1"),
        ("what problems does the RPA project have", "2-3-1"),
    ],
)
def test_asking_for_problems_leads_with_the_issue_section(responder, question, pid):
    answer = _asked(responder, question, "project_overview", pid)
    issue = responder.catalog.projects[pid].issue
    assert _lead(answer).startswith(("【課題】", "Issue")) and issue[:20] in _lead(answer)
    assert answer.extra["question_type"] == "issue"


@pytest.mark.parametrize(
    "question, pid, lead",
    [
        ("財務会計事務のデジタル化はR6に何をする？", "2-1-2", "令和6年度の予定: 次期財務会計システムの運用開始"),
        ("テレワークの令和6年度の予定", "2-2-1", "令和6年度の予定: 検証結果により、予算要求を実施"),
        ("2-3-1はR5に何をする？", "2-3-1", "令和5年度の予定: ロールモデルの作成・実証・横展開"),
        ("庁内ネットワークは2025年度に何をする予定？", "2-4-3", "令和7年度の予定: 次期庁内ネットワークの運用開始"),
        ("財務会計は2024年に何をする？", "2-1-2", "令和6年度の予定: 次期財務会計システムの運用開始"),
        ("What is planned for telework in FY2024?", "2-2-1", "Planned for R6 (Japanese): 検証結果により、予算要求を実施"),
        ("what will the e-approval project do in R5", "2-1-1", "Planned for R5 (Japanese): 外部文書に関する決裁の電子化推進"),
    ],
)
def test_a_year_with_what_will_be_done_leads_with_that_years_schedule(responder, question, pid, lead):
    answer = _asked(responder, question, "project_schedule", pid)
    assert _lead(answer) == lead
    assert answer.extra["year"] is not None


def test_a_year_whose_cell_is_empty_says_so_and_shows_the_latest_entry_before_it(responder):
    answer = responder.answer("電子決裁はR6に何をする？")
    assert (answer.intent, answer.answers[0].id) == ("project_schedule", "2-1-1")
    assert _lead(answer) == "スケジュールの令和6年度の欄には記載がありません。"
    assert "令和5年度" in answer.text.split("\n")[2]


def test_a_year_past_the_plan_says_where_the_schedule_ends_and_answers_nothing_else(responder):
    answer = responder.answer("RPAはR8に何をする予定？")
    assert answer.intent == "unknown" and not answer.answers
    assert answer.text.startswith("アクションプランのスケジュールは令和4年度から令和7年度までで、令和8年度の記載はありません。")
    assert [s.id for s in answer.suggestions][:1] == ["2-3-1"]


@pytest.mark.parametrize(
    "question, pid, head, label",
    [
        ("RPAのR4の実績", "2-3-1", "令和4年度の実績: 7,552（目標 8,000", "RPA を用いて削減できた時間数"),
        ("RPAのR5の目標値", "2-3-1", "令和5年度: 目標 10,000", "RPA を用いて削減できた時間数"),
        ("R4のオープンデータの公開数は？", "1-3-1", "令和4年度の実績: 765（目標 800", "オープンデータの公開数"),
        ("what is the R6 target for open data", "1-3-1", "R6: target 900", "オープンデータの公開数"),
    ],
)
def test_a_figure_for_a_year_leads_with_that_year(responder, question, pid, head, label):
    answer = _asked(responder, question, "project_kpi", pid)
    assert _lead(answer).startswith(head) and _lead(answer).endswith(label), answer.text


def test_the_thing_counted_does_not_hide_what_it_is_counted_for(responder):
    """ダウンロード数 is not in the plan: not held, said with what ふなっぷ's KPI table does count (利用者数),
    the project offered; its users asked for are answered."""
    answer = responder.answer("ふなっぷのダウンロード数は？")
    assert answer.intent == "unknown" and not answer.answers, answer.text
    first = answer.text.splitlines()[0]
    assert "ダウンロード数の数値はありません" in first and "利用者数" in first
    assert [s.id for s in answer.suggestions][:1] == ["1-1-2"]
    answer = responder.answer("ふなっぷの利用者数は？")
    assert (answer.intent, answer.answers[0].id) == ("project_kpi", "1-1-2") and "17,124" in _lead(answer)
    # A figure of something no text of the project names, KPI table or not (open data's 公開数 is held).
    assert responder.answer("オープンデータのダウンロード数は？").intent == "unknown"
    assert responder.answer("デジタル行政推進課の職員数をお示しください。").intent == "unknown"
    # … a kanji word shortened by its characters in order is named (電決 of 電子決裁).
    answer = responder.answer("電決率の目標ってＲ５だと何％でしたっけ")
    assert (answer.intent, answer.answers[0].id) == ("project_kpi", "2-1-1"), answer.text


@pytest.mark.parametrize(("question", "intent", "pid"), [
    # The count and the 目標 describe which project; the last clause asks for its grade.
    ("公民館のスマホ講座、回数が目標に届かなかった件。評価どうなった", "project_status", "3-1-2"),
    ("Web会議の推進で、パソコンが足りないという問題があったけど、その後どうなりました？", "project_status", "2-1-3"),
    # いつから asks when (it holds いつか, "some day", which asks nothing).
    ("RPAの活用拡充、テンプレートの横展開はいつから？", "project_schedule", "2-3-1"),
    # A bare どう after a figure's word asks the figure.
    ("スマートフォン講座等の開催数、令和４年度の実績値は参考値に対してどうだったか", "project_kpi", "3-1-2"),
    # Why a figure fell short is the evaluation's comment: a status question, whatever figure it names.
    ("スマホ講座の開催回数が参考値に届かなかったのはなぜ？", "project_status", "3-1-2"),
    ("Why did the share of staff able to telework go down?", "project_status", "2-2-1"),
    # 「どうなってる」 after a schedule asks the schedule.
    ("RPAの令和6年度のスケジュールはどうなってる？", "project_schedule", "2-3-1"),
    # A planned figure (いくつにする予定) is a figure, not the schedule.
    ("Web会議の開催数、令和6年度はいくつにする予定？", "project_kpi", "2-1-3"),
])
def test_the_clause_that_asks_decides_the_kind_of_answer(responder, question, intent, pid):
    _asked(responder, question, intent, pid)


def test_a_year_with_how_many_asks_that_years_figure_not_its_schedule(responder):
    # "fiscal 2022" and a verb of doing read like a schedule question; "how many hours" asks the figure.
    a = _asked(responder, "Back in fiscal 2022, how many staff hours were freed up by letting software robots do the clicking?",
               "project_kpi", "2-3-1", audience="citizen")
    assert "2022" in a.text or "R4" in a.text or "令和4" in a.text, a.text


@pytest.mark.parametrize("question", [
    "何回も役所に行かずに、引っ越しの届けをネットで出せますか",
    "仕事を休んで何度も窓口に並ぶのはつらい。転出の届けはスマホでできる？",
])
def test_again_and_again_is_a_story_not_a_count(responder, question):
    # 何回も / 何度も is "again and again": the move is asked about, not a figure (1-2-1 has no KPI).
    a = responder.answer(question, audience="citizen")
    assert a.intent != "project_kpi" and a.answers and a.answers[0].id in {"1-2-1", "転出届・転入予約サービス"}, a.text


def test_anyone_is_not_who(responder):
    # 誰でも使える is "anyone can use": the count of open data is asked, not who is in charge.
    _asked(responder, "市が誰でも使える形で出してるデータ、今何件？", "project_kpi", "1-3-1", audience="citizen")
    _asked(responder, "だれがスマホ講座を担当してる？", "project_department", "3-1-2", audience="staff")


def test_a_figure_asked_is_answered_by_the_project_that_measures_it(responder):
    # 1-3-2 (dashboards) is as near as 1-3-1 by meaning, but only 1-3-1 counts published data.
    _asked(responder, "ネットで公開されてる市のデータ、件数は？", "project_kpi", "1-3-1", audience="citizen")


@pytest.mark.parametrize("question, pid, figure", [
    ("商店街でカードの申請を手伝ってもらったけど、あの出張サポートって全部で何回やったの？", "1-1-3", "232回"),
    ("How many times did the city run those pop-up My Number card application desks?", "1-1-3", "232"),
])
def test_a_count_of_a_project_without_a_kpi_table_is_answered_by_its_status(responder, question, pid, figure):
    # 1-1-3 has no KPI table: its evaluation comment holds the count, and the status card leads with it.
    a = _asked(responder, question, "project_status", pid, audience="citizen")
    assert figure in _lead(a), a.text


def test_the_kpi_table_asked_by_name_is_answered_as_kpi_even_when_there_is_none(responder):
    _asked(responder, "1-1-3の参考値は？", "project_kpi", "1-1-3")


def test_what_it_is_asked_with_nandeshou_is_no_why(responder):
    a = responder.answer("BPRの徹底って何をする事業なんでしょう")
    assert (a.intent, a.answers[0].id) == ("project_overview", "2-3-3"), a.text


def test_a_figure_dated_january_to_march_is_the_fiscal_year_before(responder):
    # 1-1-3's comment quotes the issuance rate at the end of March 令和5年, the end of 令和4年度:
    # asked for the end of 令和5年度, the plan holds no figure; asked for that March, it does.
    later = responder.answer("マイナンバーカードの交付率は令和5年度末でどれくらい？", audience="citizen")
    assert later.intent == "unknown" and not later.answers
    assert "令和5年度の数字の記載はありません" in later.text
    assert [s.id for s in later.suggestions][:1] == ["1-1-3"]
    march = responder.answer("令和5年3月末の交付率は？", audience="citizen")
    assert [a.id for a in march.answers] == ["1-1-3"] and "60.6%" in march.text


@pytest.mark.parametrize("question, pid", [
    ("3-1-2の課題、何書いてあったっけ？", "3-1-2"),
    ("1-2-2の課題欄には何書いてある？", "1-2-2"),
])
def test_what_a_section_says_is_no_count(responder, question, pid):
    # 何 before a verb (何書いて) asks what is written, not how many: the 課題 section leads.
    answer = _asked(responder, question, "project_overview", pid, audience="staff")
    assert "課題" in _lead(answer), answer.text
