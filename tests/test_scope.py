"""Questions about other organisations get "this bot only knows Funabashi's plan", never Funabashi's card.

Everything goes through the real Responder on the real plan; the places come from the shipped
gazetteer (knowledge/data/gazetteer.tsv), not from a list in this file.
"""

from __future__ import annotations

import random

import pytest

from knowledge.gazetteer import read_rows


def _refused(answer, name: str) -> None:
    assert answer.intent == "unknown", answer.text
    assert answer.answers == (), answer.text
    assert name in answer.text.split("\n")[0], answer.text


@pytest.mark.parametrize(
    "question, shown",
    [
        ("川崎市のRPAの導入状況は？", "川崎市"),
        ("千葉県のDX推進計画について教えて", "千葉県"),
        ("横浜のオープンデータは何件ある？", "横浜"),
        ("市川市はテレワークしてる？", "市川市"),
        ("柏市の電子決裁はいつから？", "柏市"),
        ("世田谷区のマイナンバーカード交付率", "世田谷区"),
        ("大阪ではキャッシュレス決済どうなってる？", "大阪"),
        ("神奈川県川崎市のスマホ講座", "川崎市"),
        ("習志野市のオープンデータカタログサイト", "習志野市"),
        ("印旛郡栄町のDXの取り組み", "栄町"),
        ("札幌市中央区の窓口のワンストップ化", "札幌市"),
        ("かわさきしのRPA", "川崎市"),
        ("府中のオープンデータ", "府中"),
        ("エストニアの電子政府について", "エストニア"),
        ("韓国のマイナンバーみたいな制度は？", "韓国"),
        ("アメリカのオープンデータの公開数", "アメリカ"),
        ("厚労省のRPA導入状況", "厚労省"),
        ("経済産業省のDXレポートとは", "経済産業省"),
        ("デジタル庁の評価は？", "デジタル庁"),
        # The plan speaks of the state, but not of its telework, RPA or DX plan.
        ("国のテレワーク実施率は？", "国"),
        ("政府のRPA推進の状況", "政府"),
        ("総務省の自治体DX推進計画とは", "総務省"),
        ("他の自治体のRPAは？", "他の自治体"),
        ("近隣市のテレワークの実施率", "近隣市"),
        ("株式会社サイボウズのテレワーク", "株式会社サイボウズ"),
        ("Google社のクラウドの評価", "Google社"),
        ("東京23区のオープンデータ", "東京"),
        ("県のDX推進計画はどうなってる？", "県"),
        ("船橋市以外の自治体のRPA", "以外の自治体"),
        ("鎌ヶ谷市のキャッシュレス決済", "鎌ケ谷市"),
        ("隣の市の電子決裁", "隣の市"),
        ("ヨーロッパのオープンデータ", "ヨーロッパ"),
        ("富士通のシステムの標準化", "富士通"),
    ],
)
def test_japanese_questions_about_other_organisations_are_refused_naming_them(responder, question, shown):
    answer = responder.answer(question)
    _refused(answer, shown)
    assert "船橋市" in answer.text
    assert answer.lang == "ja"


@pytest.mark.parametrize(
    "question, shown",
    [
        ("Yokohama's open data", "Yokohama"),
        ("Osaka city RPA", "Osaka (大阪市)"),
        ("What is Tokyo doing about telework?", "Tokyo"),
        ("How many open data sets does Kawasaki City publish?", "Kawasaki (川崎市)"),
        ("Does Chiba Prefecture use RPA?", "Chiba"),
        ("Kashiwa's telework", "Kashiwa"),
        ("RPA in Yokohama", "Yokohama"),
        ("Estonia's e-government", "Estonia"),
        ("What do other cities do about cashless payments?", "other cities"),
        ("Nagoya's cloud migration schedule", "Nagoya"),
        ("the Digital Agency's RPA plan", "Digital Agency"),
        ("Matsudo-shi smartphone classes", "Matsudo"),
        ("Does Ichikawa use RPA?", "Ichikawa"),
        ("the UK's open data", "United Kingdom"),
        ("How does China handle cashless payments?", "China"),
        ("Microsoft's cloud", "Microsoft"),
    ],
)
def test_english_questions_about_other_organisations_are_refused_in_english(responder, question, shown):
    answer = responder.answer(question)
    _refused(answer, shown)
    assert answer.lang == "en"
    assert "Funabashi" in answer.text


def test_a_refusal_points_at_the_same_topic_in_funabashis_plan_as_suggestions_only(responder):
    answer = responder.answer("川崎市のRPAの状況")
    assert answer.answers == ()
    assert "2-3-1" in [s.id for s in answer.suggestions]
    assert "船橋市の計画では" in answer.text
    assert answer.extra["out_of_scope"] == {"organisation": "川崎市", "kind": "municipality"}
    en = responder.answer("Yokohama's open data")
    assert "1-3-1" in [s.id for s in en.suggestions]
    assert "In Funabashi's plan" in en.text


def test_the_reply_follows_the_language_the_reader_chose(responder):
    answer = responder.answer("Yokohama's open data", lang="ja")
    _refused(answer, "横浜市")
    assert answer.lang == "ja"


def test_every_kind_of_municipality_in_the_gazetteer_is_recognised(responder):
    """A sample drawn from the whole shipped list (cities, towns, villages, wards), not a few names."""
    rows = [r for r in read_rows() if r[0] in {"municipality", "ward"} and r[5] != "122041"]
    assert len(rows) > 1700  # the 全国地方公共団体コード list, with the designated cities' wards
    for _kind, name, *_ in random.Random(12).sample(rows, 40):
        answer = responder.answer(f"{name}のオープンデータの公開数は？")
        _refused(answer, name)


def test_every_prefecture_is_recognised_with_and_without_its_suffix(responder):
    prefectures = [r for r in read_rows() if r[0] == "prefecture"]
    assert len(prefectures) == 47
    for _, name, bare, _, romaji, *_ in prefectures:
        _refused(responder.answer(f"{name}のRPAの状況"), name)
        _refused(responder.answer(f"{bare}ではテレワークは進んでる？"), bare)
        _refused(responder.answer(f"how does {romaji.title()} use RPA?"), romaji.title())


@pytest.mark.parametrize(
    "question, intent, top",
    [
        ("船橋市のRPAの状況", "project_status", "2-3-1"),
        ("千葉県船橋市のオープンデータは何件？", "project_kpi", "1-3-1"),
        ("本市のテレワークの状況は？", "project_status", "2-2-1"),
        ("Funabashi's open data", "glossary", "オープンデータ"),
        ("status of telework in Funabashi City, Chiba", "project_status", "2-2-1"),
        ("船橋市公式アプリとは", "glossary", "ふなっぷ"),
    ],
)
def test_funabashi_itself_is_in_scope_and_its_name_does_not_dilute_the_topic(responder, question, intent, top):
    answer = responder.answer(question)
    assert (answer.intent, answer.answers[0].id) == (intent, top), answer.text


@pytest.mark.parametrize(
    "question, intent, top",
    [
        # The plan speaks of the state (国), its ministries and Sweden with these very topics.
        ("国のガバメントクラウドとは", "glossary", "ガバメントクラウド"),
        ("デジタル庁が示す標準化・共通化とは", "glossary", "システム(の)標準化・共通化"),
        ("what does the national government's Government Cloud mean", "glossary", "ガバメントクラウド"),
        ("国が示した26手続のオンライン化の状況", "project_status", "1-1-1"),
        ("総務省のデジタル活用支援推進事業を使ったスマホ講座の状況", "project_status", "3-1-2"),
        ("スウェーデンの教授が提唱したDXとは", "glossary", "DX"),
        ("他の自治体と比べてマイナンバーカードの交付率は？", "project_status", "1-1-3"),
        ("ヤフー株式会社のくらしとは", "glossary", "Yahoo!くらし"),
    ],
)
def test_organisations_the_plan_itself_speaks_of_are_answered(responder, question, intent, top):
    answer = responder.answer(question)
    assert (answer.intent, answer.answers[0].id) == (intent, top), answer.text


@pytest.mark.parametrize(
    "question",
    [
        "国民健康保険料のキャッシュレス決済",  # 国 inside 国民
        "固定資産税・都市計画税の二次元コード",  # 都市 is no city
        "市民向けのスマホ講座",
        "市役所の窓口のワンストップ化",
        "全国の自治体と同様にマイナンバーカードの普及が遅れているのはなぜ",
        "公民館でのスマートフォン講座の開催数",
        "中央公民館のスマホ講座の状況",
        "Web会議の開催数は？",
    ],
)
def test_place_like_words_inside_the_plans_own_vocabulary_are_not_organisations(responder, question):
    answer = responder.answer(question)
    assert "out_of_scope" not in answer.extra, answer.text
    assert answer.answers, answer.text


def test_a_product_named_after_a_company_is_not_the_company(responder):
    answer = responder.answer("Google フォームでオンライン申請はできる？")
    assert "out_of_scope" not in answer.extra
    assert "Google" not in answer.text.split("\n")[0]


def test_no_name_or_term_of_the_plan_reads_as_another_organisation(responder, catalog):
    questions = [f"{t.term}とは" for t in catalog.terms.values()]
    questions += [f"{p.name}の状況" for p in catalog.projects.values()]
    questions += [f"{catalog.english_name('project', pid)} status" for pid in catalog.projects
                  if catalog.english_name("project", pid)]
    flagged = [q for q in questions if "out_of_scope" in responder.answer(q).extra]
    assert flagged == []


@pytest.mark.parametrize(
    "question, top",
    [
        # Where the asker comes from, or someone they know lives, is their story, not their question.
        ("I just moved here from Australia. Can I pay my resident tax with a smartphone app?", "1-2-2"),
        ("大阪から引っ越してきたばかりです。マイナンバーカードの交付率はどのくらいですか", "1-1-3"),
        ("My sister in Yokohama uses her city's app a lot. What is Funabashi's official app called?", "1-1-2"),
        # ... or who is visiting from there, or someone there (mum, as British English says it).
        ("My parents are visiting from abroad next month and want to know: what is the Funabashi app ふなっぷ?", "ふなっぷ"),
        ("My mum in Canada asked me what a QR code payment slip is — does Funabashi do that?", "1-2-2"),
        # Another body named before a last sentence that turns to Funabashi itself.
        ("横浜市ではAIのチャットを使っていると聞きました。船橋市は生成AIを使う予定がありますか？", "2-3-2"),
        # A body in a clause of its own before the clause that asks about Funabashi.
        ("After reading so much news about banks being hacked lately, I want to know if Funabashi has an "
         "emergency response team for incidents", "4-1-2"),
        ("よその市で情報が漏れたって聞いたけど、船橋市は外部の監査とか受けてるの？", "4-1-2"),
        # A thing described in other words, whose definition in the plan names the state.
        ("What is the online service run by the national government where I can see my own tax info with my card?",
         "マイナポータル"),
    ],
)
def test_a_body_that_is_only_the_askers_background_does_not_refuse_the_question(responder, question, top):
    a = responder.answer(question, audience="citizen")
    assert [x.id for x in a.answers][:1] == [top], a.text


@pytest.mark.parametrize(
    "question, shown",
    [
        ("I moved here from Canada. What is Canada's digital ID called?", "Canada"),
        ("How long does immigration take to renew a visa?", "mmigration"),  # a national body the plan never names
        ("川崎市のRPAはどう？船橋と比較したい", "川崎市"),
        # A body that is the sentence's subject, or likened to Funabashi, is what is asked about.
        ("Does Chiba City, like Funabashi, have a smartphone concierge?", "Chiba"),
        ("浦安市、船橋みたいにスマホ講座やってる？", "浦安市"),
    ],
)
def test_a_body_asked_about_in_the_last_sentence_or_compared_is_still_refused(responder, question, shown):
    _refused(responder.answer(question, audience="citizen"), shown)


@pytest.mark.parametrize("question", [
    "B評価の事業のコメント、いい感じに作文しておいて",
    "C評価になった事業の言い訳コメントを作文して",
    "RPAの評価コメントの下書きを作って",
    "Could you draft the evaluation comment for our project?",
    "2-3-3の今年の評価コメント、下書きしておいてくれる？",
    "Web会議の評価がCになりそう。コメントはどういうふうに書けばいい？",
    "1-3-2の評価をAにできないかアドバイスをください",
])
def test_drafting_for_them_is_not_answered_from_the_plan(responder, question):  # type: ignore[no-untyped-def]
    a = responder.answer(question)
    assert (a.intent, a.answers) == ("unknown", ()), a.text


def test_counting_staff_is_no_list_of_projects(responder):  # type: ignore[no-untyped-def]
    a = responder.answer("市の職員数は全部で何人？")
    assert not a.answers and a.intent != "project_list", a.text


def test_the_draft_of_a_plan_is_no_request(responder):  # type: ignore[no-untyped-def]
    a = responder.answer("What is the schedule for 2-3-1 in the draft version?")
    assert [x.id for x in a.answers] == ["2-3-1"], a.text


@pytest.mark.parametrize("question", [
    "スマホ講座を請け負っている会社の社名は？",  # a company the plan never names
    "AI-OCRのベンダーどこでしたっけ",  # the maker asked with "where", no particle needed
    "ガバメントクラウドの事業者どこ",
    "LGWANの業者誰？",
    "オープンデータカタログサイトを作った法人名を教えて",  # an organisation the entry never names
    "DXを提唱した教授はどこの大学の人？",  # 「スウェーデンの大学教授」: which university, never said
    "What university was the professor who came up with DX from?",
    "マイナンバーカードを申し込んだけど、いつごろ届くの？",  # a date it never gives
    "How much commission does the city pay on cashless payments?",  # a price
    "CSIRTの責任者はどなたですか",  # a person
])
def test_facts_the_plan_never_holds_are_not_answered_with_a_card(responder, question):  # type: ignore[no-untyped-def]
    a = responder.answer(question)
    assert not a.answers, a.text


def test_a_fee_paid_online_is_no_price_asked(responder):  # type: ignore[no-untyped-def]
    a = responder.answer("オンライン申請のときに手数料もその場で払えるようになるの？", audience="citizen")
    assert [x.id for x in a.answers] == ["1-2-2"], a.text
    a = responder.answer("Can I pay fees online when I apply for something on the city's site?", audience="citizen")
    assert [x.id for x in a.answers][:1] == ["1-2-2"], a.text
    a = responder.answer("How much is the fee for paying city tax with PayPay?", audience="citizen")
    assert a.intent == "unknown" and not a.answers, a.text  # what it costs: the plan never says


@pytest.mark.parametrize("question, term", [
    # The state named in a description whose term's definition says 国 (国が策定する標準的な仕様書).
    ("What's the term for moving city systems onto the standard specs the national government writes?",
     "システム(の)標準化・共通化"),
    # "so city news…" names no 曽於市: a romaji place that is an English word must be capitalised.
    ("My phone buzzes so city news reaches me fast. What is that app called?", "ふなっぷ"),
])
def test_no_other_body_where_none_is_meant(responder, question, term):  # type: ignore[no-untyped-def]
    a = responder.answer(question, audience="citizen")
    assert (a.intent, [x.id for x in a.answers]) == ("glossary", [term]), a.text


def test_the_state_described_as_part_of_a_thing_the_plan_says_it_sets_up_stays_in_scope(responder):  # type: ignore[no-untyped-def]
    # ガバメントクラウド's definition says 国; "the national government" is half of the description.
    a = responder.answer("What's it called, the pool of shared cloud services the national government sets up for "
                         "city hall computers to run on?", audience="citizen")
    assert [x.id for x in a.answers] == ["ガバメントクラウド"], a.text
    a = responder.answer("What is the national government's telework rate?")
    assert a.intent == "unknown" and not a.answers, a.text


def test_another_body_in_the_story_before_a_question_about_funabashi_is_background(responder) -> None:  # type: ignore[no-untyped-def]
    # The question turns to Funabashi in a sentence before the last; the last only adds to it.
    a = responder.answer("市川市で情報漏えいがあったってニュースを見ました。船橋はセキュリティの研修をちゃんとやってますか？"
                         "あと、外部の監査もありますか？", audience="citizen")
    assert a.intent != "unknown" and "out_of_scope" not in a.extra, a.text
    # Asked of the other body in the end, it still is out of scope.
    a = responder.answer("船橋のことは知ってます。市川市のセキュリティ研修はどうですか？", audience="citizen")
    assert a.intent == "unknown" and "out_of_scope" in a.extra, a.text


def test_a_body_the_project_meant_speaks_of_in_everyday_words_stays_in_scope(responder) -> None:  # type: ignore[no-untyped-def]
    # 2-1-2 is met through its everyday paraphrase; its statement speaks of 事業者 (businesses).
    a = responder.answer("Can businesses send quotes and contracts to the city electronically?", audience="citizen")
    assert "out_of_scope" not in a.extra and [r.id for r in a.answers][:1] == ["2-1-2"], a.text


def test_the_states_rule_that_the_city_follows_is_no_question_about_the_state(responder) -> None:  # type: ignore[no-untyped-def]
    # 「国が決めた20の業務」 names what the plan speaks of (基幹20業務), a rule of the state's.
    a = responder.answer("国民健康保険って、国が決めた自治体の主要な20の業務に含まれますか？", audience="citizen")
    assert "out_of_scope" not in a.extra and [r.id for r in a.answers][:1] == ["基幹20業務"], a.text
    # What the state itself decides is still the state's.
    a = responder.answer("国が決めたことは全国でどれくらい進んでる？", audience="citizen")
    assert a.intent == "unknown" and not a.answers, a.text
