"""Organisations other than Funabashi City that a question may name.

Places come from ``data/gazetteer.tsv`` (every prefecture and municipality in the 全国地方公共団体コード
list, and every country; see ``tools/build_gazetteer.py`` for the sources). National bodies,
"other cities" and company names are patterns and short lists below: they are a closed set of
words, not a gazetteer.

How a place is recognised (the forms people type, and the guards that keep ordinary words out):

- its official name, anywhere, when it does not continue a longer kanji word ("川崎市", "千葉県",
  "世田谷区", "栄町"; "神奈川県川崎市" too). 全国・外国 never read as 国, 都市 never as a city;
- its name without 市/区/県 ("横浜", "千葉", "世田谷") — only with a particle or a word such as
  政府・役所 right after it ("横浜の", "大阪では", "川崎は"), and never when the plan itself uses
  the word (the plan's vocabulary is not another organisation);
- in English, a prefecture, a designated city or a country by name ("Yokohama", "Osaka",
  "Estonia"); any municipality with a word that says it is one ("Kashiwa City", "Ichikawa-shi",
  "Setagaya ward", "city of Matsudo") or in the possessive ("Kashiwa's", names of 5+ letters).

Funabashi (船橋市, 船橋, ふなばし, Funabashi, 本市, 当市) is never reported, nor 千葉県 written as part of
its address ("千葉県船橋市", "Funabashi, Chiba").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from knowledge.meaning_words import EN_STOP
from knowledge.normalize import fold

DATA = Path(__file__).parent / "data" / "gazetteer.tsv"
HOME_CODE = "122041"  # 船橋市 in the 全国地方公共団体コード list
HOME_PREFECTURE = "120006"  # 千葉県
HOME_NAMES = ("船橋市", "船橋", "ふなばし", "funabashi")

_KANJI = re.compile(r"[\u3400-\u9fff\u3005\uf900-\ufaff]")
_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc]")
_HIRAGANA = re.compile(r"[\u3041-\u3096]")
# What may follow a bare name for it to be read as a place: a particle, punctuation, the end, or
# a word that says "its government".
_HIRAGANA_NAME = re.compile(r"[\u3041-\u3096\u30fc]+$")
_BARE_FOLLOW = re.compile(r"(?:の|は|が|で|に|も|と|や|って|から|より|だと|政府|役所|市役所|県庁|都庁|府庁|市長|知事|[0-9、。,.?!？！\s]|$)")
_HOME_FORMS = re.compile(
    r"(?:千葉県\s*)?(?:船橋市役所|船橋市|船橋|ふなばし市|ふなばし|本市|当市|うちの市)\s*(?:として|における|では|での|で|の|は|が)"
    r"|\b(?:in|of|at|for)\s+(?:the\s+)?(?:city\s+of\s+)?funabashi(?:\s+city)?(?:\s*,\s*chiba(?:\s+prefecture)?)?\b"
    r"|\bfunabashi(?:\s+city|-shi)?\s*,\s*chiba(?:\s+prefecture|-ken)?\b|\bfunabashi(?:\s+city|-shi)?'s"
)
# After a name in Latin letters inside Japanese ("Googleの"), only a particle: "Google フォーム" is a product.
_ASCII_FOLLOW = re.compile(r"\s*(?:の|は|が|で|に|も|と|や|って|から|より|だと)")
# 国 on its own: not inside 全国, 外国, 国民, 国際 ...; 県 and 都 the same way ("県のDX計画").
_STATE = re.compile(r"(?<![\u3400-\u9fff\u3005])([国県都])(?=の|が|は|から|に|で|と|も|や|として|による|、)")

# The state and its ministries: the plan talks about 国 and 総務省, so a question naming them is
# refused only when the plan says nothing about them and the thing asked (see handlers.scope).
_NATIONAL = [
    "政府", "日本政府", "中央省庁", "各府省", "府省", "省庁", "デジタル庁", "総務省", "内閣府", "内閣官房",
    "法務省", "外務省", "財務省", "文部科学省", "文科省", "厚生労働省", "厚労省", "農林水産省", "農水省",
    "経済産業省", "経産省", "国土交通省", "国交省", "環境省", "防衛省", "復興庁", "警察庁", "金融庁", "消費者庁",
    "こども家庭庁", "国税庁", "地方公共団体情報システム機構", "出入国在留管理庁", "入管", "入国管理局", "年金機構",
    "日本年金機構", "ハローワーク", "税務署",
]
_NATIONAL_EN = [
    "japan", "japanese government", "government of japan", "national government", "central government",
    "digital agency", "cabinet office", "mic", "meti", "mhlw", "immigration", "immigration bureau",
    "immigration services agency", "pension service", "japan pension service", "hello work", "tax office",
]
# Companies people ask about by name alone: read as a company only in the holder position ("富士通の",
# "Google's"), so that "Googleフォーム" stays a word. Companies the plan names (LINE, PayPay, ヤフー) are
# the plan's own words (see handlers.scope).
_COMPANIES = ["トヨタ", "ソニー", "パナソニック", "富士通", "日立", "東芝", "NEC", "NTT", "NTTデータ", "ドコモ", "ソフトバンク",
              "楽天", "KDDI", "アマゾン", "Amazon", "グーグル", "Google", "マイクロソフト", "Microsoft", "アップル", "Apple",
              "IBM", "セールスフォース", "Salesforce", "サイボウズ", "オラクル", "Oracle", "TKC"]
# Countries by the abbreviations people write in English ("the UK's GOV.UK").
_COUNTRY_EN = {"uk": "イギリス", "usa": "アメリカ合衆国", "eu": "欧州連合", "u.s.": "アメリカ合衆国"}
# A romaji name after these words is a place in an English question ("RPA in Ichikawa").
_EN_PLACE_BEFORE = {"in", "at", "of", "from", "does", "do", "did", "about", "for", "than", "like", "and", "vs", "versus",
                    "with", "is", "has"}
_NATIONAL_PLAN_WORDS = ("国", "政府", "府省", "総務省", "全国")
# Other cities, countries and companies in general.
_OTHERS = {
    "local": (["他市", "他の市", "他自治体", "他の自治体", "ほかの自治体", "ほかの市", "他市町村", "他の市町村", "他区",
               "他県", "他の県", "近隣市", "近隣の市", "近隣自治体", "近隣の自治体", "周辺自治体", "周辺の自治体", "よその市",
               "よその自治体", "他の都市", "他都市", "他の政令市", "他の中核市", "以外の自治体", "以外の市町村",
               "以外の市", "県庁", "都庁", "府庁", "隣の市", "隣の自治体", "近くの市", "近くの自治体", "他の区"],
              ["other cities", "other city", "other municipalities", "other local governments", "other councils",
               "other prefectures", "neighbouring cities", "neighboring cities", "nearby cities", "other towns",
               "other than funabashi", "outside funabashi"],
              ("他自治体", "全国の自治体", "全国平均", "各自治体", "自治体間")),
    "foreign": (["海外", "外国", "諸外国", "他国", "他の国", "欧州", "ヨーロッパ", "欧米"],
                ["other countries", "abroad", "overseas", "foreign countries", "other nations"],
                ("海外",)),
    "company": (["民間企業", "他社", "他の企業", "大企業"],
                ["private companies", "private sector", "other companies", "companies", "businesses"],
                ("事業者", "民間")),
}
_COMPANY = re.compile(
    r"(?:株式会社|\(株\)|有限会社)\s*([a-z0-9&\-\u30a1-\u30fc\u3400-\u9fff]+)"
    r"|([a-z0-9&\-\u30a1-\u30fc\u3400-\u9fff]+)\s*(?:株式会社|\(株\)|有限会社)"
    r"|(?<![\u30a1-\u30ff\w])([\u30a1-\u30ff]{2,}|[a-z][a-z0-9&\-]+)社(?![\u3400-\u9fff])"
    r"|\b([a-z][a-z0-9&\-]+)\s+(?:inc|corp|corporation|co\.?\s*,?\s*ltd|ltd|llc|k\.?k\.?)\b"
)
_EN_KIND_WORDS = {
    "municipality": r"city|shi|town|village|machi|cho|mura|son|municipality|municipal government|city hall|city office",
    "ward": r"ward|ku|city|city office",
    "prefecture": r"prefecture|ken|prefectural government|metropolis|metropolitan government",
}
# English country names that are also English words or first names: only when written with a capital.
_EN_CAPITALISED_ONLY = {"chad", "jersey", "georgia", "jordan", "guinea", "niger", "turkey", "mali", "oman", "peru",
                        "chile", "cuba", "china", "japan", "monaco", "malta", "iran", "iraq", "togo", "saga"}


@dataclass(frozen=True)
class Organisation:
    name: str  # as the plan would write it: 川崎市, 大阪府, エストニア, デジタル庁
    kind: str  # prefecture | municipality | ward | country | national | local | foreign | company
    english: str = ""
    code: str = ""
    plan_words: tuple[str, ...] = ()  # how the plan itself names this body, if it does

    def label(self, lang: str) -> str:
        if lang != "en" or not self.english or self.kind == "company":
            return self.name
        if self.kind in {"local", "foreign"}:  # "other cities"
            return self.english
        if self.name.isascii():  # "digital agency"
            return self.english.title()
        return f"{self.english.title()} ({self.name})"


@dataclass(frozen=True)
class Mention:
    org: Organisation
    start: int  # span in the folded text (see :func:`fold_for_scan`)
    end: int
    surface: str
    bare: bool = False  # found without 市/県/区: the caller checks it is not a word the plan uses


def fold_for_scan(text: str) -> str:
    """The form names are looked for in: NFKC and lower case, hiragana kept, spaces kept, ヶ as ケ."""
    return fold(text, kana=False).replace("ヶ", "ケ")


# Nouns a place word modifies: "other city facilities" are more of Funabashi's own buildings.
_EN_OWN_NOUNS = frozenset(["facility", "facilities", "office", "offices", "building", "buildings", "hall", "halls",
                           "branch", "branches", "site", "sites", "department", "departments", "staff", "worker",
                           "workers", "employee", "employees", "service", "services", "counter", "counters"])


class Gazetteer:
    def __init__(self, rows: list[list[str]]) -> None:
        self.full: dict[str, Organisation] = {}
        self.bare: dict[str, Organisation] = {}
        self.english: dict[str, tuple[Organisation, bool]] = {}  # name -> (org, usable without a kind word)
        self.english_by_kind: dict[str, Organisation] = {}
        self._add_places(rows)
        self._add_bodies()
        self._lengths: dict[str, list[int]] = {}
        for name in (*self.full, *self.bare):
            self._lengths.setdefault(name[0], []).append(len(name))
        self._lengths = {c: sorted(set(ls), reverse=True) for c, ls in self._lengths.items()}
        self._region = {c: Organisation(c, "prefecture", english="the prefecture", plan_words=(c,)) for c in "県都"}
        self._state = Organisation("国", "national", english="the national government", plan_words=_NATIONAL_PLAN_WORDS)
        self._max_en_words = max(len(n.split()) for n in self.english)
        self._en_kind = {
            kind: re.compile(rf"\s*(?:-\s*)?(?:{words})\b") for kind, words in _EN_KIND_WORDS.items()
        }

    def _add_places(self, rows: list[list[str]]) -> None:
        """Prefectures, municipalities, wards and countries from the gazetteer file."""
        # The likeliest reading of a shared name first: 川崎 is 川崎市 before 川崎町, 横浜 横浜市 before 横浜町.
        # A country's English name before a town's romaji: "China" is China, not 知名町 (china).
        rank = {"prefecture": 0, "country": 2, "municipality": 3, "ward": 4}
        rows = sorted(rows, key=lambda r: (rank.get(r[0], 5) - 2 * (r[0] == "municipality" and r[6] == "1"),
                                           not r[1].endswith("市")))
        for kind, name, bare, kana, romaji, code, major in rows:
            if code == HOME_CODE:
                continue
            org = Organisation(name=name, kind=kind, english=romaji, code=code, plan_words=(name,))
            self.full.setdefault(fold_for_scan(name), org)
            if bare and (len(bare) >= 2 or major == "1"):
                self.bare.setdefault(fold_for_scan(bare), org)
            if kana and (major == "1" or kind == "prefecture") and len(kana) >= 4:
                self.full.setdefault(kana, org)
            elif kana and major == "1" and len(kana) == 3:  # ちばし: a whole word only (see _japanese)
                self.bare.setdefault(kana, org)
            if romaji:
                if kind == "country" or major == "1":
                    self.english.setdefault(romaji, (org, True))
                if kind != "country":
                    self.english_by_kind.setdefault(f"{kind}:{romaji}", org)
                    if len(romaji) >= 5:
                        self.english.setdefault(romaji, (org, False))

    def _add_bodies(self) -> None:
        """The state and its ministries, companies, and "other cities" in general."""
        for name in _NATIONAL:
            self.full[name] = Organisation(name, "national", plan_words=(name, *_NATIONAL_PLAN_WORDS))
        for name in _COMPANIES:
            org = Organisation(name, "company", english=name.lower() if name.isascii() else "", plan_words=(name,))
            self.bare[fold_for_scan(name)] = org
            if name.isascii():
                self.english[name.lower()] = (org, False)
        for abbr, name in _COUNTRY_EN.items():
            if name in self.full:
                self.english[abbr] = (self.full[name], True)
        for name in _NATIONAL_EN:
            self.english[name] = (Organisation(name, "national", english=name, plan_words=_NATIONAL_PLAN_WORDS), True)
        for kind, (ja, en, words) in _OTHERS.items():
            for name in ja:
                self.full[name] = Organisation(name, kind, plan_words=(name, *words))
            for name in en:
                self.english[name] = (Organisation(name, kind, english=name, plan_words=words), True)
        self.bare["日本"] = Organisation("日本", "national", english="japan", plan_words=("日本", *_NATIONAL_PLAN_WORDS))

    # ------------------------------------------------------------------ scanning
    def mentions(self, text: str, *, original: str | None = None) -> list[Mention]:
        """Every organisation other than Funabashi named in ``text``, longest first where they overlap.

        ``original`` is the message as typed when ``text`` was already folded: its capitals tell
        "Georgia" from "georgia".
        """
        form = fold_for_scan(text)
        found = self._japanese(form) + self._english(form, original or text) + self._companies(form)
        found = [m for m in found if not self._home_address(form, m)]
        found.sort(key=lambda m: (-(m.end - m.start), m.start))
        kept: list[Mention] = []
        for m in found:
            if all(m.end <= k.start or m.start >= k.end for k in kept):
                kept.append(m)
        return sorted(kept, key=lambda m: m.start)

    def _japanese(self, form: str) -> list[Mention]:
        out: list[Mention] = []
        n = len(form)
        for i in range(n):
            lengths = self._lengths.get(form[i])
            if lengths and not _continues_word(form, i):
                for size in lengths:
                    j = i + size
                    if j > n:
                        continue
                    sub = form[i:j]
                    org = self.full.get(sub)
                    if org is not None and not (_KATAKANA.match(sub[-1]) and j < n and _KATAKANA.match(form[j])):
                        out.append(Mention(org, i, j, sub))
                        break
                    org = self.bare.get(sub)
                    follow = _ASCII_FOLLOW if sub.isascii() else _BARE_FOLLOW
                    if org is not None and _HIRAGANA_NAME.match(sub) and i and _HIRAGANA_NAME.match(form[i - 1]):
                        org = None  # a name in hiragana starts a word: いちばしょ holds no ちばし
                    if org is not None and follow.match(form, j) and not (
                        _KATAKANA.match(sub[-1]) and j < n and _KATAKANA.match(form[j])
                    ):
                        out.append(Mention(org, i, j, sub, bare=org.kind not in {"country"}))
                        break
        out += [Mention(self._state if m.group(1) == "国" else self._region[m.group(1)], m.start(), m.end(), m.group(1))
                for m in _STATE.finditer(form)]
        return out

    def _english(self, form: str, original: str) -> list[Mention]:
        words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[a-z][a-z']*", form)]
        out: list[Mention] = []
        for size in range(1, self._max_en_words + 1):
            for i in range(len(words) - size + 1):
                start, end = words[i][1], words[i + size - 1][2]
                name = form[start:end]
                possessive = name.endswith("'s")
                if possessive:
                    name, end = name[:-2], end - 2
                marked = self._by_kind_word(name, form, end, words, i)  # "Osaka City" is the city
                entry = self.english.get(name)
                if marked is not None or entry is None:
                    # "so city hall…" is no 曽於市: a romaji name that is an English word must be capitalised.
                    if marked is not None and not (name in EN_STOP and not re.search(rf"\b{re.escape(name.title())}\b", original)):
                        out.append(Mention(marked, start, end, name))
                    continue
                org, free = entry
                following = words[i + size][0] if i + size < len(words) else ""
                if name.split()[0] in ("other", "another") and following in _EN_OWN_NOUNS:
                    continue  # "all the other city facilities" are the city's own, not another city
                if name in _EN_CAPITALISED_ONLY and not re.search(rf"\b{re.escape(name.title())}\b", original):
                    continue
                after_place_word = i > 0 and words[i - 1][0] in _EN_PLACE_BEFORE and org.kind != "company"
                if free or possessive or after_place_word:
                    out.append(Mention(org, start, end, name))
        return out

    def _by_kind_word(self, name: str, form: str, end: int, words: list[tuple[str, int, int]], i: int) -> Organisation | None:
        """"Kashiwa City", "Setagaya-ku", "city of Matsudo": a romaji name marked as a place."""
        for kind, pattern in self._en_kind.items():
            org = self.english_by_kind.get(f"{kind}:{name}")
            if org is None:
                continue
            before = " ".join(w for w, _, _ in words[max(0, i - 2):i])
            if pattern.match(form, end) or re.search(r"(?:city|prefecture|ward|town) of$", before):
                return org
        return None

    def _companies(self, form: str) -> list[Mention]:
        out = []
        for m in _COMPANY.finditer(form):
            name = next(g for g in m.groups() if g)
            out.append(Mention(Organisation(m.group(0).strip(), "company", english=m.group(0).strip(), plan_words=(name,)),
                               m.start(), m.end(), m.group(0)))
        return out

    def _home_address(self, form: str, m: Mention) -> bool:
        """千葉県 in "千葉県船橋市", Chiba in "Funabashi, Chiba": Funabashi's own address."""
        if m.org.code != HOME_PREFECTURE and m.org.english != "chiba":
            return False
        after = form[m.end:m.end + 12].lstrip(" ,、()")
        before = form[max(0, m.start - 24):m.start].rstrip(" ,、()")
        return after.startswith(HOME_NAMES) or before.endswith(HOME_NAMES) or before.endswith(("funabashi city", "funabashi-shi"))


def without_home(text: str) -> str:
    """``text`` without the words that only say "Funabashi's" (船橋市の, 本市では, in Funabashi).

    They name the one organisation the plan is about, and would otherwise dilute the topic
    ("船橋市のRPA" is a question about RPA). Names that contain 船橋 (船橋市公式アプリ) stay.
    """
    return _HOME_FORMS.sub(lambda m: " " * len(m.group(0)), fold_for_scan(text))  # same length: spans stay put


def _continues_word(form: str, i: int) -> bool:
    """True when position ``i`` is inside a kanji or katakana word (a name cannot start there)."""
    if i == 0 or form.startswith("以外", i):  # 船橋市以外の自治体
        return False
    prev, ch = form[i - 1], form[i]
    if ch.isascii() and ch.isalnum():
        return prev.isascii() and prev.isalnum()  # "nec" inside "connect"
    if _KANJI.match(ch) and _KANJI.match(prev):
        return prev not in "県都府道郡"  # 神奈川県川崎市: a municipality after its prefecture
    return bool(_KATAKANA.match(ch) and _KATAKANA.match(prev))


def read_rows(path: Path = DATA) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("kind\t"):
            continue
        rows.append(line.split("\t"))
    return rows


@cache
def load_gazetteer(path: Path = DATA) -> Gazetteer:
    return Gazetteer(read_rows(path))
