"""List questions: filters that combine, lists the plan can answer, and filters said, never dropped.

Expected sets come from the parsed plan through simple predicates written here (grade, policy,
department, KPI values), or from facts checked by hand against the plan's text.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from handlers import Responder
from knowledge.records import Plan, Project

R4 = 2022


def grade(p: Project) -> str | None:
    return p.evaluations[0].grade if p.evaluations else None


def ids(answer) -> set[str]:  # type: ignore[no-untyped-def]
    return {a.id for a in answer.answers}


def expected(plan: Plan, keep: Callable[[Project], bool]) -> set[str]:
    return {p.id for p in plan.projects if keep(p)}


COMBINED: list[tuple[str, Callable[[Project], bool]]] = [
    ("A-rated projects of policy 1", lambda p: grade(p) == "A" and p.policy_id == 1),
    ("基本方針3の遅れている事業", lambda p: grade(p) == "C" and p.policy_id == 3),
    ("C-rated projects under policy 2", lambda p: grade(p) == "C" and p.policy_id == 2),
    ("デジタル行政推進課のB評価の事業", lambda p: grade(p) == "B" and "デジタル行政推進課" in p.departments),
    ("デジタル行政推進課の遅れている事業", lambda p: grade(p) == "C" and "デジタル行政推進課" in p.departments),
    ("1-2の事業", lambda p: p.approach_id == "1-2"),
    ("1-1の事業でB評価のもの", lambda p: p.approach_id == "1-1" and grade(p) == "B"),
    ("projects ahead of schedule in policy 4", lambda p: grade(p) == "A" and p.policy_id == 4),
    ("基本方針2でKPIがない事業", lambda p: p.policy_id == 2 and not p.indicators),
    ("基本方針1と2のA評価の事業", lambda p: p.policy_id in (1, 2) and grade(p) == "A"),
    ("評価Aの基本方針1の事業", lambda p: grade(p) == "A" and p.policy_id == 1),
    ("戸籍住民課が関わる事業", lambda p: "戸籍住民課" in p.departments),
    ("人事課の担当事業", lambda p: "人事課" in p.departments),
    ("契約課が担当している事業は？", lambda p: "契約課" in p.departments),
    # …with 「どれ」, which alone asks for one project: the department names what they relate to.
    ("人事課が関係する事業はどれ？", lambda p: "人事課" in p.departments),
    ("財政課と契約課の事業", lambda p: "財政課" in p.departments or "契約課" in p.departments),
    ("オンライン化の推進に含まれる事業", lambda p: p.approach_id == "1-1"),
    ("行政手続のオンライン化の事業", lambda p: p.approach_id == "1-1"),
    ("行政運営の効率化の事業でC評価のもの", lambda p: p.policy_id == 2 and grade(p) == "C"),
    ("projects under 'work style reform'", lambda p: p.approach_id == "2-2"),
    ("セキュリティの事業一覧", lambda p: p.approach_id == "4-1"),
    ("which projects got a C", lambda p: grade(p) == "C"),
    # A grade quoted alone, as a councillor quotes the plan's 「A」 (the article "a" is no grade).
    ("進捗評価が「A」とされた事業をお示しください", lambda p: grade(p) == "A"),
    ('which projects got a "C"?', lambda p: grade(p) == "C"),
    ("projects that got a 'B'", lambda p: grade(p) == "B"),
    ("projects rated A", lambda p: grade(p) == "A"),
    ("B-rated projects", lambda p: grade(p) == "B"),
    ("projects graded B", lambda p: grade(p) == "B"),
    ("projects with an A", lambda p: grade(p) == "A"),
    # A is the best of the plan's four grades, D the worst: "the top grade" names one of them.
    ("which projects got the highest grade?", lambda p: grade(p) == "A"),
    ("いちばん良い評価がついた事業を全部", lambda p: grade(p) == "A"),
    ("最低の評価になった事業はある？", lambda p: grade(p) == "D"),
    ("policy 3 projects that got a B", lambda p: p.policy_id == 3 and grade(p) == "B"),
    ("市が保有するデータの提供でA評価の事業", lambda p: p.approach_id == "1-3" and grade(p) == "A"),
    ("情報セキュリティ対策の事業でA評価なのは？", lambda p: p.approach_id == "4-1" and grade(p) == "A"),
    ("方針2の遅延事業", lambda p: p.policy_id == 2 and grade(p) == "C"),
    ("Which projects does the Personnel Division run?", lambda p: "人事課" in p.departments),
    ("projects in the online services approach", lambda p: p.approach_id == "1-1"),
    ("デジタル行政推進課以外の事業", lambda p: "デジタル行政推進課" not in p.departments),
    ("what projects fall under 'leave no one behind'", lambda p: p.policy_id == 3),  # "behind" grades nothing here
    ("which projects are part of the 'nobody gets left behind' policy?", lambda p: p.policy_id == 3),
    ("projects other than the Digital Administration Promotion Division",
     lambda p: "デジタル行政推進課" not in p.departments),
    # The division's short name in an exclusion, and an English verb of exclusion.
    ("デジ推が関わってない事業は？", lambda p: "デジタル行政推進課" not in p.departments),
    ("projects that don't involve the Digital Administration Promotion Division",
     lambda p: "デジタル行政推進課" not in p.departments),
    ("KPIを設定している事業の一覧", lambda p: bool(p.indicators)),
    ("which projects have KPIs", lambda p: bool(p.indicators)),
    ("参考値（見込み値）が設定されている事業の一覧", lambda p: bool(p.indicators)),
    ("目標値の数字が載っている事業を全部", lambda p: bool(p.indicators)),
    ("KPIの表がない事業はどれ？", lambda p: not p.indicators),
    # An adverb between the table and its verb, and several departments counted.
    ("目標値がまだ設定されていない事業を教えて", lambda p: not p.indicators),
    ("指標がきちんと設定されている事業を全部", lambda p: bool(p.indicators)),
    ("担当課が2つ以上ある事業は？", lambda p: len(p.departments) >= 2),
    # Which things a department named holds, with no word of projects.
    ("税務課が受け持っているのはどれ？", lambda p: "税務課" in p.departments),
    ("中央公民館が担当してるものって何と何？", lambda p: "中央公民館" in p.departments),
    # A KPI table of a kind: targets lowered since first set, targets given as a rate.
    ("目標値を引き下げた事業を教えて", lambda p: any(v.revised_from is not None and v.value is not None
                                              and v.value < v.revised_from for i in p.indicators for v in i.values)),
    ("which projects had their KPI targets revised?", lambda p: any(v.revised_from is not None
                                                                    for i in p.indicators for v in i.values)),
    ("参考値をパーセントで設けている事業", lambda p: any(i.unit == "%" for i in p.indicators)),
    ("A評価とB評価の事業", lambda p: grade(p) in ("A", "B")),
    ("projects graded A or B", lambda p: grade(p) in ("A", "B")),
    ("C評価以外の事業", lambda p: grade(p) in ("A", "B", "D")),
    ("遅れていない事業", lambda p: grade(p) in ("A", "B", "D")),
    ("基本方針2で遅れていない事業", lambda p: p.policy_id == 2 and grade(p) in ("A", "B", "D")),
    # A grade given in other words, and verbs of asking that filter nothing.
    ("Bがついた事業を出して", lambda p: grade(p) == "B"),
    ("Aをもらった事業を全部抜き出して", lambda p: grade(p) == "A"),
    ("去年C取った事業ってどれ？", lambda p: grade(p) == "C"),  # with no particle: C取った
    ("projects with a B rating", lambda p: grade(p) == "B"),
    ("which projects were graded as behind schedule?", lambda p: grade(p) == "C"),
]


@pytest.mark.parametrize("question,keep", COMBINED, ids=[q for q, _ in COMBINED])
def test_filters_combine(responder: Responder, plan: Plan, question: str, keep) -> None:  # type: ignore[no-untyped-def]
    a = responder.answer(question)
    assert a.intent == "project_list"
    assert ids(a) == expected(plan, keep)


@pytest.mark.parametrize("question,words", [
    ("基本方針3の遅れている事業", ["基本方針3", "C評価"]),
    ("デジタル行政推進課のB評価の事業", ["デジタル行政推進課", "B評価"]),
    ("A-rated projects of policy 1", ["policy 1", "graded A"]),
    ("C-rated projects under policy 2", ["policy 2", "graded C"]),
    ("目標を達成した事業", ["令和4年度", "達成"]),
    ("projects that missed their target in R4", ["R4", "below"]),
    ("基本方針2でKPIがない事業", ["基本方針2", "参考値（KPI）のない"]),
])
def test_every_applied_filter_is_named_in_the_answers_language(responder: Responder, question: str,
                                                               words: list[str]) -> None:
    a = responder.answer(question)
    for word in words:
        assert word in a.list_filter
        assert word in a.text.splitlines()[0]


def test_a_japanese_label_reads_as_japanese(responder: Responder) -> None:
    a = responder.answer("目標を達成した事業")
    assert a.list_filter.endswith("達成した事業") and "したの事業" not in a.list_filter


# Hand-checked against the plan's R4 columns ("target[actual]"): 26[26] and 800[908] (1-1-1),
# 19,000[17,124], 800[765], 50[55], 1,700[1,880], 50.0[26.8], 8,000[7,552], 100[109], 200[135],
# 100.0[100.0] (4-1-1 and its repeat 5-1-2). The other fifteen projects have no KPI.
R4_BELOW = {"1-1-2", "1-3-1", "2-2-1", "2-3-1", "3-1-2"}
R4_ABOVE = {"1-1-1", "2-1-1", "2-1-3", "2-3-3"}
R4_MET = R4_ABOVE | {"4-1-1", "5-1-2"}


@pytest.mark.parametrize("question,want", [
    ("目標を達成した事業", R4_MET),
    ("KPIを達成した事業は何件", R4_MET),
    ("projects that met their KPI target", R4_MET),
    ("KPI未達の事業", R4_BELOW),
    ("令和4年度に目標を達成できなかった事業は？", R4_BELOW),
    ("目標に届かなかった事業はいくつ？", R4_BELOW),
    ("projects that missed their target in R4", R4_BELOW),
    ("which projects fell short of their reference values?", R4_BELOW),  # the plan's 参考値, in English
    ("R4に目標をクリアした事業をまとめて出して", R4_MET),  # まとめて出して asks for the list, not one
    ("目標を上回った事業", R4_ABOVE),
    ("which projects exceeded their targets", R4_ABOVE),
    ("which projects ended up above their FY2022 targets?", R4_ABOVE),  # a year between
    ("projects that hit their targets", R4_MET),
    ("参考値を下回った事業", R4_BELOW),
    ("目標未達成の事業", R4_BELOW),
    ("KPIを達成できていない事業はどれ？", R4_BELOW),
    ("達成率が100%未満の事業", R4_BELOW),
    ("参考値を上回る実績を出した事業", R4_ABOVE),
    ("projects that reached their 2022 targets", R4_MET),
    ("基本方針2で目標を達成した事業", R4_MET & {"2-1-1", "2-1-3", "2-3-3"}),
    ("デジタル行政推進課のKPI未達の事業", R4_BELOW),  # all five involve it (1-1-2 with 広報課)
])
def test_kpi_results_for_r4(responder: Responder, question: str, want: set[str]) -> None:
    a = responder.answer(question)
    assert a.intent == "project_list" and ids(a) == want
    assert "すべての事業" not in a.text and "all projects" not in a.text


def test_kpi_sets_agree_with_the_plans_figures(plan: Plan) -> None:
    """The hand-checked sets above, recomputed from the parsed figures."""
    below, above, met = set(), set(), set()
    for p in plan.projects:
        pairs = [(i.value(R4, "actual"), i.value(R4, "target")) for i in p.indicators]
        pairs = [(a.value, t.value) for a, t in pairs if a and t and a.value is not None and t.value is not None]
        if not pairs:
            continue
        if any(a < t for a, t in pairs):
            below.add(p.id)
        else:
            met.add(p.id)
            if any(a > t for a, t in pairs):
                above.add(p.id)
    assert (below, above, met) == (R4_BELOW, R4_ABOVE, R4_MET)


def test_kpi_list_shows_the_figures_rounded(responder: Responder) -> None:
    text = responder.answer("KPI未達の事業").text
    assert "1-3-1 オープンデータの整備" in text and "実績 765 / 目標 800（95.6%）" in text
    assert "実績 26.8% / 目標 50%（53.6%）" in text
    assert "15事業は対象外" in text  # projects without figures are said, not silently counted


def test_a_year_without_actuals_is_said_not_answered_with_r4(responder: Responder) -> None:
    for question, words in (("R5の目標を達成した事業", ["令和5年度", "令和4年度"]),
                            ("which projects missed their targets in R6", ["R6", "R4"])):
        a = responder.answer(question)
        assert a.answers == () and a.intent == "unknown"
        assert all(w in a.text for w in words)


@pytest.mark.parametrize("question", ["新しい事業", "R5で追加された事業", "new projects", "新しく追加された事業は？",
                                      "R5から始まった新規事業", "R5改定で新たに加わった事業", "設定年度が令和5年度の事業",
                                      "which projects were newly added in the 2023 revision"])
def test_projects_new_in_r5(responder: Responder, question: str) -> None:
    a = responder.answer(question)
    assert a.intent == "project_list" and ids(a) == {"2-4-3"}  # 設定年度: 令和5年度, the only one
    # Older projects with 【R5 新】 schedule items (1-3-2, 2-1-2, 2-3-1 in the plan) are mentioned.
    assert all(pid in a.text for pid in ("1-3-2", "2-1-2", "2-3-1"))


@pytest.mark.parametrize("question", ["KPIのない事業", "参考値が設定されていない事業", "projects without a KPI",
                                      "projects with no KPI", "指標（KPI）が設定されてない事業は",
                                      "which projects do not have any targets?"])
def test_projects_without_kpi(responder: Responder, plan: Plan, question: str) -> None:
    a = responder.answer(question)
    assert a.intent == "project_list" and ids(a) == expected(plan, lambda p: not p.indicators)


@pytest.mark.parametrize("question", ["評価のない事業", "評価されていない事業", "まだ評価のない事業",
                                      "projects with no grade", "which projects are not evaluated"])
def test_projects_without_evaluation(responder: Responder, question: str) -> None:
    a = responder.answer(question)
    assert a.intent == "project_list" and ids(a) == {"2-4-3"}
    assert "令和5年度" in a.text or "R5" in a.text  # new in R5: its first evaluation is still due


@pytest.mark.parametrize("question", ["部署ごとの事業数", "課ごとの事業の数を教えて", "how many projects does each department have",
                                      "number of projects per department", "各部署の事業数", "which department has the most projects"])
def test_counts_per_department(responder: Responder, plan: Plan, question: str) -> None:
    a = responder.answer(question)
    assert a.intent == "project_list" and ids(a) == {p.id for p in plan.projects}
    counts: dict[str, int] = {}
    for p in plan.projects:
        for d in p.departments:
            counts[d] = counts.get(d, 0) + 1
    for dept, n in counts.items():
        if a.lang == "ja":
            assert f"・{dept}: {n}件" in a.text
        else:
            assert f"({dept}): {n} (" in a.text or f"・{dept}: {n} (" in a.text


@pytest.mark.parametrize("question", ["R5から新しく始まる取り組みがある事業", "新しい取り組みのある事業"])
def test_projects_with_work_new_in_r5(responder: Responder, question: str) -> None:
    # 【R5 新】 marks items of 1-3-2, 2-1-2 and 2-3-1, and all of 2-4-3 (hand-checked in the plan).
    assert ids(responder.answer(question)) == {"1-3-2", "2-1-2", "2-3-1", "2-4-3"}


def test_a_list_asked_for_owners_shows_them(responder: Responder) -> None:
    a = responder.answer("C評価の事業の担当課は？")
    assert ids(a) == {"2-2-1", "3-1-2"} and "担当: デジタル行政推進課、中央公民館" in a.text


def test_counts_per_department_combine_with_a_grade(responder: Responder, plan: Plan) -> None:
    a = responder.answer("部署ごとのA評価の事業数")
    assert ids(a) == expected(plan, lambda p: grade(p) == "A")
    assert "・デジタル行政推進課: 4件" in a.text and "・税務課: 1件" in a.text  # 1-2-2 is run by both


@pytest.mark.parametrize("question,first", [
    ("A評価は何件？", "A評価（予定より早く実施）の事業は4件です。"),
    ("遅れている事業はいくつ？", "C評価（予定より遅れて実施）の事業は2件です。"),
    ("how many projects got a C", "There are 2 projects"),
    ("事業はいくつある？", "すべての事業は26件です。"),
    ("事業は全部で何件？", "すべての事業は26件です。"),
])
def test_counting_questions_answer_the_count_first(responder: Responder, question: str, first: str) -> None:
    assert responder.answer(question).text.startswith(first)


def test_a_filter_naming_nothing_in_the_plan_is_said(responder: Responder) -> None:
    a = responder.answer("基本方針9のA評価の事業")
    assert a.answers == () and "基本方針9" in a.text
    a = responder.answer("アプローチ策7-1の事業")
    assert a.answers == () and "7-1" in a.text


def test_a_topic_that_cannot_narrow_the_list_is_said(responder: Responder, plan: Plan) -> None:
    a = responder.answer("基本方針2のラーメンの事業")
    assert ids(a) == expected(plan, lambda p: p.policy_id == 2)
    assert "ラーメン" in a.text and "絞り込めません" in a.text


def test_a_topic_narrows_the_list(responder: Responder) -> None:
    a = responder.answer("基本方針2のAIの事業")
    assert ids(a) == {"2-3-2"} and "AI" in a.list_filter.upper()


@pytest.mark.parametrize("question,intent,top", [
    ("RPAの目標は達成した？", "project_kpi", "2-3-1"),
    ("オープンデータは目標を達成した？", "project_kpi", "1-3-1"),
    ("2-4-3の状況は？", "project_status", "2-4-3"),
])
def test_a_question_about_one_project_is_not_a_list(responder: Responder, question: str, intent: str, top: str) -> None:
    a = responder.answer(question)
    assert a.intent == intent and [x.id for x in a.answers][:1] == [top]


def test_a_list_question_not_understood_never_lists_everything(responder: Responder) -> None:
    for question in ("市民に人気の事業", "予算が一番多い事業は？"):
        a = responder.answer(question)
        assert len(a.answers) < 26 and "すべての事業" not in a.list_filter


def test_cli_json_contract_for_a_combined_list(db_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from click.testing import CliRunner

    from bot.cli import main

    result = CliRunner().invoke(main, ["ask", "--json", "基本方針3の遅れている事業"], env={"DXBOT_DB": str(db_path)})
    out = json.loads(result.output.strip().splitlines()[-1])
    assert set(out) == {"query", "intent", "answers", "suggestions", "text"}
    assert out["intent"] == "project_list" and [a["id"] for a in out["answers"]] == ["3-1-2"]
    assert "基本方針3" in out["text"] and "C評価" in out["text"]


def test_cards_show_group_counts_and_unapplied_filters(responder: Responder) -> None:
    import json

    from bot.line import render as line_render
    from bot.slack import render as slack_render
    from bot.web import render as web_render

    a = responder.answer("部署ごとの事業数")
    assert "部署ごと" in a.list_filter
    for rendered in (slack_render.render(a), line_render.render(a), web_render.render(a)["card"]):
        assert "デジタル行政推進課: 21件" in json.dumps(rendered, ensure_ascii=False)
    b = responder.answer("基本方針2のラーメンの事業")
    for rendered in (slack_render.render(b), line_render.render(b), web_render.render(b)["card"]):
        assert "「ラーメン」では絞り込めませんでした" in json.dumps(rendered, ensure_ascii=False)


@pytest.mark.parametrize("question", ["令和４年度の実績が参考値を達成した（同じか上回った）事業はどれか",
                                      "R4の実績が参考値以上だった事業はどれ？"])
def test_a_question_that_is_all_kpi_result_words_lists_projects(responder, question):
    """「どれ」 can ask about one described project; here nothing describes one: the words are the filter's."""
    a = responder.answer(question)
    assert a.intent == "project_list" and len(a.answers) > 1, a.text


@pytest.mark.parametrize("question, pid", [
    # An approach's words (システム, オンライン申請) in a description of one project asked by 何の事業.
    ("申請システムに決済の機能を足していく話は何の事業？", "1-2-2"),
    # A list filter (公民館 → 中央公民館) that leaves a long description unused is not the question.
    ("商業施設や公民館まで出かけていってカードの申請を手伝ったのに交付率が伸びなかった、あれは何の事業？", "1-1-3"),
    # 以外 (a list's "other than") inside a long description of one project far ahead of the rest.
    ("20の基幹業務以外のシステムをガバメントクラウドに載せるかどうか、費用の負担も含めて国の方針を待っているのはどの事業？", "2-4-2"),
])
def test_one_project_asked_for_by_what_it_does_is_not_a_list(responder: Responder, question: str, pid: str) -> None:
    a = responder.answer(question)
    assert (a.intent, [x.id for x in a.answers]) != ("project_list", []) and [x.id for x in a.answers] == [pid], a.text


def test_which_number_asks_for_the_project_not_a_figure(responder: Responder) -> None:
    a = responder.answer("古くなった庁内ネットワークを作り直して、本庁舎が止まっても他の施設が動くようにする事業って何番だっけ？")
    assert a.intent != "project_kpi" and [x.id for x in a.answers] == ["2-4-3"], a.text


def test_an_approach_named_with_which_still_lists_its_projects(responder: Responder) -> None:
    assert ids(responder.answer("オンライン化の推進の事業はどれ？")) == {"1-1-1", "1-1-2", "1-1-3"}


@pytest.mark.parametrize("question, keep", [
    # One department alone, or several together: a filter of its own.
    ("二つ以上の課が一緒に担当している事業を教えて", lambda p: len(p.departments) > 1),
    ("Which projects are run jointly by more than one department?", lambda p: len(p.departments) > 1),
    ("projects with more than one division in charge", lambda p: len(p.departments) > 1),  # the singular too
    ("デジタル行政推進課だけで受け持っている事業の一覧", lambda p: p.departments == ("デジタル行政推進課",)),
    ("A評価のうち複数の課で担当している事業", lambda p: grade(p) == "A" and len(p.departments) > 1),
    # 「共管も含めて」 asks for every project of the department, shared or not.
    ("広報課が担当に入っている事業を、共管も含めて全部", lambda p: "広報課" in p.departments),
    # An approach named, its projects asked for in the plural, in words the intents read first.
    ("デジタルで業務を完結にはどんな事業がある？", lambda p: p.approach_id == "2-1"),
    ("窓口のデジタル化には事業が何本ある？", lambda p: p.approach_id == "1-2"),
    # A dash typed after kana is the prolonged sound mark: テレワ－ク is テレワーク.
    ("テレワ－クの推進の事業一覧", lambda p: p.approach_id == "2-2"),
])
def test_more_list_filters(responder: Responder, plan: Plan, question: str, keep) -> None:  # type: ignore[no-untyped-def]
    a = responder.answer(question)
    assert (a.intent, ids(a)) == ("project_list", expected(plan, keep)), a.text
    assert not a.extra.get("list_notes"), a.extra.get("list_notes")


def test_what_kind_of_project_one_is_stays_about_it(responder: Responder) -> None:
    a = responder.answer("2-1-3ってどんな事業？")
    assert (a.intent, [x.id for x in a.answers]) == ("project_overview", ["2-1-3"])


MET_R4 = {"1-1-1", "2-1-1", "2-1-3", "2-3-3", "4-1-1", "5-1-2"}  # actual >= target in R4 (4-1-1, 5-1-2: 100 = 100)
BELOW_R4 = {"1-1-2", "1-3-1", "2-2-1", "2-3-1", "3-1-2"}


@pytest.mark.parametrize("question, want", [
    # Met or above is met: a target reached exactly counts.
    ("R4の実績が参考値と同じか上回った事業は？", MET_R4),
    ("令和4年度に目標を達成、もしくは上回った事業を教えて", MET_R4),
    # A year typed in fullwidth digits is a year, not a topic.
    ("令和４年度に実績が参考値に届かなかった事業", BELOW_R4),
])
def test_kpi_results_said_other_ways(responder: Responder, question: str, want: set[str]) -> None:
    a = responder.answer(question)
    assert (a.intent, ids(a)) == ("project_list", want), a.text
    assert not any("絞り込めません" in n for n in a.extra.get("list_notes", [])), a.extra.get("list_notes")


def test_how_many_of_a_named_projects_figure_is_no_count_of_projects(responder: Responder) -> None:
    a = responder.answer("オンライン申請様式数の令和6年度の見込みはいくつ？")
    assert (a.intent, [x.id for x in a.answers]) == ("project_kpi", ["1-1-1"]), a.text
    # … nor with whether its target was met after it (a KPI result is a list filter elsewhere).
    a = responder.answer("スマホ講座って去年いくつ開かれたの？目標には届いた？")
    assert (a.intent, [x.id for x in a.answers]) == ("project_kpi", ["3-1-2"]), a.text
    assert responder.answer("目標を達成したのはいくつ？").intent == "project_list"
    # An English question naming the project far into a long sentence: its figure, not a list.
    a = responder.answer("How many hours did RPA actually cut in FY2022 and was that above target?")
    assert (a.intent, [x.id for x in a.answers]) == ("project_kpi", ["2-3-1"]), a.text


@pytest.mark.parametrize("question, grade_wanted", [
    ("Which projects moved faster than planned?", "A"),
    ("Which projects are going slower than planned?", "C"),
])
def test_grades_said_in_everyday_english(responder: Responder, plan: Plan, question: str, grade_wanted: str) -> None:
    a = responder.answer(question)
    assert (a.intent, ids(a)) == ("project_list", expected(plan, lambda p: grade(p) == grade_wanted)), a.text


def test_the_central_community_centre_named_lists_its_projects(responder: Responder, plan: Plan) -> None:
    a = responder.answer("中央公民館が担当している事業")
    assert ids(a) == expected(plan, lambda p: "中央公民館" in p.departments), a.text


@pytest.mark.parametrize("question", ["評価がまだ出ていない事業は？", "R4の評価が付されていない事業を出して"])
def test_no_grade_said_other_ways(responder: Responder, plan: Plan, question: str) -> None:
    a = responder.answer(question)
    assert (a.intent, ids(a)) == ("project_list", expected(plan, lambda p: grade(p) is None)), a.text


@pytest.mark.parametrize("question, grade", [
    ("予定どおり進んだ事業は？", "B"),  # 進ん is what is left of a verb, no topic
    ("うちの市のDXで、C評価がついた事業ってどれ？", "C"),  # the plan's own name narrows nothing
])
def test_leftover_words_never_shrink_a_list(responder: Responder, plan: Plan, question: str, grade: str) -> None:
    a = responder.answer(question)
    want = {p.id for p in plan.projects if p.evaluations and p.evaluations[-1].grade == grade}
    assert a.intent == "project_list" and {x.id for x in a.answers} == want, a.text
    assert "絞り込めません" not in a.text and "に関する" not in a.text, a.text


@pytest.mark.parametrize("question, pid", [
    # The grade's words are what is asked of one project (did it go as planned?), not a filter.
    ("マイナンバーカードの普及は予定どおり進んだの？", "1-1-3"),
    ("スマホコンシェルジュは遅れてるんですか？", "3-1-1"),
    ("請求書や契約書を電子でやりとりする取り組みは遅れてるんですか？", "2-1-2"),
    ("did the telework project get a C last year?", "2-2-1"),
])
def test_a_grade_asked_of_one_project_is_its_status_not_a_list(responder: Responder, question: str, pid: str) -> None:
    a = responder.answer(question)
    assert a.intent == "project_status" and [x.id for x in a.answers][:1] == [pid], a.text


@pytest.mark.parametrize("question, grade", [("遅れてる？", "C"), ("which projects got a C?", "C"),
                                             ("予定より早く進んだ事業はある？", "A")])
def test_a_grade_asked_of_no_one_thing_still_lists(responder: Responder, question: str, grade: str) -> None:
    a = responder.answer(question)
    assert a.intent == "project_list" and a.answers and all(e is not None and e.grade == grade for e in (p.latest_evaluation() for p in a.projects)), a.text


def test_an_article_before_a_word_is_no_grade(responder: Responder) -> None:
    a = responder.answer("How many work processes got a BPR hearing in FY2022?")
    assert a.intent == "project_kpi" and [x.id for x in a.answers][:1] == ["2-3-3"], a.text


@pytest.mark.parametrize("question", [
    "聞いた話だと、各課が自分の形式でデータを公開していて使いにくいらしいです。それを改善する取り組みはありますか？",
    "業務の手順書が課ごとにバラバラだと課題に挙げてる事業があったと思うけど、目標って何？",
])
def test_a_grouping_word_in_a_description_lists_not_every_project(responder: Responder, question: str) -> None:
    a = responder.answer(question)
    assert not (a.intent == "project_list" and len(a.answers) >= 20), a.text


def test_a_projects_full_title_with_its_figures_asked_as_a_table_is_that_projects_kpi(responder: Responder) -> None:
    # 一覧 here is the project's table of figures, not a list of projects.
    a = responder.answer("テレワーク環境の充実の参考値と実績を一覧で見たい")
    b = responder.answer("財務会計事務のデジタル化の参考値と実績を一覧でください")
    assert (a.intent, [x.id for x in a.answers]) == ("project_kpi", ["2-2-1"]), a.text
    assert (b.intent, [x.id for x in b.answers]) == ("project_kpi", ["2-1-2"]), b.text


@pytest.mark.parametrize("question, approach", [
    ("テレワークの推進ってところに入ってる事業ってどれ？", "2-2"),
    ("「AI 等の先進技術の活用」っていうアプローチには何の事業があるの", "2-3"),
])
def test_an_approach_named_by_its_title_lists_its_projects_not_one_its_words_describe(
        responder: Responder, plan: Plan, question: str, approach: str) -> None:
    a = responder.answer(question)
    want = {p.id for p in plan.projects if p.approach_id == approach}
    assert a.intent == "project_list" and {x.id for x in a.answers} == want, a.text


@pytest.mark.parametrize("question, approach", [
    ("AI 等の先進技術の活用（2-3）の事業を一覧で", "2-3"),
    ("which projects are under the optimising-business-systems approach?", "2-4"),
])
def test_an_approachs_own_title_said_with_it_filters_nothing_more(responder: Responder, plan: Plan, question: str,
                                                                  approach: str) -> None:
    a = responder.answer(question)
    want = {p.id for p in plan.projects if p.approach_id == approach}
    assert a.intent == "project_list" and {x.id for x in a.answers} == want, a.text


def test_the_staff_abbreviation_of_the_digital_division_names_it(responder: Responder, plan: Plan) -> None:
    # デジ推: what staff call デジタル行政推進課.
    a = responder.answer("デジ推が一つだけで持ってる事業は？")
    want = {p.id for p in plan.projects if list(p.departments) == ["デジタル行政推進課"]}
    assert a.intent == "project_list" and {x.id for x in a.answers} == want, a.text


@pytest.mark.parametrize(("question", "approach"), [
    ("list the projects under policy 3, the digital support one", "3-1"),
    ("基本方針2の中の、テレワークの推進の事業は？", "2-2"),
])
def test_a_policy_with_one_of_its_approaches_described_lists_that_approach(responder: Responder, plan: Plan,
                                                                          question: str, approach: str) -> None:
    a = responder.answer(question)
    assert a.intent == "project_list" and ids(a) == expected(plan, lambda p: p.approach_id == approach), a.text


def test_a_grade_word_inside_the_named_policys_title_grades_nothing(responder: Responder, plan: Plan) -> None:
    a = responder.answer("list policy 3's projects, the one about leaving no one behind")
    assert ids(a) == expected(plan, lambda p: p.policy_id == 3) and "graded" not in a.text, a.text
    # Said as a grade, it still is one.
    a = responder.answer("which projects in policy 3 are behind schedule?")
    assert ids(a) == expected(plan, lambda p: p.policy_id == 3 and grade(p) == "C"), a.text


@pytest.mark.parametrize(("question", "project"), [
    ("キャッシュレス決済の推進、C評価だったって聞いたけど本当？", "1-2-2"),
    ("RPAの活用はB評価とのことですが、何が課題ですか", "2-3-1"),
])
def test_a_grade_said_of_a_project_to_be_confirmed_is_no_list(responder: Responder, question: str, project: str) -> None:
    a = responder.answer(question)
    assert a.intent != "project_list" and [x.id for x in a.answers] == [project], a.text
    # The same grade asked of every project is still a list.
    assert responder.answer("C評価だった事業ってどれ？").intent == "project_list"


def test_a_grade_word_asked_of_one_thing_described_is_no_list(responder: Responder) -> None:
    # 「予定どおり」 asks how the one described goes, not for every project graded B.
    a = responder.answer("データを地図で見られるようにする取り組み、それって予定どおり進んでる？", audience="citizen")
    # (the one described, or "which one?" between it and its neighbour: the model retrained with
    # held-out 22, whose writers ask back about maps of data, asks which)
    assert a.intent != "project_list" and "1-3-2" in [x.id for x in a.answers + a.suggestions][:2], a.text
    assert responder.answer("予定どおり進んでいる事業はどれ？").intent == "project_list"


def test_a_grade_named_by_its_own_words_whole_filters_by_grade_alone(responder: Responder, plan: Plan) -> None:
    # 「おおむね予定どおり実施」 is grade B said whole: its 実施 is no topic to narrow by.
    a = responder.answer("基本方針1の事業で「おおむね予定どおり実施」と評価されたものは？")
    assert ids(a) == expected(plan, lambda p: p.policy_id == 1 and grade(p) == "B"), a.text


def test_all_of_a_kind_of_project_typed_in_kana_is_a_list(responder: Responder) -> None:
    assert responder.answer("セキュリティ関係の事業ぜんぶ教えて").intent == "project_list"


def test_a_target_met_asked_of_one_thing_described_is_no_list(responder: Responder) -> None:
    # 「達成できてた？」 of the one described (a KPI of 2-4-1), not every project that met its target.
    a = responder.answer("システム導入のときのヒアリング件数、目標100のやつ、R4は達成してた？")
    assert a.intent == "project_kpi" and len(a.answers) == 1, a.text
    assert responder.answer("R4の実績が目標を達成したやつはどれ？").intent == "project_list"


def test_how_many_with_a_grade_counts_the_projects_so_graded(responder: Responder, plan: Plan) -> None:
    a = responder.answer("how many are graded A?")
    assert a.intent == "project_list" and ids(a) == expected(plan, lambda p: grade(p) == "A"), a.text
    # "how many hours" asks a figure of a project, not a count of projects.
    assert responder.answer("How many hours did the RPA robots save in FY2022?").intent == "project_kpi"


@pytest.mark.parametrize("question", ["Is there any training project for new hires?", "What projects train new staff?"])
def test_new_said_of_people_is_no_filter_of_new_projects(responder: Responder, question: str) -> None:
    # "new hires" are people; before, this listed the projects first set in R5 (or none at all).
    a = responder.answer(question)
    assert "new in R5" not in a.text and ("5-1-1" in [x.id for x in (*a.answers, *a.suggestions)]
                                          or "4-1-1" in [x.id for x in (*a.answers, *a.suggestions)]), a.text


@pytest.mark.parametrize(("question", "approach"), [
    # An approach's slogan typed unquoted (its 【…】 line), and an English paraphrase of its title in quotes.
    ("いつでもどこからでもつながる市役所にっていう目標の事業を全部教えて", "1-1"),
    ("what's listed in the 'finish work digitally' section?", "2-1"),
])
def test_an_approach_named_by_its_slogan_or_a_quoted_paraphrase_lists_its_projects(
        responder: Responder, catalog, question: str, approach: str) -> None:  # type: ignore[no-untyped-def]
    a = responder.answer(question)
    assert a.intent == "project_list", a.text
    assert ids(a) == {p.id for p in catalog.projects.values() if p.approach_id == approach}


@pytest.mark.parametrize(("question", "listed"), [
    # A word of approach 4-1's title said as a kind of project: 5-1-2 (4-1-1 again, under staff training) too.
    ("セキュリティ系の取り組みを全部教えて", {"4-1-1", "4-1-2", "5-1-2"}),
    ("list every security-related project", {"4-1-1", "4-1-2", "5-1-2"}),
    # The approach named by its title is its own projects.
    ("情報セキュリティ対策の事業を全部", {"4-1-1", "4-1-2"}),
])
def test_a_kind_of_project_lists_the_reposts_of_its_projects_and_an_approach_its_own(
        responder: Responder, question: str, listed: set[str]) -> None:
    a = responder.answer(question)
    assert a.intent == "project_list" and ids(a) == listed, a.text


def test_words_left_over_from_asking_never_empty_a_list(responder: Responder) -> None:
    a = responder.answer("Did any projects get done early? Which ones got the top grade?")
    assert a.intent == "project_list" and ids(a) == {"1-2-2", "1-3-2", "4-1-1", "5-1-2"}, a.text
    assert "could not be used to narrow" in a.text


def test_projects_with_a_table_of_reference_targets_are_those_with_kpis(responder: Responder, catalog) -> None:  # type: ignore[no-untyped-def]
    a = responder.answer("Which projects have a set of yearly reference targets?")
    assert a.intent == "project_list" and ids(a) == {p.id for p in catalog.projects.values() if p.indicators}, a.text


def test_alone_or_jointly_is_no_filter_of_owners(responder: Responder, catalog) -> None:  # type: ignore[no-untyped-def]
    a = responder.answer("デジタル行政推進課が単独または共管で持ってる事業を全部")
    assert a.intent == "project_list", a.text
    assert ids(a) == {p.id for p in catalog.projects.values() if "デジタル行政推進課" in p.departments}


def test_one_project_named_with_its_grade_to_confirm_is_no_list(responder: Responder) -> None:
    a = responder.answer("妻が市役所勤めの知人と話してて聞いてきたんですけど、「テレワーク環境の充実」って事業、"
                         "評価がCだったって本当ですか？遅れてる理由も知りたいです", audience="citizen")
    assert (a.intent, sorted(ids(a))) == ("project_status", ["2-2-1"]), a.text


def test_a_title_is_not_named_by_its_particle_and_a_word_every_title_shares(responder: Responder) -> None:
    # 「…まわりのデジタル化」 shares only 「のデジタル化」 with 1-2「窓口のデジタル化」: no approach is named.
    a = responder.answer("会議まわりのデジタル化の事業について聞きたいです")
    assert not (a.intent == "project_list" and ids(a) == {"1-2-1", "1-2-2"}), a.text
    assert ids(responder.answer("窓口のデジタル化の事業")) == {"1-2-1", "1-2-2"}


def test_a_named_items_figure_split_by_division_is_no_count_of_projects_per_division(responder: Responder) -> None:
    # The plan gives RPA's hours in total: a split by division is not held, and no list of divisions.
    a = responder.answer("RPAの削減時間の課ごとの内訳は？")
    assert a.intent == "unknown" and not a.answers, a.text
    assert responder.answer("課ごとの事業数は？").intent == "project_list"
    a = responder.answer("スマホ講座の回数、公民館ごとに分けて見られる？")
    assert a.intent == "unknown" and not a.answers, a.text


def _commented(word: str) -> Callable[[Project], bool]:
    return lambda p: any(word in e.comment for e in p.evaluations)


@pytest.mark.parametrize("question,keep", [
    ("評価コメントに「ヒアリング」と書いてある事業は？", _commented("ヒアリング")),
    ("コメントに予算化しましたと書かれている事業を全部", _commented("予算化")),
    ("振り返りに「検証」って書いてある事業どれ", _commented("検証")),
])
def test_the_projects_whose_comments_say_a_phrase_are_listed(responder: Responder, plan: Plan, question: str,
                                                              keep: Callable[[Project], bool]) -> None:
    a = responder.answer(question)
    assert a.intent == "project_list" and ids(a) == expected(plan, keep) and ids(a), a.text
    assert "絞り込めませんでした" not in a.text


def test_a_phrase_read_somewhere_else_is_no_filter_on_the_plans_texts(responder: Responder) -> None:
    # Where they read it is told, not asked: the policy it quotes is what they ask about.
    a = responder.answer("「いつでもどこからでもつながる市役所に」って書いてあるところの事業を全部知りたい", audience="citizen")
    assert a.intent == "project_list" and ids(a), a.text
    # One item's target said to have been lowered is asked about that item, not a list.
    a = responder.answer("ふなっぷの利用者数の目標って下方修正されたんでしょ？今の目標はいくつ？", audience="citizen")
    assert a.intent == "project_kpi" and ids(a) == {"1-1-2"}, a.text
    # What they remember having read is told, not a filter: no list of texts saying it.
    a = responder.answer("市の計画に「ボランティア」って書いてあった気がするけど、それってどの事業だっけ", audience="citizen")
    assert "とある事業" not in a.text and "触れている事業" not in a.text, a.text


def test_one_of_a_departments_projects_pointed_at_is_asked_which(responder) -> None:  # type: ignore[no-untyped-def]
    # 「あの取り組み」 points at one project: which of the department's two, not both listed.
    a = responder.answer("戸籍住民課がやってるあの取り組み、スケジュール教えて", audience="staff")
    assert a.intent == "clarify" and [s.id for s in a.suggestions] == ["1-1-3", "1-2-1"], a.text
    # Without the pointing word the department's projects are listed with what was asked.
    listed = responder.answer("戸籍住民課がやってる取り組みのスケジュール教えて", audience="staff")
    assert listed.intent == "project_list" and [x.id for x in listed.answers] == ["1-1-3", "1-2-1"], listed.text


@pytest.mark.parametrize(("question", "pid"), [
    ("議事録をAIで文字にする件、B評価になった根拠は？", "2-3-2"),
    ("公民館でスマホの使い方を教える講座の件、C評価だった根拠を知りたい", "3-1-2"),
])
def test_a_grade_asked_of_one_described_matter_is_that_projects_status(responder, question: str, pid: str) -> None:  # type: ignore[no-untyped-def]
    # 「…する件」 is one matter, and 根拠 asks why it got its grade: not the list of that grade.
    a = responder.answer(question, audience="staff")
    assert (a.intent, [x.id for x in a.answers]) == ("project_status", [pid]), a.text
    assert responder.answer("A評価の事業の根拠は？", audience="staff").intent == "project_list"


def test_a_departments_name_said_in_other_words_is_no_topic_of_its_list(responder) -> None:  # type: ignore[no-untyped-def]
    # "system owner divisions" is システム所管課 in English: its "system" narrows nothing (2-4-2 is
    # the cloud project, its title without "system" in English).
    a = responder.answer("Which projects is the 'system owner divisions' (システム所管課) involved in?")
    assert a.intent == "project_list" and {x.id for x in a.answers} == {"2-4-1", "2-4-2"}, a.text
    assert "about" not in a.text.splitlines()[0], a.text
