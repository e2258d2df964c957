"""The Slack app (slack-bolt): listeners translate, the handler answers, render draws."""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.http_out import ApiSession, Reply, Unreachable
from bot.render_common import asks_for_feedback
from bot.render_memo import drawn_once, encoded_once
from bot.sealed import seal, unseal
from bot.slack import feedback, home, inbound, lookup, share
from bot.slack.pooled import PooledWebClient
from bot.slack.render import MAX_BLOCKS, OPEN_PROJECT, render
from bot.worker import GiveUp, Retry
from handlers import Responder
from handlers.answer import Answer
from handlers.conversation import answer_in_conversation
from scheduler.calendar import evaluation_year
from state.conversations import Conversations, QuestionLog, WriteBehind, hash_user
from state.feedback import AnswerLog, Feedback
from state.inbound_queue import Item, Job, Offer
from state.personal_data import mask

log = logging.getLogger("dxbot.slack")
Clock = Callable[[], datetime]
ANSWER_EVENT = "dxbot_answer"  # message metadata on every answer: which event it answers (crash recovery)
HTTP_TIMEOUT = 10  # seconds; well inside the queue's lease
# Slack's own "try again" errors, sent with HTTP 200 and ok: false.
_TRANSIENT = {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}


def web_client(*, token: str, base_url: str, max_retries: int = 5) -> WebClient:
    """A WebClient that waits out HTTP 429 (Retry-After) instead of failing."""
    client = PooledWebClient(token=token, base_url=base_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=max_retries))
    return client


_CALL_ERRORS = (SlackApiError, http.client.HTTPException, OSError)  # OSError: no connection, reset, timeout


@contextmanager
def _calling(what: str) -> Iterator[None]:
    """Turn a failed Web API call into Retry (429, 5xx, no connection) or GiveUp (any other refusal)."""
    try:
        yield
    except _CALL_ERRORS as exc:
        raise _refused(what, exc) from exc


def _refused(what: str, exc: Exception) -> Exception:
    if isinstance(exc, SlackApiError):
        headers = {k.lower(): v for k, v in (exc.response.headers or {}).items()}
        after = headers.get("retry-after")
        return _verdict(what, exc.response.status_code, exc.response.get("error", ""),
                        after[0] if isinstance(after, list) else after)
    return Retry(f"{what}: {type(exc).__name__}: {exc}")  # no connection, reset, timed out


def _refused_reply(what: str, reply: Reply) -> Exception | None:
    """The same rules for a call made without slack_sdk; None when the call succeeded."""
    data = reply.json()
    if reply.status < 300 and data.get("ok"):
        return None
    error = data.get("error", "") if isinstance(data, dict) else ""
    return _verdict(what, reply.status, error, reply.headers.get("retry-after"))


def _verdict(what: str, status: int, error: str, retry_after: str | None) -> Exception:
    """429 waits out Retry-After, 5xx and Slack's own transient errors retry, anything else gives up."""
    if status == 429:
        return Retry(f"{what}: rate limited", after=float(retry_after or 30))
    if status >= 500 or error in _TRANSIENT:
        return Retry(f"{what}: HTTP {status} {error}")
    return GiveUp(f"{what}: HTTP {status} {error}")


def _queued(body: dict[str, Any], *, salt: str) -> Item | int | None:
    """What to queue of an Events API callback, or the status to acknowledge it with at once (200:
    nothing to answer, such as our own messages or edits). None: not an event callback.

    The user's id is kept hashed; App Home's, which its view is published to, sealed; personal data
    in the text masked (the answer says not to send it; nothing keeps it)."""
    if body.get("type") != "event_callback":
        return None
    found = inbound.queued(body)
    if found is None:
        return 200
    event_id, kept = found
    event = kept["event"]
    if event.get("user"):
        home = event.get("type") == "app_home_opened"
        event["user"] = seal(event["user"], salt=salt) if home else hash_user(event["user"], salt=salt)
    if isinstance(event.get("text"), str):
        event["text"] = mask(event["text"])
    return Item(event_id, kept)


async def _nothing() -> None:
    return None


class SlackBot:
    """Wires Bolt listeners to the handler; the Bolt ``App`` is ``self.app``."""

    def __init__(self, *, responder: Responder, db: Any, clock: Clock, signing_secret: str, client: WebClient,
                 departments_of: Callable[[str], list[str]] | None = None,
                 on_answer: Callable[[str, Answer, float, str | None], None] | None = None,
                 log_salt: str = "dxbot", behind: WriteBehind | None = None) -> None:
        self.responder = responder
        self.clock = clock
        self.signing_secret = signing_secret
        # ``behind``: the server writes these with the answered events, in one transaction.
        self.conversations = Conversations(db, behind=behind)
        self.questions = QuestionLog(db, salt=log_salt, behind=behind)
        self.answers = AnswerLog(db, salt=log_salt, behind=behind)
        self.feedback = Feedback(db, salt=log_salt)
        self.departments_of = departments_of or (lambda user: [])
        self.on_answer = on_answer or (lambda channel, answer, seconds, user: None)
        self.render = drawn_once(render)
        self.encode = encoded_once()
        # The signature is checked once, at the edge (bot/server.py's route, before anything is
        # read); Socket Mode has none to check. Bolt checking it again would be a second door.
        self.app = App(client=client, signing_secret=signing_secret, process_before_response=False,
                       token_verification_enabled=False, request_verification_enabled=False)
        # Queued answers: no sleeping through 429 inside a claim (the row waits out Retry-After in the
        # table instead), and a timeout well inside the claim's lease. ``answer_api`` posts the answers
        # from the event loop (bot/http_out.py says why not through slack_sdk); the rare calls
        # (App Home, checking a thread after a crash) go through slack_sdk on a thread.
        self.answer_client = PooledWebClient(token=client.token, base_url=client.base_url, timeout=HTTP_TIMEOUT,
                                       retry_handlers=[ConnectionErrorRetryHandler()])
        self.answer_api = ApiSession(base_url=client.base_url, headers={"Authorization": f"Bearer {client.token}"},
                                     timeout=HTTP_TIMEOUT)
        # Commit events to the inbound queue (the server wires the channel's QueueWorker): ``intake``
        # from Bolt's synchronous middleware (Socket Mode), ``admit`` from the event loop (HTTP).
        self.intake: Callable[[list[Item]], Offer] | None = None
        self.admit: Callable[[list[Item]], Awaitable[Offer]] | None = None
        self._register()

    # ------------------------------------------------------------------ wiring
    def _register(self) -> None:
        app = self.app
        app.middleware(self._enqueue)
        app.command("/dx")(self._on_command)
        app.action(re.compile(r"^dx_project_(project_\w+)$"))(self._on_project_button)
        app.action(re.compile(r"^dx_pick_\d+$"))(self._on_pick)
        app.action(OPEN_PROJECT)(self._on_pick)
        app.action("dx_more")(self._on_more)
        share.register(app, responder=self.responder)
        lookup.register(app, responder=self.responder)
        feedback.register(app, feedback=self.feedback, clock=self.clock)

    def _enqueue(self, body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        """Events reaching Bolt (Socket Mode) are queued like HTTP ones; the ack waits for the commit."""
        status = self.accept(body)
        if status is not None:
            return BoltResponse(status=status, body="")
        next()
        return None

    # ------------------------------------------------------------------ events: queued, then answered
    def accept(self, body: dict[str, Any]) -> int | None:
        """Commit an Events API callback to the queue; the status to acknowledge it with (200, or 503
        when the queue is full so that Slack retries). None: not an event callback."""
        item = _queued(body, salt=self.questions.salt)
        if not isinstance(item, Item):
            return item
        assert self.intake is not None, "SlackBot.intake is wired by the server"
        return 503 if self.intake([item]).full else 200

    async def admit_event(self, body: dict[str, Any]) -> int | None:
        """``accept`` from the event loop: the commit may be shared with the other webhooks of the
        same loop turn (bot.offer_group)."""
        item = _queued(body, salt=self.questions.salt)
        if not isinstance(item, Item):
            return item
        assert self.admit is not None, "SlackBot.admit is wired by the server"
        return 503 if (await self.admit([item])).full else 200

    def work(self, job: Job) -> Awaitable[None]:
        """Answer one queued event: the answer now, and the coroutine that sends it (the QueueWorker
        runs both; Retry / GiveUp say what went wrong)."""
        event = job.payload.get("event") or {}
        if event.get("type") == "app_home_opened":
            user = unseal(event.get("user", ""), salt=self.questions.salt)
            if user is None:
                raise GiveUp("App Home: the user id does not open (DXBOT_LOG_SALT changed since it was queued)")
            return asyncio.to_thread(self._publish_home_queued, user)
        q = inbound.question(event)
        if q is None:
            return _nothing()
        if job.recovering:
            return self._answer_unless_answered(q, job)
        return self._post_answer(q, job, *self._ask(q, channel="slack"))

    async def close(self) -> None:
        await self.answer_api.close()

    def _publish_home_queued(self, user: str) -> None:
        with _calling("views.publish"):
            self._publish_home(user, self.answer_client)

    async def _answer_unless_answered(self, q: inbound.Question, job: Job) -> None:
        if await asyncio.to_thread(self._answered_before, q, job):
            log.info("Slack event %s was answered before the process stopped", job.id)
            return
        await self._post_answer(q, job, *self._ask(q, channel="slack"))

    async def _post_answer(self, q: inbound.Question, job: Job, answer: Answer, answer_id: str) -> None:
        head = {"channel": q.channel, "metadata": {"event_type": ANSWER_EVENT, "event_payload": {"event_id": job.id}}}
        if q.thread_ts:
            head["thread_ts"] = q.thread_ts
        # The answer's blocks are encoded once per drawing (a cached answer's is the same object).
        drawing = self.render(answer)
        drawn = self.encode(drawing)
        if not asks_for_feedback(answer.intent):
            pass
        elif len(drawing.get("blocks", ())) < MAX_BLOCKS and drawn.endswith(b"]}"):
            # Then its 👍 / 👎 as the last block: spliced into the encoded drawing, which is shared
            # by every post of a cached answer and must not change (render puts "blocks" last).
            buttons = json.dumps(feedback.feedback_block(answer_id, answer.lang), ensure_ascii=False).encode()
            drawn = drawn[:-2] + (b"" if drawn.endswith(b"[]}") else b", ") + buttons + b"]}"
        else:
            drawn = json.dumps(feedback.with_feedback(drawing, answer_id, answer.lang), ensure_ascii=False).encode()
        body = json.dumps(head, ensure_ascii=False).encode()[:-1] + (b"," + drawn[1:] if drawn != b"{}" else b"}")
        try:
            reply = await self.answer_api.post("chat.postMessage", body)
        except Unreachable as exc:
            raise Retry(f"chat.postMessage: {exc}") from exc
        refused = _refused_reply("chat.postMessage", reply)
        if refused is not None:
            raise refused

    def _answered_before(self, q: inbound.Question, job: Job) -> bool:
        """Whether an answer carrying this event's id is in the thread or DM (the dead attempt's post).

        If the lookup itself fails, answer again: twice is better than never."""
        oldest = f"{job.received_at.timestamp() - 60:.6f}"
        try:
            if q.thread_ts:
                found = self.answer_client.conversations_replies(channel=q.channel, ts=q.thread_ts, oldest=oldest,
                                                                 include_all_metadata=True, limit=200)
            else:
                found = self.answer_client.conversations_history(channel=q.channel, oldest=oldest,
                                                                 include_all_metadata=True, limit=200)
        except _CALL_ERRORS as exc:
            log.warning("Slack event %s: cannot check the history (%s); answering again", job.id, exc)
            return False
        messages: list[dict[str, Any]] = found.get("messages") or []
        for message in messages:
            meta = message.get("metadata") or {}
            if meta.get("event_type") == ANSWER_EVENT and (meta.get("event_payload") or {}).get("event_id") == job.id:
                return True
        return False

    # ------------------------------------------------------------------ listeners (answered inside the ack)
    def _on_command(self, ack: Callable[..., None], command: dict[str, Any], respond: Callable[..., Any]) -> None:
        ack()  # within Slack's 3 seconds, before any work
        q = inbound.from_command(command)
        # The conversation is kept under the user's pseudonym, not the raw id.
        q = replace(q, context_key=f"slack:cmd:{hash_user(q.user, salt=self.questions.salt)}")
        answer, answer_id = self._ask(q, channel="slack")
        message = feedback.with_feedback(share.with_share_button(render(answer), answer), answer_id, answer.lang)
        try:
            respond(response_type="ephemeral", **message)
        except (ValueError, OSError) as exc:  # a command with no usable response_url: nowhere to answer
            log.warning("Slack command: cannot reply (%s)", exc)

    def _on_project_button(self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any],
                           client: WebClient, respond: Callable[..., Any]) -> None:
        ack()
        intent = re.match(r"^dx_project_(project_\w+)$", action["action_id"]).group(1)  # type: ignore[union-attr]
        self._answer_pick(inbound.from_action(body, action, intent=intent), client, respond)

    def _on_pick(self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any],
                 client: WebClient, respond: Callable[..., Any]) -> None:
        ack()
        self._answer_pick(inbound.from_action(body, action), client, respond)

    def _on_more(self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any], client: WebClient,
                 respond: Callable[..., Any]) -> None:
        """The next page of a long list, in the same thread."""
        ack()
        data = json.loads(action.get("value") or "{}")
        self.responder.refresh()
        answer = self.responder.answer(str(data.get("q", "")), audience="staff")
        message = render(answer, page=int(data.get("page", 1)))
        pick = inbound.from_action(body, action)
        if pick.channel and pick.thread_ts:
            client.chat_postMessage(channel=pick.channel, thread_ts=pick.thread_ts, **message)
        else:
            respond(response_type="ephemeral", replace_original=False, **message)

    def publish_homes(self, users: list[str]) -> None:
        """Redraw these users' App Home (after a submission). A failure is logged, never raised: the
        submission is stored, and the next visit draws the Home again."""
        for user in users:
            try:
                self._publish_home(user, self.answer_client)
            except _CALL_ERRORS as exc:
                log.warning("App Home of %s not republished: %s", user, exc)

    def _publish_home(self, user: str, client: WebClient) -> None:
        self.responder.refresh()
        view = home.dashboard(self.responder, departments=self.departments_of(user),
                              fiscal_year=evaluation_year(self.clock()), lang=home.user_lang(client, user))
        client.views_publish(user_id=user, view=view)

    # ------------------------------------------------------------------ work
    def _ask(self, q: inbound.Question, *, channel: str) -> tuple[Answer, str]:
        """The answer, logged (the id its 👍 / 👎 buttons carry)."""
        now = self.clock()
        self.responder.refresh()
        started = time.perf_counter()
        answer = answer_in_conversation(self.responder, self.conversations, q.text, key=q.context_key,
                                        audience="staff", now=now, ttl=q.context_ttl)
        elapsed = time.perf_counter() - started
        self.questions.observe(answer, channel=channel, user_id=q.user, now=now)
        self.on_answer(channel, answer, elapsed, q.user)
        return answer, self.answers.record(answer, channel=channel, user_id=q.user, now=now)

    def _answer_pick(self, pick: inbound.Pick, client: WebClient, respond: Callable[..., Any]) -> None:
        self.responder.refresh()
        if pick.kind == "glossary":
            answer = self.responder.term_answer(pick.id, lang=pick.lang)
        else:
            answer = self.responder.project_answer(pick.id, pick.intent, lang=pick.lang)
        answer_id = self.answers.record(answer, channel="slack", user_id=pick.user, now=self.clock())
        message = feedback.with_feedback(render(answer), answer_id, answer.lang)
        if pick.channel and pick.thread_ts:
            client.chat_postMessage(channel=pick.channel, thread_ts=pick.thread_ts, **message)
            if pick.kind == "project":
                self.conversations.remember(f"slack:{pick.channel}:{pick.thread_ts}", pick.id, now=self.clock())
        else:  # a button on an ephemeral message has no thread: answer where it was pressed
            respond(response_type="ephemeral", replace_original=False, **message)
