"""Facts the plan does not hold: a price, a company, a person, a date, a national figure, a year.

A question can be about a project or a term the plan has and still ask for something the plan
never says of it: 「スマホ講座の参加費は？」 is about 3-1-2, but no text of 3-1-2 names a price.
Answering with 3-1-2's card would be a confident wrong answer. Each kind of fact is one entry: how
a question asks for it, and how the plan's text would hold it; when the item chosen for the
answer holds no such text, the bot says what the plan does not say instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from handlers.answer import Lang
from knowledge.meaning_words import ja_words
from knowledge.records import Project, Term


@dataclass(frozen=True)
class FactKind:
    name: str
    asks: re.Pattern[str]
    held: re.Pattern[str]
    ja: str
    en: str


FACT_KINDS = (
    FactKind(
        "price",
        # いくら after a figure's word asks the figure (「実績はいくら」「目標はいくらか」), not a price.
        re.compile(r"(?<!実績は)(?<!目標は)(?<!実績が)(?<!目標が)(?<!見込みは)(?<!数は)(?<!値は)いくら|料金(?:は|って)|単価|調達価格|購入価格|費用(?:は|って)|参加費|受講料|値段|価格|お金(?:が|は)?かか|(?:有料|無料)(?:です|なん|なの)?(?:か|\?|？)"
                   r"|(?:委託料|手数料)(?:は|って|が|の額|を教え)|委託料$|\bcommissions?\b"
                   # "pay fees online" is a payment, not what they cost.
                   r"|\bcosts?\b|(?<!pay )(?<!paying )(?<!paid )\bfees?\b(?! (?:online|directly|by|with|through|in|at the))"
                   r"|\bprices?\b|\bfree of charge\b|\bhow much (?:is it|does|do|will)", re.I),
        re.compile(r"円|料金|無料|有料|無償|有償|手数料"),
        "料金や費用", "prices or fees",
    ),
    FactKind(
        "money",  # a budget, a company's revenue, what something cost the city: the plan gives no sums
        re.compile(r"予算|売上|売り上げ|収益|利益|税収|歳入|歳出|経費|金額|契約額|総額|事業費|いくら(?:使|かけ|かか)|お金を(?:いくら|どれ)"
                   # spent in money, not in time ("spent a whole day there")
                   r"|\bbudgets?\b|\brevenues?\b|\bsales\b|\bprofits?\b|\bhow much (?:did|does|do|will|has|have|is)\b[^.?]{0,40}\bspen[dt]\b"
                   r"|\bspen[dt]\b[^.?]{0,20}\b(?:yen|money|budget|taxpayers?)\b|\bspending\b|\bhow much money\b"
                   r"|\bturnover\b|\bearn(?:s|ed|ings)?\b"
                   r"|\bhow much (?:did|does|do|will|has|have|was|is)\b[^.?]{0,40}\b(?:pay|paid|cost)\b", re.I),
        re.compile(r"[0-9０-９一二三四五六七八九十百千万億]\s*円"),  # 予算化しました says no sum
        "金額や予算", "sums of money or budgets",
    ),
    FactKind(
        "company",
        re.compile(r"どこの(?:会社|業者|企業|メーカー|ベンダー|団体|法人)|法人名|団体名|(?:会社|業者|企業)(?:って|は|が)(?:何|なに)|(?:会社|業者|企業|ベンダー|メーカー)(?:さん)?(?:って|は|が)?(?:どこ|誰|だれ)|会社名|社名|企業名|ベンダー(?:は|名|って)|製品名|メーカー(?:は|名|の製品)|業者名|事業者(?:って|は(?:どこ|誰)|名)|(?:会社|業者|企業|ベンダー|メーカー)の(?:名前|名称)|委託先|受託(?:先|業者|事業者)|どこが作|誰が作"
                   r"|(?:どっち|どちら|どれ|何|なに|どの(?:ソフト|アプリ|ツール|サービス))を(?:使って|使う|採用|導入)"
                   r"|\bwhich (?:one|app|software|tool|service|platform)s? (?:do|does|did|is|are)\b"
                   r"|\b(?:which|what) (?:company|vendor|firm|product)\b|\bvendors?(?:'s)? names?\b|\bwho (?:is|are) the vendors?\b|\bwho (?:made|makes|built|develops?)\b", re.I),
        # A definition that lists services by name (SNS: Facebook、Twitter、LINE) holds names.
        re.compile(r"株式会社|会社|民間で開発|社が|(?:国|政府|自治体|省|庁)が(?:運営|提供|開発|整備)|代表的な(?:サービス|製品)|[A-Za-z][A-Za-z!]+、\s*[A-Za-z]"
                   r"|団体(?:が|により|によって)[^。]{0,60}?(?:作成|開発)"),  # a maker named as a group
        "製品や事業者の名前", "product or company names",
    ),
    FactKind(
        "person",
        re.compile(r"(?:長|委員長|市長|課長|部長|担当者|講師|責任者|リーダー|代表者?)(?:さん)?(?:の(?:人|方|かた))?(?:は|って|の名前|の氏名)?(?:誰|だれ|どなた)|氏名|何名体制|何人体制|委員構成|構成員|メンバー構成|(?:課|部|係|室)の\s*(?:誰|だれ|どなた)"
                   r"|\bwho(?:'s| is) the (?:head|mayor|chief|director|manager|chair)", re.I),
        re.compile(r"教授|氏(?!名)|提唱"),
        "個人の名前", "people's names",
    ),
    FactKind(
        "affiliation",  # which university or body someone belongs to: the plan says 「スウェーデンの大学教授」, no name
        re.compile(r"(?:どの|どこの)\s*大学|大学名|所属(?:先|して|は|の)|\b(?:which|what) (?:university|college)\b", re.I),
        re.compile(r"[^\sの、。]{2,}大学"),  # a university named (○○大学), not 「…の大学」
        "所属する大学や団体の名前", "the name of the university or body someone belongs to",
    ),
    FactKind(
        "date",
        re.compile(r"次の(?:日程|開催|講座|教室)|つぎの|(?:次|つぎ)は\s*いつ|何時から|何時まで|なんじから|なんじまで|何曜日|営業時間|開館時間|受付時間"
                   r"|いつやって|いつ やって|(?:講座|教室|説明会|イベント|相談会|講習会?)[^。？?]{0,12}?いつ\s*(?:どこ\s*で\s*)?(?:やる|ある|あり|開か|開催)|(?:振込|振り込み|ふりこみ|支給|支払|入金)日|いつ(?:ごろ|頃|くらい|ぐらい)?\s*(?:届|とど|来る|くる|振り込)(?!.{0,6}目標)"
                   r"|日付|何月何日|改定日|施行日|発行日|\bon what date\b|\bwhat date\b"
                   r"|(?:有効|ゆうこう)(?:期限|きげん|期間|きかん)|いつまで(?:有効|使え)|何年(?:有効|使え)|\bexpir|\bvalid (?:for|until)\b"
                   r"|\bnext (?:class|session|date|course)\b|\bopening hours\b|\bwhat time\b|\bwhich day\b", re.I),
        re.compile(r"\d+\s*月\s*\d+\s*日|\d+\s*時|曜日|有効期限|有効期間"),
        "開催日や時間", "dates or opening hours",
    ),
    FactKind(
        "relay",  # a message for the city or a demand to act: the bot answers, it passes nothing on
        re.compile(r"(?:伝えて|つたえて)\s*(?:おいて|といて|ください|くれ|ほしい)|言っ(?:て\s*おいて|といて)|(?:伝え|つたえ|言っ)といて|なんとか\s*して(?:ほしい|ください|くれ|よ|[。！!]|$)"
                   r"|\b(?:tell|let) (?:them|the (?:city|department|staff|people in charge|person in charge))\b|\bpass (?:it|this|that) on\b", re.I),
        re.compile(r"(?!)"),
        "ご意見やご要望の取り次ぎ", "passing a message on to the city",
    ),
    FactKind(
        "request",  # asked to make something or to drop its rules: the plan holds no poem
        re.compile(r"(?:詩|俳句|はいく|短歌|川柳|せんりゅう|歌|ポエム|物語|小説|ジョーク|冗談|メール|文章|作文|レシピ|キャッチコピー|標語"
                   r"|スローガン)を?[^。？?]{0,8}?(?:作って|つくって|書いて|かいて|詠んで|よんで|考えて|教えて)"
                   r"|をテーマに[^。？?]{0,12}?(?:作って|つくって|書いて|かいて|詠んで|よんで|考えて)"
                   # asked to draft for them: 「評価コメントを作文しておいて」「下書きして」
                   r"|作文(?:して|しといて|しておいて|お願い|を頼)|下書き(?:して|しといて|しておいて|お願い|を(?:作|書|頼))|(?:書|作)いておいて|作っておいて"
                   # how to word their own text: 「評価コメント、どう書けばいい？」
                   r"|どう(?:いう風に|いうふうに|やって)?\s*(?:書け|かけ|書いたら|かいたら)\s*(?:ば|いい|よい)"
                   # 「答弁案書いといて」「300字くらいでまとめて」: a text to be written for them.
                   r"|(?:書|か)いといて|作っといて|つくっといて|(?:答弁|原稿|文案|草案|挨拶文|あいさつ文)(?:案)?を?\s*(?:書|作|つく|まとめ)"
                   r"|\d+\s*(?:字|文字)(?:くらい|ぐらい|程度|以内|前後)?で"
                   r"|\b(?:can you|could you|would you|please|pls|help me|you) draft\b|\bdraft (?:me|us)\b"
                   r"|(?:指示|命令|ルール|設定)(?:を|は)?(?:全部|すべて|全て)?(?:無視|忘れ)|プロンプト"
                   r"|\b(?:write|compose|make up|tell)(?: me)? (?:a |an )?(?:poem|haiku|song|story|joke|limerick|essay|email|letter|recipe)"
                   r"|\bignore (?:all |your |the )?(?:previous |prior )?(?:instructions|rules)|\bsystem prompt\b"
                   r"|\bforget (?:the plan|your (?:instructions|rules))\b|\bpress release\b"
                   # Code or a translation to be made: 「スクリプト書いて」「英訳して」.
                   r"|(?:コード|スクリプト|プログラム|マクロ|関数)を?[^。？?]{0,8}?(?:書いて|かいて|作って|つくって)"
                   r"|(?:英訳|和訳|翻訳)(?:して|を(?:して|お願い))|\btranslate\b[^.?]{0,40}\b(?:into|to) (?:english|japanese)\b"
                   r"|\bwrite (?:me )?(?:some |a |an |the )?(?:code|script|program|macro|function)\b", re.I),
        re.compile(r"(?!)"),
        "詩や文章の作成など、計画の内容でないこと", "anything but the plan's contents (poems, emails, other instructions)",
    ),
    FactKind(
        "personal",  # a question to the bot about itself: it answers only of the plan
        re.compile(r"(?:あなた|あんた|きみ|お前|おまえ)(?:は|って|の|が)(?!.*(?:教えて|知って|分かる|わかる|わかります|できる|出来る))"
                   r"|^\s*君(?:は|って|の)|\b(?:are you|who are you|how old are you|your (?:name|age|favou?rite|hobby|hobbies))\b"
                   r"|\bdo you (?:like|love|have a|live|eat|sleep|feel)\b", re.I),
        re.compile(r"(?!)"),
        "ボット自身のこと", "the bot itself",
    ),
    FactKind(
        "opinion",  # what the bot thinks, recommends or bets on: the plan states, it does not judge
        re.compile(r"(?:と|って)\s*(?:思い?ますか|思う\s*[?？]|おもう\s*[?？]|思います\s*[?？]|思われますか)|どう思(?:う|います|われ)"
                   r"|(?:意見|アドバイス|助言)\s*(?:が|を)?\s*(?:ほしい|欲しい|ください|下さい|聞かせて|お願い)"
                   r"|(?:おすすめ|オススメ|お勧め)(?:は|って|です|を教え|を聞)|お得(?:です)?(?:か|[?？])"
                   r"|\bin your (?:opinion|view)\b|\bwould you recommend\b|\bwhat are the odds\b|\byour (?:opinion|view|take)\b"
                   r"|\bdo you think\b(?! (?:i|we) (?:can|could)\b)|\b(?:don'?t|do) you agree\b", re.I),
        re.compile(r"(?!)"),
        "意見や予想", "opinions or predictions",
    ),
    FactKind(
        "own_record",  # the asker's own case: an application's progress, a tax bill, a lost card
        re.compile(r"(?:私|わたし|僕|ぼく|自分)の[^。?？]{0,15}?(?:申請|番号|ばんごう|アカウント|税金|ぜいきん|暗証番号|審査|カード|かーど)"
                   r"[^。?？]{0,25}?(?:どこまで|確認して|教えて|おしえて|なんばん|何番|いくら|調べて|見て)"
                   r"|(?:カード|かーど|暗証番号|あんしょうばんごう|パスワード|番号|ばんごう)\s*(?:を|が)?\s*(?:忘れ|わすれ|なくし|無くし|紛失|落とし|おとし|盗まれ)"
                   r"|\bmy (?:application|account|tax bill|pin|password|card|case)\b[^.?]{0,40}\b(?:status|ready|look (?:it )?up|check)\b"
                   r"|\b(?:status|progress) of (?:my|our) (?:\w+ )?(?:application|request|case|claim|form|submission|payment)\b"
                   r"|\bwhere(?:'s| is) my (?:\w+ ){0,3}?(?:card|application|refund|certificate)\b"
                   r"|\bhow much (?:city |property |resident )?tax do i owe\b|\bcan you look (?:it|me) up\b|\bis (?:it|my card) ready\b"
                   # whether something is done for them: 「受講済みか確認できます？」, "how much tax am I going to pay"
                   r"|(?:済み|済んでる|済んだ|終わってる)か(?:どうか)?\s*(?:を)?\s*(?:確認|調べ|見て)"
                   r"|\bhow much (?:\w+ ){0,2}tax (?:am i|will i|do i|should i|must i)\b"
                   r"|\b(?:lost|forgot|forgotten|left) (?:my|the) (?:my number )?(?:card|pin|password)\b", re.I),
        re.compile(r"(?!)"),
        "個人の手続きの状況や記録", "anyone's own records or case",
    ),
    FactKind(
        "procedure",  # how the asker does something, step by step: the plan says what the city does, never how to
        re.compile(r"(?:手順|てじゅん)\s*(?:を|は|って|、)?\s*(?:(?:一つ|ひとつ|順番に|じゅんばんに)\s*(?:ずつ)?\s*)?(?:教え|おしえ|知りたい|しりたい|ください|[?？]|$|(?:最初|一|いち|1)\s*から)|操作手順"
                   r"|(?:やり方|やりかた|仕方|しかた)\s*(?:を|、)?\s*(?:(?:いち|一|最初|さいしょ)\s*から\s*|(?:じゅんばん|順番)\s*に\s*|(?:ぜんぶ|全部)\s*)*(?:教え|おしえ|わかる|分かる)"
                   r"|どうやって\s*[^。？?]{0,12}?(?:申請|しんせい|予約|よやく|申し込|もうしこ|申込|登録|設定|リセット|解除|作れ|作る|つくる|切れ|切る|入れ|いれ|インストール|調べ|しらべ|払|はら|捨て|すて|提出|入力)"
                   r"|(?:申請|提出|入力|登録|申し込み|申込)\s*(?:の)?\s*(?:方法|仕方|しかた|やり方)\s*(?:を|は|って|が)?\s*(?:教え|おしえ|知りたい|わから|分から)"
                   r"|(?:どうすれば|どうしたら|どう\s*やれば|どう\s*やったら)\s*(?:いい|よい|良い)"
                   # what to bring, what one must do first: 「何を持っていけばいい」「予約しないとダメ？」
                   r"|何を\s*(?:持って|もって)\s*(?:いけば|行けば|いく|行く|くれば|来れば)|(?:しないと|しなきゃ)\s*(?:ダメ|だめ|いけない)\s*(?:ん|の)?\s*(?:です|でしょう)?\s*(?:か|[?？])"
                   r"|どこ\s*(?:から|で)\s*(?:申請|しんせい|申し込|もうしこ|申込|予約|よやく|借り|借りれ|かり|とって|とれ|取っ|取れ|撮っ|撮れ)"
                   r"|どこから\s*(?:できる|できます|やる|する|すれば)|(?:って|は)\s*どうやる(?:の|ん)?\s*(?:です(?:か)?)?\s*(?:[?？]|$)"
                   r"|\bhow (?:do|can|should) i\b(?! (?:use|ask|see|find|learn|know|check|read|get (?:info|more|the)|look|tell|understand)\b)|\bstep[- ]by[- ]step,? please\b|\bwhich buttons?\b"
                   r"|\bwhere(?:'s| is| can i (?:find|get)| do i (?:find|get)) (?:the|a|an) (?:\w+ )?form\b"
                   # the form itself: where to get it, how to fill it in
                   r"|(?:申請書|届出書|様式|用紙)(?:って|は)?\s*(?:どこ|何処)\s*(?:に|で)?\s*(?:ある|あり|もらえ|手に入|置い|ダウンロード)"
                   r"|\b(?:can|could|would) you (?:help me )?fill (?:out|in)\b|\bhow (?:do|should|can) i fill (?:out|in)\b"
                   r"|\bwhat (?:do|should) i write in\b|\b(?:which|what) forms? (?:do|should|must|can) i\b"
                   r"|(?:どの|何の|なんの)\s*(?:様式|書類|申請書|用紙)\s*を\s*(?:出せば|出す|出し|提出)", re.I),
        re.compile(r"(?!)"),
        "手続きや操作の手順", "how to carry out a procedure",
    ),
    FactKind(
        "permission",  # whether the asker may do something (bring children, use ChatGPT at work): rules the plan states, if any
        re.compile(r"(?<!聞い)(?<!きい)(?<!質問し)(?<!伺っ)(?<!尋ね)(?<!教えてもらっ)(?:て|で)\s*も\s*(?:いい|良い|よい|大丈夫|だいじょうぶ|よろしい|かまわない|構わない)"
                   r"\s*(?:ん|の)?\s*(?:です|でしょう)?\s*(?:か|[?？])"
                   r"|\b(?:am i|are we|are staff|are employees) allowed to\b|\bis it (?:ok|okay|alright|all right) (?:to|if i|if we)\b|\bcan i bring\b", re.I),
        # A definition that states what anyone may do (二次利用可能, 営利目的、非営利目的を問わず) holds it.
        re.compile(r"問わず|二次利用|利用(?:が)?可能|自由に"),
        "利用の決まりごと", "rules on what people may do",
    ),
    FactKind(
        "places",  # which centres, offices or divisions by name: the plan counts them, it names few
        re.compile(r"具体的に\s*(?:は\s*)?(?:どこ|どの(?:公民館|出張所|支所|施設|課|部署))|どこの(?:公民館|出張所|支所|施設)|候補地"
                   r"|(?:公民館|出張所|支所|施設|会場)(?:の)?(?:名前|名称|一覧|リスト)(?:は|を|って|が)"
                   # "which divisions own it" asks the department: divisions only when counted (which nine divisions).
                   r"|\bwhich (?:(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) )?"
                   r"(?:community cent(?:er|re)s|branch offices|facilities|locations|venues|sites)\b"
                   r"|\bwhich (?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (?:offices|divisions|departments|sections)\b"
                   r"|\b(?:name (?:all of )?them|i need (?:their |the )?names|(?:list|give me) (?:all )?(?:their|the) names)\b", re.I),
        # Two named places or divisions one after another (中央公民館、二和公民館) hold names.
        re.compile(r"[\u4e00-\u9fff]{2,}(?:公民館|出張所|支所|センター|課)[、・,][\u4e00-\u9fff]{2,}(?:公民館|出張所|支所|センター|課)"),
        "施設や部署の個別の名前", "the names of the individual places or divisions",
    ),
    FactKind(
        "language",  # whether a service comes in English or other languages: the plan never says
        re.compile(r"\b(?:available|offered|usable|used|work|works|come|comes) in (?:english|other languages|foreign languages|my language)\b"
                   r"|\bcan (?:i|we|you) (?:use|read|do|apply|pay|see)\b[^.?]{0,40}\bin (?:english|other languages)\b"
                   r"|\benglish (?:version|mode|menu|support)\b|\b(?:switch|change) (?:the |its )?language\b|\bmultilingual\b"
                   r"|英語版|英語(?:で|でも)(?:使え|利用|申請|見れ|見られ|読め)|英語(?:対応|表示)|多言語(?:対応|化|表示)|外国語(?:対応|表示|版)", re.I),
        re.compile(r"英語|多言語|外国語"),
        "英語など外国語での対応", "whether it comes in English or other languages",
    ),
    FactKind(
        "national",
        re.compile(r"全国|日本全体|国全体|他の自治体|ほかの自治体|\bnationwide\b|\bnational average\b|\bacross japan\b"
                   r"|\bin japan as a whole\b|\bother (?:cities|municipalities)\b", re.I),
        re.compile(r"全国|他の?自治体"),
        "全国や他の自治体の数字", "national or other municipalities' figures",
    ),
    FactKind(
        "national_figure",  # a figure of the nation (日本全体の保有率) where the project says 全国 of no figure (全国的な需要)
        re.compile(r"(?:全国|日本全体|国全体|日本中)(?:的)?[^。、,?？]{0,20}?(?:率|割合|平均|何|どのくらい|どれくらい|いくつ|%|％|パーセント)"),
        re.compile(r"全国(?:平均)?[^。\n]{0,6}[0-9０-９]|全国平均|他の?自治体"),
        "全国や他の自治体の数字", "national or other municipalities' figures",
    ),
    FactKind(
        "national_total",  # the plan compares the city's rates with the national average, never a national total
        re.compile(r"(?:全国|国全体|日本全体|日本中|国内)[^。?？]{0,15}(?:総数|累計|合計|総計|全部で)"
                   r"|国が[^。?？]{0,15}(?:発行|交付|配布)[^。?？]{0,15}(?:総数|累計|合計|何枚|枚数)"
                   r"|\b(?:national government|the country|nationwide|across japan|all of japan|in japan)\b[^.?]{0,50}"
                   r"\b(?:in total|total|altogether)\b"
                   r"|\b(?:in total|total number)\b[^.?]{0,50}\b(?:national government|nationwide|across japan|in japan)\b", re.I),
        re.compile(r"全国[^。\n]{0,12}(?:総数|累計|合計|総計)"),
        "全国の総数", "national totals",
    ),
    FactKind(
        "breakdown",  # a figure split by phone, age, sex or district: the plan gives totals only
        re.compile(r"(?:iphone|ios|android|アンドロイド|アイフォン)[^。?？]{0,12}(?:と|や|・|、|\band\b|\bvs\b|\bor\b)[^。?？]{0,12}"
                   r"(?:iphone|ios|android|アンドロイド|アイフォン)|(?:男女|年代|年齢|性別|地区|地域|町丁|学区|機種|端末)別|内訳"
                   r"|(?:課|部署|所属|年代|地区|地域|公民館|施設)ごとに(?:分け|わけ)"
                   r"|\bbreakdown\b|\bbroken down\b|\bby (?:age|gender|sex|os|platform|device|district|area|neighbou?rhood)\b", re.I),
        re.compile(r"内訳|男女別|年代別|年齢別|地区別|地域別"),
        "内訳（機種別・年代別など）", "breakdowns (by phone, age and so on)",
    ),
    FactKind(
        "article",  # an article of a rule or guideline: the plan names documents, never their articles
        re.compile(r"第\s*[0-9０-９一二三四五六七八九十]+\s*条|\barticle\s+\d+\b", re.I),
        re.compile(r"第\s*[0-9０-９一二三四五六七八九十]+\s*条"),
        "規程やガイドラインの条文", "the articles of rules or guidelines",
    ),
    FactKind(
        "ranking",  # how municipalities or countries rank: the plan compares the city with no one by rank
        re.compile(r"(?:最も|一番|いちばん)[^。?？]{0,20}(?:自治体|市町村|市区町村|都市|都道府県)"
                   r"|(?:自治体|市町村|都市|都道府県|世界|全国)[^。?？]{0,12}(?:ランキング|順位|何位|なんい)"
                   r"|\b(?:which|what) (?:city|cities|municipality|municipalities|town|prefecture|country)\b[^.?]{0,40}"
                   r"\b(?:highest|lowest|most|best|top|leads?)\b"
                   r"|\brank(?:s|ed|ing)?\b[^.?]{0,30}\b(?:among|in) (?:japan|the world|cities|municipalities)\b"
                   # the city's own place (「交付率は何位」 "what rank is Funabashi"): the plan compares with
                   # the national average, never ranks
                   r"|何位|なんい(?:なの|です|か|\s*[?？])|順位|ランキング|何番目に|\brankings?\b|\bwhat (?:place|position|rank)\b"
                   r"|\bwhere does [^.?]{0,40}\brank\b", re.I),
        re.compile(r"[0-9０-９]+\s*位(?![置])|ランキング"),
        "自治体の順位", "rankings of municipalities",
    ),
)


ASKED_KEPT = 16  # messages whose asked kinds are kept: the last few questions' texts

# Asked of anything, these are never answered from the plan: instructions, requests, the bot itself.
NEVER_HELD = frozenset({"relay", "request", "personal", "opinion", "own_record"})
# Asked how to do something: never answered either, but the item it is about is offered.
HOW_TO = frozenset({"procedure"})
# A list answer can hold no price, company, person or date; it may compare with the nation.
LIST_UNHELD = frozenset({"price", "company", "person", "date", "request"})


def asked_kinds(text: str, *, kinds: frozenset[str] | None = None) -> list[FactKind]:
    return [k for k in _asked(text) if kinds is None or k.name in kinds]


@lru_cache(maxsize=ASKED_KEPT)
def _asked(text: str) -> tuple[FactKind, ...]:
    """Every kind of fact ``text`` asks for: the stages of one question ask this of the same text
    several times, and each time it is a dozen patterns over the whole message."""
    return tuple(k for k in FACT_KINDS if k.asks.search(text) and not (k.name == "price" and _figure_asked(k, text)))


# A KPI figure named (「参考値は修正前後でそれぞれいくらか」): its いくら asks the figure, not a price.
_KPI_FIGURE = re.compile(r"参考値|目標値|実績値|見込み値|kpi", re.I)


def _figure_asked(kind: FactKind, text: str) -> bool:
    return bool(_KPI_FIGURE.search(text)) and not kind.asks.search(text.replace("いくら", ""))


def project_text(p: Project) -> str:
    parts = [p.name, p.current, p.issue, p.goal, p.note, *p.departments, *(s.text for s in p.schedule)]
    parts += [i.label + i.note for i in p.indicators] + [e.comment for e in p.evaluations]
    return "\n".join(parts)


def term_text(t: Term) -> str:
    return t.term + "\n" + t.definition


def unheld(text: str, held_text: str, *, kinds: frozenset[str] | None = None) -> FactKind | None:
    """The first kind of fact the question asks for that ``held_text`` does not hold, if any."""
    for kind in asked_kinds(text, kinds=kinds):
        if not kind.held.search(held_text) and not _said_by_item(kind, text, held_text):
            return kind
    return None


def _said_by_item(kind: FactKind, text: str, held_text: str) -> bool:
    """「窓口ごとに何度も氏名や住所を書かずに済む取組」: words the item's own text says (氏名 of 1-2-1)
    describe the item, they do not ask for a fact of it. Never so for what is never answered."""
    if kind.name in NEVER_HELD | HOW_TO:
        return False
    spans = [m.group() for m in kind.asks.finditer(text)]
    return bool(spans) and all(len(span) >= 2 and span in held_text for span in spans)


# Kinds never held of anything: one reason whatever was asked about (ja, en).
_FIXED_REASONS = {
    "personal": ("このボットは船橋市DX推進計画アクションプランについての質問にだけお答えします。",
                 "I am the action plan's assistant: I can only answer questions about Funabashi's DX action plan."),
    "request": ("お答えできるのはアクションプランの内容についての質問だけです。詩や文章の作成などはできません。",
                "I can only answer questions about the action plan; I do not write poems, emails or "
                "anything else, nor change how I answer."),
    "relay": ("このボットはご意見やご要望を市に取り次ぐことはできません。下のお問い合わせ先に直接お寄せください。",
              "I cannot pass messages on to the city; please send your feedback to the contact below."),
    "opinion": ("お答えできるのはアクションプランに書かれていることだけで、意見やおすすめ、予想はお答えできません。",
                "I can only say what the action plan says; I give no opinions, recommendations or predictions."),
    "procedure": ("手続きや操作の手順はアクションプランには書かれていません。市のホームページか下のお問い合わせ先でご確認ください。",
                  "The action plan does not say how to carry out a procedure; please see the city's website or ask the contact below."),
    "own_record": ("個人の申請・納税・カードの状況や記録は確認できません。下のお問い合わせ先にご相談ください。",
                   "I cannot see anyone's own applications, bills or cards; please ask the city's contact below."),
}


def unheld_reason(kind: FactKind, lang: str, *, what: str) -> str:
    fixed = _FIXED_REASONS.get(kind.name)
    if fixed is not None:
        return fixed[1] if lang == "en" else fixed[0]
    if lang == "en":
        return f"The action plan does not give {kind.en} for “{what}”."
    return f"アクションプランには「{what}」の{kind.ja}は書かれていません。"


def years_reason(table: str, first: int, last: int, asked: int, lang: Lang,
                 label: Callable[[int, Lang], str]) -> str:
    """``table``: "kpi", "schedule" or "evaluation"; ``label``: a function from a fiscal year to its label in ``lang``."""
    f, to, a = label(first, lang), label(last, lang), label(asked, lang)
    if lang == "en":
        what = {"kpi": "KPI tables", "schedule": "schedules", "evaluation": "evaluations"}[table]
        if first == last:
            return f"The action plan's {what} are for {f} only; there is nothing for {a}."
        return f"The action plan's {what} run from {f} to {to}; there is nothing for {a}."
    what = {"kpi": "参考値（KPI）の表", "schedule": "スケジュール", "evaluation": "評価"}[table]
    if first == last:
        return f"アクションプランの{what}は{f}のものだけで、{a}の記載はありません。"
    return f"アクションプランの{what}は{f}から{to}までで、{a}の記載はありません。"


def actual_unheld_reason(year: str, lang: str, *, what: str) -> str:
    if lang == "en":
        return f"The action plan gives targets for {year} in “{what}”, but no actual figures for that year yet."
    return f"アクションプランの「{what}」には{year}の目標（参考値）はありますが、実績値はまだ記載されていません。"


def year_unheld_reason(year: str, lang: str, *, what: str) -> str:
    if lang == "en":
        return f"The action plan gives no figures for {year} in “{what}”."
    return f"アクションプランの「{what}」には{year}の数字の記載はありません。"


_KANJI_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")
MAX_SHORTENED = 4  # kanji in a shortened word (電決, 住基)
_FIGURE_WORDS = frozenset(["目標", "実績", "見込み", "見込む", "参考値", "参考", "値", "数", "数値", "年間", "毎年"])
_MEASURE_SUFFIX = re.compile(r"(?:の)?(?:件数|人数|回数|者数|時間数|割合|率|数)$")


def measured(measure: str, held_text: str) -> bool:
    """Whether the item's text names what a figure asked for counts (交付率 → 交付; ポイント;
    オープンデータ公開数 → オープンデータ and 公開, wherever the text has them; not 店舗数)."""
    stem = _MEASURE_SUFFIX.sub("", measure)
    if len(stem) < 2 or stem.casefold() in held_text.casefold():
        return True
    if _KANJI_ONLY.match(stem) and len(stem) <= MAX_SHORTENED and re.search(".{0,2}".join(stem), held_text):
        return True  # a kanji word shortened the usual way, by its characters in order: 電決 of 電子決裁
    # What a KPI table calls its figures (目標件数, 実績数) names nothing counted; a figure is held
    # when at least half of the words of what it counts are the item's (作業時間: 時間).
    words = [w for w in ja_words(stem) if w not in _FIGURE_WORDS]
    held = set(ja_words(held_text))
    return 2 * sum(w in held for w in words) >= len(words)


# The unit a count is asked in (何人, 何件, 何か所), and how a text writing such a count spells it.
_UNITS = {"人": "人|名", "名": "人|名", "件": "件", "回": "回|度", "台": "台", "館": "館|か所|ヶ所|カ所|箇所",
          "か所": "か所|ヶ所|カ所|箇所|館", "ヶ所": "か所|ヶ所|カ所|箇所|館", "箇所": "か所|ヶ所|カ所|箇所|館",
          "校": "校", "社": "社", "店": "店", "枚": "枚", "業務": "業務", "課": "課", "様式": "様式", "手続": "手続"}


_UNITS_EN = {"人": "people", "名": "people", "回": "sessions", "台": "machines", "館": "places", "か所": "places",
             "ヶ所": "places", "箇所": "places", "業務": "operations", "手続": "procedures"}


def counted_unit(counter: str) -> str | None:
    """The unit of a count asked (人 of 何人減らせた, か所 of 何か所), if it is one texts count in."""
    return next((u for u in sorted(_UNITS, key=len, reverse=True) if counter.startswith(u)), None)


def counts_in(unit: str, held_text: str, *, near: str = "") -> bool:
    """Whether the text gives any count in that unit (16人, 12館, 約700種類 is not one in 人); with
    ``near`` (利用者数), one beside what is counted (修了生16名 is no count of 利用者)."""
    count = rf"[0-9０-９][0-9０-９,，]*\s*(?:{_UNITS[unit]})"
    stem = _MEASURE_SUFFIX.sub("", near)
    if len(stem) >= 2:
        said = re.escape(stem)
        return re.search(rf"{said}[^。\n]{{0,20}}?{count}|{count}[^。\n]{{0,8}}?{said}", held_text) is not None
    return re.search(count, held_text) is not None


# What a KPI table's label counts in a unit: 利用者数 and 受講者 people, 開催数 sessions, 件数 items.
_LABEL_UNITS = {"人": r"者|人|名|職員", "名": r"者|人|名|職員", "件": r"件|数", "回": r"回|開催|度", "台": r"台|端末|パソコン|PC",
                "館": r"館|か所|箇所|施設", "か所": r"館|か所|箇所|施設", "ヶ所": r"館|か所|箇所|施設", "箇所": r"館|か所|箇所|施設",
                "業務": r"業務", "様式": r"様式", "手続": r"手続"}


def is_rate(label: str) -> bool:
    """Whether a KPI table's label gives a rate (受講した割合(%), 普及率), not a count."""
    return re.search(r"割合|率|[%％]", label) is not None


def counts_unit(label: str, unit: str) -> bool:
    """Whether a KPI table's label counts in ``unit`` (a count of 人 in 利用者数, of 回 in 開催数); a
    unit it cannot say (校, 社, 枚) it may."""
    if is_rate(label):
        return False  # a rate (受講した割合(%)) counts no one, whatever its label names
    pattern = _LABEL_UNITS.get(unit)
    return pattern is None or re.search(pattern, label) is not None


def uncounted_reason(unit: str, lang: str, *, what: str) -> str:
    if lang == "en":
        counted = _UNITS_EN.get(unit)
        return (f"The action plan gives no count of {counted} for “{what}”." if counted
                else f"The action plan gives no such count for “{what}”.")
    return f"アクションプランの「{what}」には、その{unit}数は書かれていません。"


def unmeasured_reason(measure: str, lang: str, *, what: str, kpis: tuple[str, ...] = ()) -> str:
    """``kpis``: the labels of the item's KPI table, said as what it does give (ダウンロード数 of ふなっぷ:
    利用者数)."""
    if lang == "en":
        gives = f" Its KPI table (in Japanese) gives: {'; '.join(kpis)}." if kpis else ""
        return f"The action plan gives no figure for {measure} in “{what}”.{gives}"
    gives = "参考値（KPI）の表にあるのは" + "、".join(f"「{k}」" for k in kpis) + "です。" if kpis else ""
    return f"アクションプランの「{what}」には、{measure}の数値はありません。{gives}"

