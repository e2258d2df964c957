"""Content words of a text, as the meaning index compares them.

Japanese: SudachiPy's normalized forms of nouns, verbs, adjectives and adverbs (払う and 支払い,
申込 and 申し込み, しはらい and 支払い meet), in both its long (C) and short (A) units so that a
compound (電子決裁) and its parts (決裁) both count. Words that only say a question is being asked
(教える, 何, 意味, 言葉) are left out: they carry no topic. English: lower-case words without
stop words, with a light suffix strip (payments → payment, paying → pay).
"""

from __future__ import annotations

import re
import threading
import tomllib
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from knowledge.normalize import hira_to_kata
from knowledge.variants import _dictionary

_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞"}
_SKIP_SUBPOS = {"数詞", "代名詞", "助動詞語幹"}
# Words that frame a question rather than name its topic (Sudachi normalized forms).
JA_STOP = frozenset(["する", "ある", "いる", "なる", "できる", "れる", "られる", "有る", "居る", "成る", "出来る", "為る", "言う", "云う", "思う", "教える", "知る", "分かる", "判る", "解る", "分る", "遣る", "遣って", "聞く", "訊く", "尋ねる", "伺う", "頂く", "下さる", "呉れる", "貰う", "見る", "欲しい", "良い", "好い", "宜しい", "願う", "御願い", "呼ぶ", "称する", "指す", "何", "なに", "何か", "何故", "どう", "どの", "どれ", "どこ", "何処", "誰", "いつ", "何時", "此れ", "其れ", "彼れ", "此の", "其の", "事", "物", "者", "方", "為", "様", "時", "所", "訳", "筈", "積もり", "方法", "やり方", "仕方", "意味", "言葉", "用語", "単語", "名前", "名称", "呼び名", "呼び方", "言い方", "答え", "回答", "説明", "内容", "詳細", "件", "点", "感じ", "的", "等", "など", "今", "今日", "最近", "ちょっと", "一寸", "少し", "色々", "沢山", "全部", "本当", "結局", "多分", "全然", "あの", "その", "この", "ね", "よ", "さ", "市", "船橋", "船橋市", "本市", "当市", "市役所", "役所", "皆", "私", "僕", "自分", "貴方", "あなた", "君", "ボット", "チャット"])
EN_STOP = frozenset(["a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "from", "by", "with", "about", "into", "over", "under", "as", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "doing", "have", "has", "had", "having", "it", "its", "this", "that", "these", "those", "there", "here", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "can", "could", "would", "should", "will", "shall", "may", "might", "must", "i", "me", "my", "we", "our", "you", "your", "he", "she", "they", "them", "their", "his", "her", "not", "no", "yes", "please", "tell", "know", "let", "lets", "say", "said", "call", "called", "word", "term", "name", "mean", "means", "meaning", "thing", "things", "something", "anything", "kind", "sort", "type", "like", "just", "also", "so", "if", "then", "than", "very", "much", "many", "some", "any", "all", "more", "most", "other", "city", "funabashi", "funabashi's", "bot", "hi", "get", "got", "need", "find", "look", "see", "go", "going", "make", "way", "ways", "able", "want", "wanna", "im", "thing", "even", "really", "still", "now", "just", "actually", "maybe", "quite", "pretty", "weird", "curious", "question", "questions", "wonder", "wondering", "heard", "told", "friend", "neighbor", "neighbour", "someone", "somebody", "anyone", "anybody", "everyone", "everything", "month", "week", "year", "day", "next", "last", "ago", "before", "after", "since", "here", "there", "yet", "ok", "okay", "thank", "thanks", "hello", "hi", "hey"])
# Function words of a standard list (scikit-learn's), dropped from a question's words only (the
# plan's English keeps its length for BM25), without those that carry this plan's meaning (bill,
# system, move, full, first, without, keep, only, up, out, every, once, one, itself, through).
EN_FUNCTION = frozenset([
    "above", "across", "afterwards", "again", "against", "almost", "alone", "along", "already",
    "although", "always", "among", "amongst", "another", "anyhow", "anyway", "anywhere", "around",
    "because", "become", "becomes", "becoming", "beforehand", "behind", "below", "beside", "besides",
    "between", "beyond", "both", "but", "cannot", "cant", "due", "during", "each", "either", "else",
    "elsewhere", "enough", "etc", "ever", "everywhere", "except", "former", "formerly", "further",
    "hence", "hereafter", "hereby", "herein", "hereupon", "hers", "herself", "him", "himself", "however",
    "indeed", "latter", "latterly", "meanwhile", "mine", "moreover", "mostly", "myself", "namely",
    "neither", "never", "nevertheless", "nobody", "none", "noone", "nor", "nothing", "nowhere", "often",
    "ones", "onto", "others", "otherwise", "ours", "ourselves", "per", "perhaps", "put", "rather", "same",
    "seem", "seemed", "seeming", "seems", "several", "sincere", "somehow", "sometime", "sometimes",
    "somewhere", "such", "thence", "thereafter", "thereby", "therefore", "therein", "thereupon", "though",
    "throughout", "thus", "too", "toward", "towards", "until", "upon", "us", "via", "well", "whatever",
    "whence", "whenever", "whereafter", "whereas", "whereby", "wherein", "whereupon", "wherever",
    "whether", "while", "whither", "whoever", "within", "yours", "yourself", "yourselves", "went", "goes", "gone",
])
DATA = Path(__file__).parent / "data"
# "the one about …", "that one where …": a pronoun, not the number (one-stop, in one go).
_PRONOUN_ONE = re.compile(r"\b(?:the|that|this|which) ones?\b(?=\s+(?:about|that|where|with|which|for|on|in|they|the city|who))")
_ENGLISH_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_SENTENCES = re.compile(r"(?<=[。\n])")
_HIRAGANA_ONLY = re.compile(r"^[\u3041-\u3096\u30fc]+$")
_HIRAGANA_RUN = re.compile(r"[\u3041-\u3096\u30fc]{3,}")

_local = threading.local()


def _tokenizers() -> tuple[Any, Any]:
    """This thread's (long-unit, short-unit) tokenizers: Sudachi's are not thread-safe."""
    toks = getattr(_local, "toks", None)
    if toks is None:
        # start-up cost: sudachipy's loader is heavy; knowledge.variants owns the dictionary.
        from sudachipy import SplitMode

        d = _dictionary()
        toks = _local.toks = (d.tokenizer(mode=SplitMode.C, fields={"pos", "normalized_form"}),
                              d.tokenizer(mode=SplitMode.A, fields={"pos", "normalized_form"}))
    return toks


def _content(morphemes: Any) -> list[str]:
    out = []
    for m in morphemes:
        pos = m.part_of_speech()
        if pos[0] not in _CONTENT_POS or pos[1] in _SKIP_SUBPOS:
            continue
        word = m.normalized_form()
        if _HIRAGANA_ONLY.match(m.surface()) and len(m.surface()) <= 2:
            continue  # two hiragana are as likely a piece of a longer word (すま out of すまほ): read by reading instead
        if word in JA_STOP or word.isdigit() or (len(word) == 1 and not _is_kanji(word)):
            continue
        out.append(word.lower() if word.isascii() else word)
    return out


_KANA_ENDING = re.compile(r"[\u3041-\u3096]")


def is_topic_word(word: str) -> bool:
    """A normalised word a topic can be: two characters or more and no kana ending (not 人, not
    進む or 減る, which are verbs)."""
    return len(word) >= 2 and not _KANA_ENDING.search(word)


@lru_cache(maxsize=4096)
def describes(word: str) -> bool:
    """Whether ``word`` says how a thing is (便利, 簡単: Sudachi's 形状詞 or 形状詞可能) rather than what."""
    long_unit, _ = _tokenizers()
    pos = [m.part_of_speech() for m in long_unit.tokenize(word)]
    return len(pos) == 1 and (pos[0][0] == "形状詞" or pos[0][2] == "形状詞可能")


@lru_cache(maxsize=4096)
def starts_with_verb(text: str) -> bool:
    """Whether ``text`` begins with a verb (書いて of 「何書いてある」), not a counter (人いる of 「何人いる」)."""
    long_unit, _ = _tokenizers()
    tokens = long_unit.tokenize(text)
    return len(tokens) > 0 and tokens[0].part_of_speech()[0] == "動詞"


@lru_cache(maxsize=4096)
def names_a_thing(text: str) -> bool:
    """Whether ``text`` holds a noun (or a word unknown to the dictionary): 進ん, 終わっ and other
    pieces of verbs name nothing a list could be narrowed to."""
    long_unit, _ = _tokenizers()
    return any(m.part_of_speech()[0] in ("名詞", "接頭辞") or m.is_oov() for m in long_unit.tokenize(text)
               if not _HIRAGANA_ONLY.match(m.surface()))


def _is_kanji(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def ja_words(text: str) -> tuple[str, ...]:
    """Content words in order of first appearance, long units first, then their parts.

    Read sentence by sentence, each cached: the plan's texts repeat sentences (a grown plan, a
    re-ingest, a question asked again), and a sentence is read once."""
    sentences = _SENTENCES.split(text)
    if len(sentences) == 1:
        return _sentence_words(text)
    return tuple(dict.fromkeys(w for s in sentences for w in _sentence_words(s)))


@lru_cache(maxsize=65536)
def _sentence_words(text: str) -> tuple[str, ...]:
    if not text.strip():
        return ()
    long_unit, short_unit = _tokenizers()
    words = _content(long_unit.tokenize(text)) + _content(short_unit.tokenize(text))
    return tuple(dict.fromkeys(words))


# Endings read as no word (のでしょうか is not 昇華, ください is not 下さい's reading of a plan word).
_ENDINGS = re.compile(r"(?:でしょう|ましょう|しょう|でした|ました|ません|ください)(?:か|ね|よ)?")


def kana_runs(text: str) -> list[str]:
    """The text's hiragana runs in katakana (すまほでしはらい → スマホデシハライ): a message typed
    in hiragana has no word boundaries Sudachi can find, so its words are looked up by reading."""
    return [hira_to_kata(_ENDINGS.sub(" ", run)) for run in _HIRAGANA_RUN.findall(text)]


def word_cuts(text: str) -> frozenset[int]:
    """Where the words of ``text`` begin and end, as Sudachi's short units cut it."""
    return frozenset(accumulate((len(m.surface()) for m in _tokenizers()[1].tokenize(text)), initial=0))


def reading(text: str) -> str:
    """Sudachi's katakana reading of a word (決裁 → ケッサイ)."""
    return "".join(m.reading_form() for m in _reader().tokenize(text))


def readings(text: str) -> list[tuple[str, str]]:
    """(surface, katakana reading) of every word of ``text``, marks and Latin words included."""
    return [(m.surface(), m.reading_form()) for m in _reader().tokenize(text)]


def spellings(text: str) -> tuple[tuple[str, str], ...]:
    """(surface, katakana reading) of each content word of ``text`` as written, long units."""
    return tuple(pair for s in _SENTENCES.split(text) for pair in _sentence_spellings(s))


@lru_cache(maxsize=65536)
def _sentence_spellings(text: str) -> tuple[tuple[str, str], ...]:
    out = []
    previous = None
    for m in _reader().tokenize(text):
        pos = m.part_of_speech()
        written = not _HIRAGANA_ONLY.match(m.surface())
        if pos[0] in _CONTENT_POS and pos[1] not in _SKIP_SUBPOS and written:
            out.append((m.surface(), m.reading_form()))
        # A noun and the noun or suffix after it are often one word to a reader (公民+館, 市+役所),
        # which the dictionary splits: the pair is spelled too.
        if previous is not None and written and (pos[0] == "名詞" or pos[0] == "接尾辞"):
            out.append((previous.surface() + m.surface(), previous.reading_form() + m.reading_form()))
        previous = m if pos[0] == "名詞" and written and pos[1] not in _SKIP_SUBPOS else None
    return tuple(out)


def nouns_read(text: str) -> tuple[tuple[str, str, str, str], ...]:
    """Every word of ``text`` as (surface, katakana reading, normalized form, part of speech), the
    form left empty for all but common nouns (普通名詞): what a kana-kanji converter may have
    spelled as a homophone. Pronouns (私) and numerals (何, 三) are parts of speech of their own here.
    Read sentence by sentence, each cached, as :func:`ja_words`."""
    return tuple(word for s in _SENTENCES.split(text) if s for word in _sentence_nouns(s))


@lru_cache(maxsize=65536)
def _sentence_nouns(text: str) -> tuple[tuple[str, str, str, str], ...]:
    out = []
    for m in _reader().tokenize(text):
        pos = m.part_of_speech()
        common_noun = pos[0] == "名詞" and pos[1] == "普通名詞"
        part = pos[1] if pos[1] in ("代名詞", "数詞") else pos[0]
        out.append((m.surface(), m.reading_form(), m.normalized_form() if common_noun else "", part))
    return tuple(out)


def _reader() -> Any:
    tok = getattr(_local, "reader", None)
    if tok is None:
        from sudachipy import SplitMode  # start-up cost (see _tokenizers)

        tok = _local.reader = _dictionary().tokenizer(mode=SplitMode.C)
    return tok


# -ise, -ised, -ises, -ising after four letters or more (standardise, organised), spelled -iz-.
_BRITISH_ISE = re.compile(r"(?<=[a-z]{4})(is(?:e|ed|es|ing))$")


def _stem(word: str) -> str:
    """payments/payment, paying/pay, closed/close/closes: one crude stem on both sides; British and
    American spellings meet, and a noun in -ization its verb (standardisation, standardizing)."""
    for suffix in ("izations", "isations", "ization", "isation"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + "iz"
    if _BRITISH_ISE.search(word):
        word = _BRITISH_ISE.sub(lambda m: "iz" + m.group(1)[2:], word)
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    if word.endswith("ly") and len(word) >= 6 and word[-3] not in "ilp":  # thoroughly, remotely (not family, supply)
        word = word[:-2]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


@lru_cache(maxsize=65536)
def en_words(text: str, *, question: bool = False) -> tuple[str, ...]:
    """Content words, stemmed; a ``question``'s without :data:`EN_FUNCTION` too."""
    # "we're" and "that's" are their first word; "machine-readable" is two.
    words = [w.split("'")[0] for w in _ENGLISH_WORD.findall(_PRONOUN_ONE.sub(" ", text.lower()))]
    stop = EN_STOP | EN_FUNCTION if question else EN_STOP
    return tuple(dict.fromkeys(_stem(w) for w in words if w and w not in stop and len(w) > 1))


def en_alternatives(text: str) -> tuple[tuple[str, str], ...]:
    """(word as ``en_words`` gives it, the plan's word for the same thing) for each everyday word
    of ``text`` that :file:`data/english_words.toml` knows: 'info' → 'information'; a phrase
    ("social media") comes as ("", its word)."""
    lowered = text.lower()
    pairs = [(w, _en_same()[w]) for w in en_words(lowered) if w in _en_same()]
    pairs += [("", _stem(_en_phrase_words()[m.group(0)])) for m in _en_phrases().finditer(lowered)]
    return tuple(pairs)


def ja_alternatives(words: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(word, the plan's word for the same thing) for each of ``words`` (as ``ja_words`` gives them)
    that :file:`data/japanese_words.toml` knows: 只 (タダ) → 無料, 商売 → 営利."""
    same = _ja_same()
    return tuple((w, same[w]) for w in words if w in same and same[w] != w)


@lru_cache(maxsize=1)
def _japanese_words() -> dict[str, Any]:
    with (DATA / "japanese_words.toml").open("rb") as f:
        return tomllib.load(f)


def katakana_names() -> dict[str, str]:
    """Names in katakana (フェイスブック) → as written in Latin letters (Facebook)."""
    return {kana: name for name, spellings in _japanese_words().get("names", {}).items() for kana in spellings}


@lru_cache(maxsize=1)
def _ja_same() -> dict[str, str]:
    groups = [list(g) for g in _japanese_words()["groups"]]
    out: dict[str, str] = {}
    for group in groups:
        canonical = "".join(ja_words(group[0])) or group[0]
        for w in group:
            forms = ja_words(w)
            if len(forms) == 1:  # a word of two (携帯+電話) would carry its parts' other meanings
                out.setdefault(forms[0], canonical)
    return out


@lru_cache(maxsize=1)
def _en_groups() -> list[list[str]]:
    with (DATA / "english_words.toml").open("rb") as f:
        return [list(g) for g in tomllib.load(f)["groups"]]


@lru_cache(maxsize=1)
def _en_same() -> dict[str, str]:
    """Each everyday word's stem → the stem of the word the plan's English uses."""
    out: dict[str, str] = {}
    for group in _en_groups():
        canonical = _stem(group[0])
        for w in group:
            if not _is_phrase(w):
                out[_stem(w)] = canonical
    return out


@lru_cache(maxsize=1)
def _en_phrase_words() -> dict[str, str]:
    """Several-word entries ("social media") → the group's first word."""
    return {w: g[0] for g in _en_groups() for w in g if _is_phrase(w)}


def _is_phrase(word: str) -> bool:
    return " " in word or "-" in word or "(" in word


@lru_cache(maxsize=1)
def _en_phrases() -> re.Pattern[str]:
    phrases = sorted(_en_phrase_words(), key=len, reverse=True)
    return re.compile("|".join(rf"\b{re.escape(p)}\b" for p in phrases) or "(?!)")
