"""Question understanding, written from the plan: every intent, the normalisations, rejection."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import replace

import pytest

from handlers import Context, Responder
from handlers.understand import asked_intent, read
from knowledge.records import Evaluation
from state.catalog import load_catalog
from tests.conftest import DATA

CASES = json.loads((DATA / "plan_questions.json").read_text(encoding="utf-8"))


def norm(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


@pytest.mark.parametrize("case", CASES, ids=[c["q"] for c in CASES])
def test_plan_questions(responder: Responder, case: dict) -> None:
    a = responder.answer(case["q"], audience=case.get("audience", "staff"))
    ids = [norm(x.id) for x in a.answers]
    if case.get("unknown"):
        assert a.intent == "unknown" and not a.answers, a.text
        return
    if "clarify" in case:
        assert a.intent == "clarify" and not a.answers
        assert set(case["clarify"]) <= {s.id for s in a.suggestions}
        return
    assert a.intent == case["intent"], (a.intent, a.text[:200])
    if "top" in case:
        assert ids[:1] == [norm(case["top"])]
    if "set" in case:
        assert set(ids) == set(case["set"])


def test_status_answer_reads_like_an_answer(responder: Responder) -> None:
    a = responder.answer("2-3-1の状況は？")
    assert a.intent == "project_status" and a.lang == "ja"
    assert "RPA の活用拡充" in a.text and "B（おおむね予定どおり実施）" in a.text
    assert "業務フローの可視化を行いました" in a.text  # the evaluation comment
    assert "出典: アクションプラン 2023年6月改定, 事業 2-3-1" in a.text


def test_kpi_shows_achievement_against_target(responder: Responder) -> None:
    a = responder.answer("RPAのKPIは？")
    assert a.intent == "project_kpi" and a.answers[0].id == "2-3-1"
    assert "7,552 / 8,000 = 94.4%" in a.text
    assert "6,615" in a.text and "14,000" in a.text


def test_kpi_revised_targets_and_missing_values(responder: Responder) -> None:
    text = responder.answer("1-1-2のKPI").text
    assert "目標 20,000、当初 24,000 から修正" in text
    text = responder.answer("2-1-1の参考値").text
    assert "基準値 令和3年度: —" in text and "55%" in text


def test_kpi_question_about_a_project_without_kpi(responder: Responder) -> None:
    a = responder.answer("2-1-2のKPIは？")
    assert a.intent == "project_kpi" and "参考値（KPI）の設定がありません" in a.text


def test_schedule_and_overview(responder: Responder) -> None:
    s = responder.answer("2-4-3のスケジュール").text
    assert "令和5年度〜: 【R5 新】次期庁内ネットワークの構築" in s  # its arrow runs on to R6
    o = responder.answer("1-1-3の課題は？")
    assert o.intent == "project_overview" and "【課題】" in o.text and "写真撮影" in o.text


def test_english_questions_get_english_answers(responder: Responder) -> None:
    a = responder.answer("what does LGWAN mean?")
    assert a.lang == "en" and a.intent == "glossary" and a.answers[0].id == "LGWAN"
    assert "Definition" in a.text and "行政専用のネットワーク" in a.text
    s = responder.answer("what's 2-3-1's status?")
    assert s.intent == "project_status" and "mostly on schedule" in s.text and "Expanding the use of RPA" in s.text
    assert responder.answer("RPA").lang == "ja"  # an acronym alone is not English


def test_unknown_ids_are_not_the_nearest_id(responder: Responder) -> None:
    a = responder.answer("2-3-9の進捗")
    assert a.intent == "unknown" and not a.answers
    assert "2-3-9" in a.text
    assert {s.id for s in a.suggestions} == {"2-3-1", "2-3-2", "2-3-3"}


@pytest.mark.parametrize("q", ["来週の天気", "NFTとは", "qwertyuiop", "Bitcoinの価格", "おすすめの映画", "hello world program in rust"])
def test_out_of_scope_is_rejected(responder: Responder, q: str) -> None:
    a = responder.answer(q)
    assert not a.answers and a.intent in {"unknown", "help"}
    if a.intent == "unknown":
        assert "わかりません" in a.text or "don't know" in a.text


def test_clarify_offers_candidates_without_answering(responder: Responder) -> None:
    a = responder.answer("研修の状況")
    assert a.intent == "clarify" and not a.answers
    assert {"4-1-1", "5-1-1"} <= {s.id for s in a.suggestions}
    assert "どれのことですか" in a.text


def test_empty_list_is_a_valid_answer(responder: Responder) -> None:
    a = responder.answer("D評価の事業")
    assert a.intent == "project_list" and a.answers == ()
    assert "ありません" in a.text


def test_count_question(responder: Responder) -> None:
    assert "19件" in responder.answer("B評価の事業は何件？").text


def test_help(responder: Responder) -> None:
    for q in ("こんにちは", "help", "使い方を教えて", "", "   "):
        assert responder.answer(q).intent == "help"


def test_follow_up_uses_context_and_says_so(responder: Responder) -> None:
    a = responder.answer("そのKPIは？", context=Context(last_project="2-3-1"))
    assert a.intent == "project_kpi" and a.answers[0].id == "2-3-1"
    assert a.assumed_project == "2-3-1" and "2-3-1" in a.text.splitlines()[0]
    en = responder.answer("and its schedule?", context=Context(last_project="2-1-2"))
    assert en.intent == "project_schedule" and en.answers[0].id == "2-1-2" and "Assuming" in en.text
    assert responder.answer("そのKPIは？").intent == "unknown"  # no context, no guess


def test_citizens_never_see_drafts(shared_db) -> None:
    catalog = load_catalog(shared_db)
    p = catalog.projects["2-3-1"]
    draft = Evaluation(fiscal_year=2023, grade="A", comment="内部の下書きコメント", source="submission", status="draft")
    catalog.projects["2-3-1"] = replace(p, evaluations=p.evaluations + (draft,))
    r = Responder(catalog)
    staff = r.answer("2-3-1の状況は？", audience="staff")
    citizen = r.answer("2-3-1の状況は？", audience="citizen")
    assert "下書き・未公表" in staff.text and "内部の下書きコメント" in staff.text
    assert "内部の下書きコメント" not in citizen.text and "下書き" not in citizen.text
    assert all(e.status == "published" for e in citizen.projects[0].evaluations)


def test_json_contract(responder: Responder) -> None:
    data = responder.answer("２－３－１の評価").to_json()
    assert set(data) == {"query", "intent", "answers", "suggestions", "text"}
    assert data["answers"][0]["id"] == "2-3-1" and data["answers"][0]["kind"] == "project"
    g = responder.answer("AI音声認識システムとは").to_json()
    assert g["answers"][0]["id"] == "AI 音声認識システム"  # the term exactly as the plan writes it


@pytest.mark.parametrize("question, intent, pid", [
    # A project named by its title (a typo in it) as the one asked about is not its approach's list.
    ("市役所データの見え化って事業の中身を知りたい", "project_overview", "1-3-2"),
    ("「スマートフォン講座等の充実」ってなんでC評価なの？", "project_status", "3-1-2"),
    # The comment is the evaluation's: a status question.
    ("2-4-1のコメントには何て書いてある？", "project_status", "2-4-1"),
    # A sentence of the evaluation comment quoted, the grade asked: the status card, led by the quote.
    ("職員に聞いたら『今はいらない』という声が多かった事業、評価はどうだった？", "project_status", "2-2-2"),
    # Office shorthand: 電決 is 電子決裁.
    ("電決の割合、R6の見込みはいくつ？", "project_kpi", "2-1-1"),
])
def test_the_project_named_as_the_one_asked_about(responder, question, intent, pid):  # type: ignore[no-untyped-def]
    a = responder.answer(question)
    assert (a.intent, [x.id for x in a.answers][:1]) == (intent, [pid]), a.text
    assert responder.answer("キャッシュレスってなんですか").intent == "glossary"  # なんです is no なんで


@pytest.mark.parametrize("question, intent, pid", [
    # No cue: whether there is such a thing asks what it is (the overview) …
    ("大きな地震で本庁舎がやられても仕事を続けられるような対策はありますか", "project_overview", "2-4-3"),
    # … how it went asks the status.
    ("本庁舎が被災しても止まらないネットワークの作り直し、うまく進んだ？", "project_status", "2-4-3"),
])
def test_with_no_cue_whether_there_is_one_is_the_overview(responder, question, intent, pid):  # type: ignore[no-untyped-def]
    a = responder.answer(question, audience="citizen")
    assert (a.intent, [x.id for x in a.answers][:1]) == (intent, [pid]), a.text


def test_a_name_followed_by_other_than_is_set_aside(responder):  # type: ignore[no-untyped-def]
    # 基幹20業務 names 2-4-1; the systems *other than* those are 2-4-2's.
    a = responder.answer("基幹20業務以外のシステムをガバメントクラウドに載せるかどうか様子見している事業の概要")
    assert (a.intent, [x.id for x in a.answers]) == ("project_overview", ["2-4-2"]), a.text
    b = responder.answer("基幹20業務のシステムを国の標準に合わせる事業の概要")
    assert [x.id for x in b.answers] == ["2-4-1"], b.text


@pytest.mark.parametrize("question, pid", [
    ("キャッシュレス決済の拡充ってどういう とりくみ？", "1-2-2"),
    ("Web会議の推進の中身をざっくり", "2-1-3"),
    ("テレワーク環境の充実はどういう事業ですか", "2-2-1"),
    ("マイナンバーカードの申請を出張で手伝ってくれるのは、どの事業に入ってますか", "1-1-3"),
    # Its goal (目標 of the overview) asked in other words: ゴール, "aim".
    ("キャッシュレス決済の拡充って最終的なゴールはどこ？", "1-2-2"),
    ("what's the aim of the telework project?", "2-2-1"),
])
def test_what_a_project_is_or_which_it_is_gets_its_overview(responder: Responder, question: str, pid: str) -> None:
    a = responder.answer(question)
    assert (a.intent, [x.id for x in a.answers][:1]) == ("project_overview", [pid]), a.text[:200]


@pytest.mark.parametrize("question, intent, pid", [
    # Which section (係, 課 typed in kana) runs it: its departments.
    ("まいなんばーかーどの しんせいを てつだって くれるのは しやくしょの どこの かかり ですか", "project_department", "1-1-3"),
    # A story of how it came about, then the question what it is: what it is.
    ("ふなっぷが できたって きいたけど、 あれは どういう とりくみ？", "project_overview", "1-1-2"),
    ("キャッシュレス決済の拡充って、どのような取り組みですか", "project_overview", "1-2-2"),
    # 何をやってる asks what the city does, not what a word means (何 alone would).
    ("AIで市は何をやってるの", "project_overview", "2-3-2"),
])
def test_a_citizens_question_gets_the_kind_of_answer_it_asks(responder: Responder, question: str, intent: str,
                                                             pid: str) -> None:
    a = responder.answer(question, audience="citizen")
    assert (a.intent, [x.id for x in a.answers][:1]) == (intent, [pid]), a.text[:200]


def test_whether_one_department_runs_it_alone_asks_for_its_departments(responder: Responder) -> None:
    a = responder.answer("2-2-2って人事課単独？それとも共管？")
    assert (a.intent, [x.id for x in a.answers]) == ("project_department", ["2-2-2"]), a.text[:200]


@pytest.mark.parametrize("question, intent, pid", [
    ("スマホコンシェルジュの拡充ってどういう事業？", "project_overview", "3-1-1"),  # a project, not a word
    ("2-1-3の中身をざっくり", "project_overview", "2-1-3"),  # by its id too
    ("1-2-2はA評価でしたが、何が予定より早かったのですか", "project_status", "1-2-2"),  # 予定より is the grade's
])
def test_what_a_named_project_is_or_why_it_was_graded_so(responder: Responder, question: str, intent: str,
                                                          pid: str) -> None:
    a = responder.answer(question)
    assert (a.intent, [x.id for x in a.answers][:1]) == (intent, [pid]), a.text[:200]


def test_departments_in_the_plural_ask_who_runs_a_project(responder: Responder) -> None:
    a = responder.answer("Which departments look after the e-approval project?")
    assert (a.intent, [x.id for x in a.answers][:1]) == ("project_department", ["2-1-1"]), a.text[:200]


@pytest.mark.parametrize("question, term_asked", [
    ("DXとは？", True), ("あれは いったい なんなの？", True), ("AI-OCRって普通のOCRと何が違うの？", True),
    # 「とは思う」 quotes, 「何か」 is something, 「何が追加」 asks what is added: none asks what a word means.
    ("マイナンバーカードを作らなきゃとは思ってるんだけど、商業施設で申請を手伝ってもらえるって本当？", False),
    ("何か問題が起きたときにすぐ動くチームを置いた取り組みはどれ？", False),
    ("スマホ決済アプリ、R5から何が追加になるの？", False),
    ("what's the city doing about cashless payments?", False),
])
def test_a_definition_cue_is_read_only_where_it_asks_what_a_word_is(question: str, term_asked: bool) -> None:
    from handlers.understand import read

    assert read(question).glossary_cue is term_asked


@pytest.mark.parametrize("question", ["スマホコンシエルジュって何をする人？", "スマホコンシェルジェって、どんな人のことを言うの"])
def test_what_a_person_named_by_a_term_does_is_the_terms_definition(responder: Responder, question: str) -> None:
    a = responder.answer(question, audience="citizen")
    assert (a.intent, [x.id for x in a.answers][:1]) == ("glossary", ["スマホコンシェルジュ"]), a.text


def test_a_term_in_a_question_about_what_the_city_does_gets_its_project(responder: Responder) -> None:
    a = responder.answer("マイナンバーカードを作らなきゃとは思ってるんだけど、商業施設で申請を手伝ってもらえるって本当？",
                         audience="citizen")
    assert a.intent.startswith("project_") and [x.id for x in a.answers][:1] == ["1-1-3"], a.text


@pytest.mark.parametrize("question, intent, pid", [
    # Which project it is, or whether there is a plan at all: what the project is answers.
    ("市のアプリでプッシュ通知が来るようになったのって、どの事業の成果ですか？", "project_overview", "1-1-2"),
    ("会議の議事録をAIで作る計画ってあるんですか？", "project_overview", "2-3-2"),
    # A year or "when" asked with it is the timetable still.
    ("本庁舎以外に職員が働ける場所を作るのは、どの事業の何年度の予定？", "project_schedule", "2-2-2"),
    ("RPAの令和6年度の予定は？", "project_schedule", "2-3-1"),
])
def test_which_project_or_whether_there_is_a_plan_asks_what_it_is(responder: Responder, question: str, intent: str,
                                                                 pid: str) -> None:
    a = responder.answer(question)
    assert (a.intent, [x.id for x in a.answers][:1]) == (intent, [pid]), a.text


@pytest.mark.parametrize("question, schedule_asked", [
    ("電子決裁の今後の計画は？", True),
    ("サテライトオフィスの件、どういう段取りになってる？", True),  # 段取り: the steps ahead
    ("計画ではワンスオンラインをどう説明していますか", False),  # the plan as a document
    ("本計画の用語で、Web会議はどう定義されているか", False),
    ("計画の用語集だと、クラウドってどういう意味？", False),
    ("計画はどのように定義しているか、二次元コードについて伺う", False),
    ("DXの計画の２－２－１って、去年は予定どおり進んだの？", False),  # the plan's project, how it went
    ("計画の事業のうち遅れているのはどれ？", False),
])
def test_the_plan_named_as_a_document_asks_no_timetable(question: str, schedule_asked: bool) -> None:
    from handlers.understand import read

    assert (read(question).project_intent == "project_schedule") is schedule_asked


@pytest.mark.parametrize("q", [
    "窓口で何度も住所を書くのが本当に面倒。市役所って、それを減らすために何かしてるの？",
    "子どもの情報を市に預けてるから心配。船橋はサイバー攻撃にどんな備えをしてるの？",
    "市税をスマホで払いたいんだけど、どのアプリなら使えるの？",
])
def test_what_the_city_does_about_something_asks_what_the_project_is(q: str) -> None:
    # No cue names a part; asking whether or what the city does (何かしてるの, どんな備え, どのアプリ)
    # is answered by what the project is, not how it went.
    assert asked_intent(read(q)) == "project_overview"


def test_no_one_is_no_department_asked() -> None:
    # 誰一人取り残さない (「だれひとり とりのこさない」) is "no one left behind": nobody is asked for.
    assert read("だれ一人取り残さないって所の取り組みを全部教えて").project_intent is None
    assert read("誰ひとり取り残さないデジタル化の事業は？").project_intent is None
    assert read("この事業の担当は誰？").project_intent == "project_department"


def test_the_policy_named_in_kana_lists_its_projects(responder: Responder) -> None:
    a = responder.answer("だれひとり とりのこさない って かいてある ところ の とりくみ、 ぜんぶ しりたい", audience="citizen")
    assert (a.intent, [x.id for x in a.answers]) == ("project_list", ["3-1-1", "3-1-2", "3-1-3"]), a.text
