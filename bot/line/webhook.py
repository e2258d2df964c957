"""The LINE webhook: verify, queue, acknowledge; then answer each event once (reply, or push as fallback)."""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhook import SignatureValidator
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from bot.http_out import ApiSession, Reply, Unreachable
from bot.limits import MAX_WEBHOOK_BODY, BodyTooLarge, clean_json, may_need_cleaning, read_capped, too_deep
from bot.line import feedback, postback, render
from bot.line.inbound import Incoming, classify, events_of
from bot.render_common import asks_for_feedback
from bot.render_memo import drawn_once, encoded_once
from bot.sealed import seal, unseal
from bot.worker import GiveUp, Retry
from handlers import Responder
from handlers.answer import Answer
from handlers.conversation import answer_in_conversation
from state.conversations import Conversations, QuestionLog, WriteBehind, hash_user
from state.feedback import AnswerLog, Feedback
from state.inbound_queue import Item, Job, Offer
from state.personal_data import mask

log = logging.getLogger("dxbot.line")
Clock = Callable[[], datetime]
REPLY_WINDOW = timedelta(seconds=50)  # a reply token lives one minute; leave room for the request
_RETRY_NS = uuid.UUID("6f1c2d4e-5b7a-4c3e-9d2f-0a1b2c3d4e5f")
HTTP_TIMEOUT = 10.0  # seconds; well inside the queue's lease, so a slow API cannot outlive a claim


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def retry_key(item: Incoming) -> str:
    """The same event always gets the same X-Line-Retry-Key, so a repeated push is delivered once."""
    return str(uuid.uuid5(_RETRY_NS, item.event_id or f"{item.user_id}:{item.timestamp_ms}"))


def _refused(what: str, reply: Reply) -> Exception:
    """429 and 5xx pass: try again later. Any other refusal will not."""
    body = reply.body.decode("utf-8", "replace")[:200]
    if reply.status == 429 or reply.status >= 500:
        return Retry(f"{what}: HTTP {reply.status} {body}".strip())
    return GiveUp(f"{what}: HTTP {reply.status} {body}")


class LineChannel:
    def __init__(self, *, channel_secret: str, access_token: str, api_url: str, responder: Responder, db: Any,
                 clock: Clock, on_answer: Callable[[str, Answer, float, str | None], None] | None = None,
                 on_reject: Callable[[str], None] | None = None, log_salt: str = "dxbot",
                 retention_days: int = 90, behind: WriteBehind | None = None) -> None:
        self.signature = SignatureValidator(channel_secret)
        self.api = ApiSession(base_url=api_url, headers={"Authorization": f"Bearer {access_token}"},
                              timeout=HTTP_TIMEOUT)
        self.responder = responder
        self.clock = clock
        # ``behind``: the server writes these with the answered events, in one transaction.
        self.questions = QuestionLog(db, salt=log_salt, behind=behind)
        self.conversations = Conversations(db, behind=behind)
        self.answers = AnswerLog(db, salt=log_salt, behind=behind)
        self.feedback = Feedback(db, salt=log_salt)
        self.on_answer = on_answer or (lambda channel, answer, seconds, user: None)
        self.on_reject = on_reject or (lambda reason: None)
        self.retention_days = retention_days
        self.render = drawn_once(render.render)
        self.encode = encoded_once()
        # Commits events to the inbound queue (the server wires the channel's QueueWorker.admit).
        self.intake: Callable[[list[Item]], Awaitable[Offer]] | None = None

    async def endpoint(self, request: Request) -> PlainTextResponse:
        signature = request.headers.get("x-line-signature")
        if not signature:
            self.on_reject("line_missing_signature")
            return PlainTextResponse("missing X-Line-Signature", status_code=400)
        try:
            raw = await read_capped(request, limit=MAX_WEBHOOK_BODY)
        except BodyTooLarge as exc:
            self.on_reject("line_too_large")
            return PlainTextResponse(str(exc), status_code=413)
        try:
            text = raw.decode("utf-8")
            # The signature first, so that only LINE's own bodies cost the depth scan.
            if not self.signature.validate(text, signature):
                raise InvalidSignatureError("invalid signature")
            if too_deep(raw, content_type="application/json"):
                raise ValueError("JSON nested too deep")
            parsed = json.loads(text)
            events = events_of(clean_json(parsed) if may_need_cleaning(raw) else parsed)  # safe to store and log
        except InvalidSignatureError:
            self.on_reject("line_bad_signature")
            return PlainTextResponse("invalid signature", status_code=400)
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            self.on_reject("line_malformed")
            return PlainTextResponse("malformed body", status_code=400)
        # The 200 goes out only once the events are committed to the queue; the answers follow
        # from it. A full queue answers 503, and LINE redelivers (webhook redelivery on).
        digest = hashlib.sha256(raw).hexdigest()[:24]
        read = [classify(e) for e in events]
        items = [Item(item.event_id or f"line:{digest}:{n}", self._kept(item).payload())
                 for n, item in enumerate(read) if item.kind != "ignore"]
        if len(items) < len(read):  # acknowledged (LINE must not redeliver them) and counted
            self.on_reject("line_ignored_events")
        if items:
            assert self.intake is not None, "LineChannel.intake is wired by the server"
            if (await self.intake(items)).full:
                self.on_reject("line_queue_full")
                return PlainTextResponse("busy: the queue is full or shutting down, retry later", status_code=503)
        return PlainTextResponse("OK")

    def _kept(self, item: Incoming) -> Incoming:
        """What the queue keeps of an event: the user's id hashed, where to push sealed, personal
        data in a message masked (the answer says not to send it; nothing keeps it)."""
        salt = self.questions.salt
        return replace(item, user_id=hash_user(item.user_id, salt=salt) if item.user_id else None,
                       to=seal(item.to, salt=salt) if item.to else None,
                       text=mask(item.text) if item.kind == "text" else item.text)

    def work(self, job: Job) -> Awaitable[None]:
        """Answer one queued event: the answer now, and the coroutine that sends it (the QueueWorker
        runs both; Retry / GiveUp say what went wrong)."""
        item = Incoming.from_payload(job.payload)
        item = replace(item, to=unseal(item.to, salt=self.questions.salt) if item.to else None)
        return self.deliver(item, self.messages_for(item, self.clock()), recovering=job.recovering)

    async def close(self) -> None:
        await self.api.close()

    def messages_for(self, item: Incoming, now: datetime) -> list[dict[str, Any]]:
        if item.kind == "follow":
            return render.welcome(retention_days=self.retention_days)
        if item.kind == "non_text":
            return render.text_only()
        if item.kind == "postback":
            vote = feedback.parse(item.text)
            if vote is not None:
                return self.vote_messages(vote, user_id=item.user_id, now=now)
            return self.postback_messages(postback.parse(item.text), key=self._conversation(item), now=now,
                                          user_id=item.user_id)
        self.responder.refresh()
        started = time.perf_counter()
        key = self._conversation(item)
        answer = answer_in_conversation(self.responder, self.conversations, item.text, key=key, audience="citizen",
                                        now=now)
        elapsed = time.perf_counter() - started
        self.questions.observe(answer, channel="line", user_id=item.user_id, now=now)
        self.on_answer("line", answer, elapsed, item.user_id)
        return self._with_feedback(answer, self.render(answer), user_id=item.user_id, now=now)

    def _with_feedback(self, answer: Answer, messages: list[dict[str, Any]], *, user_id: str | None,
                       now: datetime) -> list[dict[str, Any]]:
        """The answer logged, and its 👍 / 👎 under its last message."""
        answer_id = self.answers.record(answer, channel="line", user_id=user_id, now=now)
        return feedback.with_feedback(messages, answer_id, answer.lang) if asks_for_feedback(answer.intent) else messages

    def vote_messages(self, vote: feedback.Vote, *, user_id: str | None, now: datetime) -> list[dict[str, Any]]:
        """A 👍 / 👎 (a second one on the same answer replaces the first), or a 👎's reason."""
        if user_id:
            if vote.kind == "why":
                self.feedback.reason(vote.answer_id, user_id=user_id, text=vote.reason, now=now)
            else:
                self.feedback.vote(vote.answer_id, vote=vote.kind, channel="line", user_id=user_id, now=now)
        return feedback.replied(vote)

    def _conversation(self, item: Incoming) -> str | None:
        """Follow-ups per LINE user; the key holds the user id hashed, like the question log."""
        return f"line:{hash_user(item.user_id, salt=self.questions.salt)}" if item.user_id else None

    def postback_messages(self, request: postback.Request, *, key: str | None, now: datetime,
                          user_id: str | None = None) -> list[dict[str, Any]]:
        """A rich-menu area or a card's button: no text to understand, the data says what is asked."""
        if request.kind == "terms":
            return postback.terms_prompt()
        if request.kind == "contact":
            return postback.contact_message(self.responder.contact)
        self.responder.refresh()
        if request.kind == "project":
            answer = self.responder.project_answer(request.project_id, request.intent, audience="citizen",
                                                   lang=request.lang)
            if key and answer.projects:  # 「そのスケジュールは？」 after a button means this project
                self.conversations.remember(key, request.project_id, now=now)
        else:
            answer = self.responder.answer(request.text, audience="citizen")
        return self._with_feedback(answer, render.render(answer), user_id=user_id, now=now)

    async def _post(self, what: str, path: str, body: bytes, *, headers: dict[str, str] | None = None) -> Reply:
        """POST the renderer's JSON as is (building the SDK's models only to serialise them again
        cost more CPU than answering; the renderer's contract tests hold every message to the SDK's
        models and the API's limits). No connection, reset or timeout: Retry."""
        try:
            return await self.api.post(path, body, headers=headers)
        except Unreachable as exc:
            raise Retry(f"{what}: {exc}") from exc

    async def deliver(self, item: Incoming, messages: list[dict[str, Any]], *, recovering: bool = False) -> None:
        """Reply while the token lives, else push with the event's retry key.

        ``recovering``: an earlier attempt died mid-way. A reply token is single-use, so a young
        token refused now was spent by that attempt: the answer went out, and pushing would double it.
        """
        if len(messages) > render.MAX_MESSAGES:
            messages = messages[: render.MAX_MESSAGES]
        encoded = self.encode(messages)  # a cached answer's messages are encoded once
        sent_at = datetime.fromtimestamp(item.timestamp_ms / 1000, tz=self.clock().tzinfo) if item.timestamp_ms else None
        fresh = sent_at is None or self.clock() - sent_at < REPLY_WINDOW
        target = item.to or item.user_id
        if item.reply_token and fresh:
            reply = await self._post("reply", "/v2/bot/message/reply",
                                     b'{"replyToken":%s,"messages":%s}' % (_json(item.reply_token), encoded))
            if reply.status < 300:
                return
            if reply.status != 400:
                raise _refused("reply", reply)
            if recovering:
                log.info("LINE event %s: reply token already used by the attempt that stopped", item.event_id)
                return
            if not target:
                raise GiveUp("reply token refused and no user, group or room to push to")
            log.warning("reply token refused for %s; pushing instead", item.event_id)
        if not target:
            log.warning("LINE event %s: no reply token and no user to push to", item.event_id)
            return
        pushed = await self._post("push", "/v2/bot/message/push", b'{"to":%s,"messages":%s}' % (_json(target), encoded),
                                  headers={"X-Line-Retry-Key": retry_key(item)})
        if pushed.status >= 300 and pushed.status != 409:  # 409: this retry key was accepted already
            raise _refused("push", pushed)
