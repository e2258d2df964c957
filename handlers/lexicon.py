"""Words that say what a question asks (as opposed to what it is about).

Written as people type them; everything is normalised with the same function as messages, so
hiragana, fullwidth and case variants are covered without listing them.
"""

from __future__ import annotations

import re

from knowledge.normalize import fold

# Project intents, most specific first: when a question has cues of several intents, the first
# listed wins ("RPAの削減時間の目標" is a KPI question although 目標 is also an overview cue).
_PROJECT_CUES: dict[str, list[str]] = {
    "project_kpi": [
        "kpi", "kpis", "参考値", "見込み値", "目標値", "実績", "実績値", "指標", "数値", "達成", "達成率", "届いた",
        "届いてる", "利用者数", "削減時間", "削減", "件数", "開催数", "公開数", "割合", "何人", "何時間", "数字",
        "受講率", "実施率", "利用率", "普及率", "削減率", "受講者数", "何回", "何%", "伸び", "回数", "開催回数",
        "target", "targets", "actual", "actuals", "metric", "metrics", "numbers", "achievement", "achieved",
        "indicator", "indicators", "figures", "proportion", "percentage",
    ],
    "project_department": [
        "担当", "担当課", "担当部署", "担当部局", "所管", "所管課", "部署", "旗振り", "旗ふり", "主管", "取りまとめ", "どこの課", "どの課", "何課", "単独", "共管", "どこの係", "どこのかかり", "どこの部署", "どこのかが", "どこのかの", "どこが", "誰",
        "だれ", "who", "owns", "owner", "in charge", "responsible", "department", "which team", "what team", "team in charge", "division",
        "departments", "divisions", "which section", "what section", "which office", "what office", "leads",
        "lead section", "lead department",
    ],
    "project_schedule": [
        "スケジュール", "年度別", "工程", "工程表", "ロードマップ", "いつ", "予定", "計画", "何年度", "段取り", "だんどり",
        "schedule", "schedules", "timeline", "roadmap", "when", "plan for",
        # A deadline is when: 「移行完了期限」.
        "期限", "deadline", "deadlines",
        # What comes next, year by year: 「この先も続けるの」 "what's the next step for that".
        "この先", "これから先", "next step", "next steps", "year by year", "year-by-year",
    ],
    "project_overview": [
        "概要", "現状", "課題", "目標", "内容", "どんな事業", "どういう事業", "どのような事業",
        "どういう取り組み", "どんな取り組み", "どのような取り組み", "どういう取組", "どんな取組", "どのような取組",
        "どんなやり方", "どういうやり方", "事業の中身", "何をする", "なにをする", "何する", "なにする", "何をして", "なにをして", "何をやって", "なにをやって", "何をやる", "なにをやる", "狙い", "目的",
        "about", "overview", "summary", "summarise", "summarize", "outline", "describe", "description",
        "goal", "goals", "background", "ゴール", "aim", "aims", "purpose", "objective", "objectives",
        "問題点", "problem", "problems", "issue", "issues", "challenge", "challenges",
        # What the city does about something, not how it is doing: "what is the city doing to …".
        "doing about", "doing to", "doing anything", "doing something", "working on",
    ],
    "project_status": [
        "状況", "進捗", "進捗状況", "評価", "コメント", "どうなった", "どうなりました", "その後", "どうなってる", "どうなっている", "どうなって",
        "どう", "いかが", "如何", "進み具合", "順調", "進んで", "成果", "結果", "理由", "わけ", "status", "progress", "going", "grade",
        "間に合う", "間に合い", "間に合わ", "見通し",
        "graded", "evaluation", "rating", "doing", "update", "happening", "news",
        # How it is going, asked as a feeling: 「いまどんな感じ」「どんな具合」.
        "どんな感じ", "どういう感じ", "どんな具合", "どんなぐあい",
        # Where it stands, asked as a place: "where is that at?", "how far along is it?"
        "where is that at", "where is it at", "where's it at", "where are we", "where does it stand",
        "where do things stand", "how far along",
    ],
}
PROJECT_INTENTS = tuple(_PROJECT_CUES)

# Asking what a word means, in phrases that contain a status cue ("どう"): read before the intents.
_DEFINITION_PHRASES = ["どういう意味", "どういうこと", "どういうもの", "どんな意味", "どのような意味", "ってどういう",
                       "どういう定義", "どんな定義", "どのような定義", "どう定義", "どう説明", "どのように説明", "どういうふうに説明",
                       "って、どういう",  # 「…サイトって、どういうサイトのこと？」: a pause asks the same
                       # What the thing just told of is: 「…をすすめられました。これはどういうアプリなんですか」.
                       "これはどういう", "それはどういう", "これってどういう", "それってどういう",
                       "これはどんな", "それはどんな", "これってどんな", "それってどんな",
                       # How it differs from something else is a fact of its definition, not a place (どこ).
                       "どこが違う", "どこがちがう", "どう違う", "どうちがう", "何が違う", "なにが違う", "なにがちがう",
                       "との違い", "とのちがい", "違いは", "ちがいは",
                       # What a term for a person is: 「スマホコンシェルジュって何する人？」.
                       "何する人", "なにする人", "何をする人", "なにをする人", "どんな人のこと", "どういう人のこと", "どのような人のこと"]

_GLOSSARY_CUES = [
    "とは", "とは何", "とはなに", "って何", "ってなに", "ってなあに", "ってなん", "ってなんですか", "の意味", "意味",
    "何のこと", "なんのこと", "なあに",
    "どういう意味", "何ですか", "なんですか", "何なの", "なんなの", "なに", "何", "用語", "用語集", "解説", "指す", "という言葉は", "what is", "what's", "whats",
    "定義", "ていぎ", "glossary",
    "what are", "what does", "mean", "means", "meaning", "define", "definition", "explain", "stand for",
    "stands for", "full form", "full name", "short for", "abbreviation", "acronym", "spelled out", "spell out",
    "words behind", "how is it described", "how is that described", "how is this described", "how is it defined",
    "how is that defined", "how does the plan describe", "how does the plan define",
    # A fact of the term's own entry: its full name, what it is short for, what counts as one.
    "正式名称", "正式な名前", "正式な名称", "何の略", "なんの略", "の略", "略称", "略す前", "略さない", "フルネーム",
    "綴り", "スペル", "仲間", "なかま",
]

_LIST_CUES = [
    "事業一覧", "一覧", "の事業", "事業は", "事業を", "事業", "全事業", "すべての事業", "全部", "何件", "いくつ",
    "列挙", "挙げて", "あげて", "出して", "だして", "抜き出して", "リストアップ", "洗い出",
    "which projects", "what projects", "projects", "list", "all projects", "how many",
]

# Filler that carries no topic.
_FILLER = [
    "について", "を教えて", "教えてください", "教えて", "ください", "下さい", "ですか", "ますか", "知りたい",
    "見せて", "表示して", "確認したい", "どうですか", "について知りたい", "の件", "ちょっと", "お願いします",
    "の話", "のはなし", "の話題",
    "実施した", "実施している", "実施中", "している", "された", "する", "した", "してる", "なっている",
    "取り組み", "取組み", "取組", "とりくみ",
    "please", "pls", "plz", "tell me", "show me", "can you", "could you", "i want to know", "do you know",
]

EN_STOPWORDS = {
    "a", "an", "the", "of", "for", "to", "in", "on", "at", "is", "are", "was", "were", "be", "what", "whats",
    "how", "does", "do", "did", "me", "tell", "please", "show", "give", "can", "could", "you", "i", "it", "its",
    "this", "that", "project", "projects", "city", "funabashi", "s", "with", "and", "or", "by", "under", "which",
    "who", "about", "much", "many", "there", "any", "has", "have", "been", "will", "so", "far", "now", "current",
    "currently", "our", "my", "your", "their", "initiative", "program", "programme", "plan", "mean",
    "means", "meaning", "term", "word", "stand", "from", "like", "know", "want", "would", "should", "get", "latest",
    "approach", "area", "handled", "owned", "run", "managed",
}
# KPI cues that are also what KPI labels say ("公開数", "開催数"): when a question has nothing
# else, they are its topic.
KPI_NOUNS = ["利用者数", "削減時間", "開催数", "公開数", "件数", "受講率", "実施率", "利用率", "普及率", "削減率",
             "受講者数", "開催回数", "割合"]

_HELP = [
    "help", "ヘルプ", "使い方", "つかいかた", "使いかた", "how to use", "how do i use", "how can i use",
    "what can you do", "何ができる", "なにができる", "何が聞ける", "何を聞ける", "できること", "menu", "メニュー",
    "usage", "はじめまして", "こんにちは", "こんばんは", "おはよう", "おはようございます", "hello", "hi", "hey",
    "ありがとう", "thanks", "thank you", "start", "はじめる", "スタート",
]

_GRADE_WORDS: dict[str | None, list[str]] = {
    "A": ["予定より早く実施", "予定より早く", "早く実施", "前倒し", "ahead of schedule", "ahead", "early", "earlier than planned",
          "sooner than planned", "faster than planned", "before schedule", "予定より早", "予定より前",
          # A is the best of the four grades the plan gives
          "最高評価", "最高の評価", "最も高い評価", "一番高い評価", "一番いい評価", "一番良い評価", "一番よい評価", "いちばんいい評価", "いちばん良い評価", "いちばんよい評価",
          "best possible grade", "best grade", "highest grade", "top grade", "best rating", "highest rating", "top rating"],
    "B": ["おおむね予定どおり実施", "概ね予定どおり実施", "予定どおり実施", "予定通り実施",  # the grade's own words, whole
          "おおむね予定どおり", "概ね予定どおり", "予定どおり", "予定通り", "mostly on schedule", "on schedule", "on track"],
    "C": ["予定より遅れて実施", "予定より遅れて", "遅れている", "遅れて", "遅れ", "遅延", "behind schedule", "behind", "delayed", "late", "lagging",
          "slower than planned", "later than planned"],
    "D": ["実施に至らなかった", "至らなかった", "未実施", "実施できなかった", "not carried out", "not implemented",
          "not done", "最低評価", "最低の評価", "最も低い評価", "一番低い評価", "一番悪い評価", "worst grade", "lowest grade",
          "worst possible grade", "worst rating", "lowest rating"],
    None: ["評価なし", "未評価", "評価がない", "評価のない", "評価が付されていない", "評価が付いていない", "評価がついていない",
           "評価がまだ", "評価が出ていない", "no grade", "ungraded", "not graded", "not yet graded", "no evaluation"],
}


def _norm_all(words: list[str]) -> list[str]:
    """Cue words in the form messages are scanned in: folded, hiragana kept; longest first, then in
    the lexicon's order (never a set's, which changes from one process to the next)."""
    return sorted(dict.fromkeys(fold(w, kana=False) for w in words), key=len, reverse=True)


PROJECT_CUES: dict[str, list[str]] = {intent: _norm_all(words) for intent, words in _PROJECT_CUES.items()}
GLOSSARY_CUES = _norm_all(_GLOSSARY_CUES)
DEFINITION_PHRASES = _norm_all(_DEFINITION_PHRASES)
LIST_CUES = _norm_all(_LIST_CUES)
# Words that hold a cue and ask nothing: the plan named as where to look (「計画では何と呼ぶ」, not
# its schedule), いつでも (any time, not "when"), いつも.
NOT_ASKING = ["いつでも", "いつも", "いつまでも", "いつかは", "いつかの", "いつか、", "この計画では", "この計画で", "この計画の", "この計画", "本計画では", "本計画の", "本計画", "計画の中では", "計画の中で",
            "計画の中に", "計画では", "計画上", "計画書", "計画に書", "計画に載", "アクションプランでは", "アクションプランの中で",
            # "when" joining a description, not asking a time: "what's it called when …", "a word for when …"
            "called when", "for when", "it's when", "its when", "is when", "mean when", "means when",
            # 予定 in a grade's words (予定より早く, 予定どおり) asks no schedule
            "予定より", "予定どおり", "予定通り",
            # which project it was (「…増やした事業ってなんだっけ」), not what a word means
            "事業ってなんだっけ", "事業って何だっけ", "事業ってなんでしたっけ", "事業って何でしたっけ",
            "取り組みってなんだっけ", "取り組みって何だっけ", "取組ってなんだっけ", "取組って何だっけ",
            # the evaluation form itself (「評価シートに転記します」「評価書に書きたい」), not its grade asked
            "評価シート", "評価書", "評価票", "評価表", "評価様式", "evaluation sheet", "evaluation form",
            # the asker's own team, not the project's: "before our team meeting"
            "team meeting", "my team", "our team",
            # a use's purpose (営利目的で使う), not the project's aim
            "目的で使", "目的での利用", "目的で利用", "目的でも使", "目的に使"]

FILLER = _norm_all(_FILLER)
# いくつか is "several" (「条件がいくつかあった」): いくつ asks how many only when か does not follow.
NOT_SEVERAL = r"(?!か)"
HOW_MANY_JA = "いくつ" + NOT_SEVERAL
HELP = _norm_all(_HELP)
GRADE_WORDS = {g: _norm_all(ws) for g, ws in _GRADE_WORDS.items()}
KPI_NOUN_SET = set(_norm_all(KPI_NOUNS))
# Japanese particles left dangling at a fragment's edge once cues are removed.
_P = r"(?:の|は|が|を|に|で|と|も|や|って|へ|か|ね|よ|な|だ|です|ですか|ますか|[?!.,、。・:;()\[\]「」\s])"
# These four are particles even right after a hiragana word ("ふなっぷの").
SAFE_TRAILING = {"の", "は", "が", "を"}
PARTICLES = re.compile(rf"^{_P}+|{_P}+$")
# "って" ends a question ("LGWANって?") but also occurs inside words: only at the end.
TRAILING_TTE = re.compile(r"って\s*[?]*\s*$")
DEMONSTRATIVES = [fold(w, kana=False) for w in ("その", "この", "それの", "それ", "同じ事業", "its", "it", "that", "this one", "same project")]
# Verbs that ask or are too general to narrow anything (見る, 教える, 使う): a passage or an item that
# answers need not say them.
QUESTION_VERBS = {
    "見る", "見れる", "知る", "教える", "分かる", "わかる", "調べる", "探す", "聞く", "言う", "思う", "する", "出来る",
    "有る", "居る", "成る", "行う", "進める", "使う", "始まる", "始める", "終わる", "決まる", "取り組む", "読む",
    "為る", "為れる", "受ける", "貰う", "遣る", "下さる", "頂く", "致す", "見える", "見られる", "知れる",
}
