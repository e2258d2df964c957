"""👍 / 👎 on every LINE answer, as postback quick replies; after 👎, the reasons as quick replies.

A quick reply is what LINE offers under the last message, so the buttons go on an answer's last
message (a copy: drawings are shared between posts of a cached answer). The reason is a choice, not
free text: a next message is a question more often than a reason, and must stay one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

QUICK_REPLY_LIMIT = 13  # LINE's limit on one message's quick replies
LABEL_LIMIT = 20
_WORDS = {
    "ja": {"up": "👍 役に立った", "down": "👎 役に立たなかった", "thanks": "ご意見ありがとうございます。",
           "why": "ご意見ありがとうございます。よろしければ、よくなかった点を選んでください。",
           "noted": "理由を受け付けました。今後の改善に使わせていただきます。"},
    "en": {"up": "👍 Helpful", "down": "👎 Not helpful", "thanks": "Thank you for your feedback.",
           "why": "Thank you. If you like, choose what was wrong with it.",
           "noted": "Thank you; we will use it to improve the answers."},
}
# Reason code -> what is stored and shown (the stored text is the Japanese one on both languages,
# so the report groups them).
REASONS = {
    "wrong": ("答えが違う", "Wrong answer"),
    "short": ("情報が足りない", "Not enough"),
    "unclear": ("わかりにくい", "Hard to follow"),
    "other": ("その他", "Something else"),
}


@dataclass(frozen=True)
class Vote:
    answer_id: str
    kind: str  # "up" | "down" | "why"
    lang: str
    reason: str = ""  # the stored reason text ("why")


def parse(data: str) -> Vote | None:
    """A feedback postback's data, or None when it is not one (read as if forged)."""
    fields = {k: v[0] for k, v in parse_qs(data or "").items()}
    kind, answer_id, lang = fields.get("fb"), fields.get("a", ""), "en" if fields.get("l") == "en" else "ja"
    if kind in ("up", "down") and answer_id:
        return Vote(answer_id, kind, lang)
    if kind == "why" and answer_id and fields.get("r") in REASONS:
        return Vote(answer_id, "why", lang, REASONS[fields["r"]][0])
    return None


def _postback(label: str, data: dict[str, str]) -> dict[str, Any]:
    return {"type": "action", "action": {"type": "postback", "label": label[:LABEL_LIMIT], "data": urlencode(data),
                                         "displayText": label}}


def with_feedback(messages: list[dict[str, Any]], answer_id: str, lang: str) -> list[dict[str, Any]]:
    """The answer's messages with 👍 / 👎 among the last one's quick replies: after the others, before
    the last of them (the help, which stays last), dropping related questions when they would not fit."""
    if not messages:
        return messages
    words = _WORDS.get(lang, _WORDS["ja"])
    last = messages[-1]
    items = list((last.get("quickReply") or {}).get("items") or [])
    if len(items) > QUICK_REPLY_LIMIT - 2:
        items = items[: QUICK_REPLY_LIMIT - 3] + items[-1:]
    votes = [_postback(words[k], {"fb": k, "a": answer_id, "l": lang}) for k in ("up", "down")]
    return [*messages[:-1], {**last, "quickReply": {"items": [*items[:-1], *votes, *items[-1:]]}}]


def replied(vote: Vote) -> list[dict[str, Any]]:
    """What the bot says to a vote: thanks, and after 👎 the reasons to choose from."""
    words = _WORDS[vote.lang]
    if vote.kind == "up":
        return [{"type": "text", "text": words["thanks"]}]
    if vote.kind == "why":
        return [{"type": "text", "text": words["noted"]}]
    n = 1 if vote.lang == "en" else 0
    items = [_postback(labels[n], {"fb": "why", "a": vote.answer_id, "r": code, "l": vote.lang})
             for code, labels in REASONS.items()]
    return [{"type": "text", "text": words["why"], "quickReply": {"items": items}}]
