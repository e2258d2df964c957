"""Messages that need a fixed, careful reply before the plan is looked at.

GOV.UK Chat's question router is the model: some messages are not questions about the plan, and a
wrong answer to them does harm. In this order:

1. **distress** (死にたい, "I can't go on"): a kind reply with public help lines, and nothing else;
2. **personal data** (a My Number, phone number, e-mail, card number: :mod:`state.personal_data`):
   "please don't send personal details"; the answer's query keeps them masked;
3. **opinions about people or parties** (「市長はどう思う？」, "is the mayor doing a good job"):
   declined politely: the bot says what the plan says, never what it thinks of anyone;
4. **greetings and thanks**, when they are the whole message (こんにちは, "thanks!"): a short
   friendly reply with examples. 「こんにちは、RPAの状況を教えて」 is a question and goes on.

None of them is an unanswered question: their intents (``care``, and ``help`` for greetings) are
never logged as one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from handlers.answer import Answer, Audience, Lang, Ref
from state.personal_data import MASKED, holds_personal_data, mask

# Public help lines, as their operators publish them and the Ministry of Health, Labour and
# Welfare lists them on 「まもろうよ こころ」 (https://www.mhlw.go.jp/mamorouyokokoro/):
# よりそいホットライン (一般社団法人社会的包摂サポートセンター, https://www.since2011.net/yorisoi/):
# 0120-279-338, free, 24 hours, with guidance in foreign languages;
# いのちの電話 (日本いのちの電話連盟, https://www.inochinodenwa.org/): navi-dial 0570-783-556.
# Written from those published numbers without network access here: check them against the pages
# before each release, as the numbers and hours of such lines do change.
YORISOI = "0120-279-338"
INOCHI = "0570-783-556"
EMERGENCY = "119"

_DISTRESS = re.compile(
    r"死にたい|しにたい|死にたく|死んでしまいたい|消えたい|きえたい|消えてしまいたい|いなくなりたい|"
    r"自殺(?:したい|しよう|する|を考え)|生きていたくない|生きていけない|生きてい(?:る|く)のが(?:つらい|辛い|しんどい|苦しい)|"
    r"生きるのが(?:つらい|辛い|しんどい|苦しい|嫌)|生きる意味が(?:ない|わからない)|生きてる意味(?:が)?ない|"
    r"リストカット|リスカ|自傷|首を(?:吊|つ)|"
    r"(?:つら|辛|しんど|苦し)(?:い|くて|すぎ|すぎて)[^。？?！!]{0,10}限界|もう限界(?:です|だ|かも)?[。！!…\s]*$|"
    r"\b(?:want|wanna|going) to die\b|\bkill(?:ing)? myself\b|\bend(?:ing)? my (?:own )?life\b|"
    r"\btake my (?:own )?life\b|\bsuicid(?:e|al)\b|\bself[- ]harm|\bhurt(?:ing)? myself\b|"
    r"\b(?:don't|do not) want to (?:live|be alive)\b|\bno reason to live\b|"
    r"\bi (?:can't|cannot|can not|can no longer) (?:go on|take (?:it|this) any ?more)\b"
)
_PARTY = re.compile(
    r"自民党|自由民主党|立憲民主|公明党|共産党|維新の会|日本維新|国民民主|れいわ新選組|社民党|参政党|日本保守党|政党|与党|野党|"
    r"\bpolitical part(?:y|ies)\b|\bldp\b|\bliberal democratic\b|\bkomeito\b|\bcommunist party\b|"
    r"\bconstitutional democratic\b|\bishin\b|\bsanseito\b|\breiwa shinsengumi\b|\bruling party\b|\bopposition part"
)
_PERSON = re.compile(
    r"市長|副市長|市議|議員|知事|首相|総理|大臣|政治家|党首|候補者|"
    r"\bmayor\b|\bgovernor\b|\bprime minister\b|\bcouncil+or|\bcouncil members?\b|\bassembly members?\b|"
    r"\bpoliticians?\b|\bministers?\b|\bcandidates?\b"
)
_OPINION = re.compile(
    r"どう思|どう考える|どう考えます|好き|嫌い|支持|応援|信用|信頼|(?:誰|どこ|どの党)に(?:投票|入れ)|どっちが|どちらが|"
    r"(?:良|よ|い)い(?:市長|人|仕事)|悪い|ダメ|だめ|無能|有能|仕事して|ちゃんとやって|頑張って(?:る|いる)|"
    r"評価(?:する|して|できる)|賛成|反対|おすすめ|正しい|辞め|"
    r"\bwhat do you think\b|\byour (?:opinion|view|thoughts)\b|\bthink (?:of|about)\b|"
    r"\b(?:a )?(?:good|great|bad|terrible|poor|decent) (?:job|mayor|leader|person|politician)\b|"
    r"\bdo you (?:like|trust|support|prefer|agree)\b|\bshould i vote\b|\bvote for\b|\bwho should\b|"
    r"\b(?:better|best|worst)\b|\bagree with\b|\btrustworthy\b|\bcompetent\b"
)
# Whole-message greetings and thanks; what is left once they are taken out must be nothing but
# punctuation, emoji and a form of address.
_THANKS = (r"ありがとう(?:ございます|ございました|ね|ございまーす)?|有難う(?:ございます|ございました)?|"
           r"有り難う(?:ございます|ございました)?|どうも|サンキュー|助かりました|助かった|感謝します|"
           r"thank you(?: very much| so much)?|thanks(?: a lot| so much)?|many thanks|thx|\bty\b|cheers")
_HELLO = (r"こんにちは|こんにちわ|今日は|こんばんは|こんばんわ|今晩は|おはよう(?:ございます)?|はじめまして|初めまして|"
          r"よろしく(?:お願い(?:いた)?します|ね)?|宜しく(?:お願い(?:いた)?します)?|お疲れ様(?:です)?|おつかれ(?:さま)?(?:です)?|"
          r"やあ|ハロー|もしもし|了解(?:です|しました)?|わかりました|分かりました|なるほど|"
          r"\bhello\b|\bhi\b|\bhey\b|\bhiya\b|good (?:morning|afternoon|evening)|\bgreetings\b|\bokay\b|\bok\b|"
          r"\bgot it\b|\bgreat\b")
# A message that only checks the bot is there (「テスト」, "test", 「あいうえお」): answered like a greeting.
_CHECK_JA = r"テスト(?:送信|中|です)?|てすと|送信テスト|動作確認|あいうえお"
_CHECK_EN = r"\btest(?:ing)?\b|\bping\b|\baiueo\b"
_CHECK = f"{_CHECK_JA}|{_CHECK_EN}" + r"|(?<![0-9])1\s*2\s*3(?:\s*4)?(?![0-9])"
_GREETING = re.compile(f"{_THANKS}|{_HELLO}|{_CHECK}")
_THANKS_RE = re.compile(_THANKS)
_ADDRESS = re.compile(r"さん|様|くん|ちゃん|dxbot|\bbot\b|ボット|チャットボット|there|everyone|みなさん|皆さん")

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")

EXAMPLES = {
    "ja": ["マイナポータルとは", "キャッシュレス決済の取り組み", "2-3-1の状況"],
    "en": ["What is LGWAN?", "cashless payment projects", "2-3-1 status"],
}


def _plain(message: str) -> str:
    """NFKC, lower case, curly apostrophes straight: what the patterns read."""
    return unicodedata.normalize("NFKC", message).casefold().replace("\u2019", "'")


def _only_greeting(text: str) -> bool:
    if not _GREETING.search(text):  # most messages greet no one: nothing to blank out
        return False
    rest = _ADDRESS.sub(" ", _GREETING.sub(" ", text))
    return all(
        ch.isspace() or unicodedata.category(ch)[0] in "PSZ" or ch in "ーｰ〜~" for ch in rest)


def kind_of(message: str) -> str | None:
    """"distress", "personal_data", "opinion", "thanks", "greeting", or None: a question for the plan."""
    text = _plain(message)
    if _DISTRESS.search(text):
        return "distress"
    if holds_personal_data(message):
        return "personal_data"
    if _PARTY.search(text) or (_PERSON.search(text) and _OPINION.search(text)):
        return "opinion"
    if _only_greeting(text):
        return "thanks" if _THANKS_RE.search(text) else "greeting"
    return None


def _examples(lang: Lang) -> str:
    shown = EXAMPLES[lang]
    if lang == "en":
        return "For example: " + ", ".join(f'"{e}"' for e in shown) + ". Say \"help\" for more."
    return "例えば" + "".join(f"「{e}」" for e in shown) + "のように聞いてみてください。「使い方」で詳しい例を表示します。"


def text_for(kind: str, lang: Lang, *, said: str = "") -> str:
    """The fixed reply for a kind of message, in the reader's language (``said``: the greeting to return)."""
    if kind == "distress":
        if lang == "en":
            return ("I'm sorry you are going through this. You don't have to face it alone; please talk to someone "
                    "who can listen:\n"
                    f"- Yorisoi Hotline: {YORISOI} (free, 24 hours, also in other languages)\n"
                    f"- Inochi no Denwa (lifeline): {INOCHI}\n"
                    f"If you are in danger right now, call {EMERGENCY}.")
        return ("つらい気持ちを伝えてくださって、ありがとうございます。ひとりで抱え込まずに、話を聴いてくれる窓口に相談してみてください。\n"
                f"・よりそいホットライン {YORISOI}（無料・24時間）\n"
                f"・いのちの電話 {INOCHI}\n"
                f"いま危険が迫っているときは {EMERGENCY} に電話してください。")
    if kind == "personal_data":
        if lang == "en":
            return ("Please don't send personal details (a My Number, a phone number, an e-mail address or a card "
                    "number). I have not kept them. Please ask again without them.")
        return ("個人情報（マイナンバー、電話番号、メールアドレス、カード番号など）は送らないでください。"
                "その部分は記録していません。個人情報を含めずに、もう一度質問してください。")
    if kind == "opinion":
        if lang == "en":
            return ("I don't give opinions about people or political parties. I can tell you what Funabashi City's "
                    "DX Action Plan says: a project's progress, what a term means, who is in charge.")
        return ("人物や政党についての意見や評価はお答えしていません。船橋市 DX 推進計画アクションプランに書かれていること"
                "（事業の進み具合、用語の意味、担当部署など）ならお答えできます。")
    if kind == "thanks":
        head = ("You're welcome! Ask me anything else about Funabashi City's DX Action Plan." if lang == "en"
                else "どういたしまして。ほかにも船橋市 DX 推進計画アクションプランについて聞きたいことがあれば、どうぞ。")
    else:
        head = (f"{said or 'Hello'}! I answer questions about Funabashi City's DX Action Plan." if lang == "en"
                else f"{said or 'こんにちは'}。船橋市 DX 推進計画アクションプランについてお答えします。")
    return head + "\n" + _examples(lang)


# A greeting tied to the time of day is answered in kind, a check that the bot is there with a yes;
# any other with 「こんにちは」 / "Hello".
_TIMED = ((re.compile(_CHECK_JA), "はい、届いています"), (re.compile(_CHECK_EN), "Yes, I'm here"),
          (re.compile(r"おはよう"), "おはようございます"), (re.compile(r"こんばん|今晩"), "こんばんは"),
          (re.compile(r"good morning"), "Good morning"), (re.compile(r"good afternoon"), "Good afternoon"),
          (re.compile(r"good evening"), "Good evening"))


def _said(message: str) -> str:
    text = _plain(message)
    return next((reply for pattern, reply in _TIMED if pattern.search(text)), "")


def _lang(text: str) -> Lang:
    """Japanese if any is written; English for Latin words alone ("Good morning!"), whatever they are."""
    if _JAPANESE.search(text):
        return "ja"
    return "en" if re.search(r"[A-Za-z]{2}", text) else "ja"


def reply(message: str, *, audience: Audience, lang: Lang | None,
          popular: Callable[[], list[str]]) -> Answer | None:
    """The careful reply to ``message``, or None when it is a question for the plan.

    ``popular``: terms to offer as buttons under a greeting. The answer's query is the message with
    personal data masked: it is what the logs keep."""
    kind = kind_of(message)
    if kind is None:
        return None
    query = mask(message)
    lang = lang or _lang(MASKED.sub(" ", query))
    friendly = kind in ("greeting", "thanks")
    return Answer(query=query, intent="help" if friendly else "care", lang=lang, audience=audience,
                  text=text_for(kind, lang, said=_said(message)), extra={"care": kind, "stage": "care"},
                  suggestions=tuple(Ref("glossary", t, t, 0.0) for t in popular()) if friendly else ())
